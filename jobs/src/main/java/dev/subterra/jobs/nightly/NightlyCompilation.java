package dev.subterra.jobs.nightly;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.subterra.jobs.Provenance;
import dev.subterra.jobs.compile.CompileOptions;
import dev.subterra.jobs.compile.CompilePipeline;
import dev.subterra.jobs.compile.CompileResult;
import dev.subterra.training.artefact.ModelArtefact;
import dev.subterra.workflow.InvalidWorkflowException;
import dev.subterra.workflow.Workflow;
import dev.subterra.workflow.WorkflowCodec;
import dev.subterra.workflow.WorkflowLoader;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Consumer;
import java.util.function.Supplier;
import org.apache.spark.sql.SparkSession;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The nightly run as an action: for each configured workflow, decide whether it changed since its promoted model,
 * compile a candidate through {@link CompilePipeline} when it did (or always, by policy), keep the candidate in the
 * {@link ModelRegistry}, and promote it only if the {@link PromotionGate} passes it. Every decision is appended to
 * the workflow's history with its reasons.
 *
 * <p>"Changed" means the candidate fingerprint differs: SHA-256 over the workflow's content hash and the compile
 * configuration (preset, scenarios per path, epochs, evaluation scenarios, teacher, seed). When the promoted model has
 * the same fingerprint, or the same inputs already made a candidate the gate refused, nothing is compiled: the same
 * inputs and seed would give the same model. Spark is started only when something is compiled.
 *
 * <p>Workflows are validated before any work starts; one workflow's failure is recorded and the others still run.
 */
public final class NightlyCompilation {
  private static final Logger LOG = LoggerFactory.getLogger(NightlyCompilation.class);
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final DateTimeFormatter ID_TIME = DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss'Z'")
      .withZone(ZoneOffset.UTC);

  private final Supplier<SparkSession> spark;
  private NightlyConfig config;
  private Consumer<String> listener = line -> { };

  private NightlyCompilation(Supplier<SparkSession> spark) {
    this.spark = spark;
  }

  /** A nightly run that asks {@code spark} for a session the first time it compiles, and only then. */
  public static NightlyCompilation on(Supplier<SparkSession> spark) {
    return new NightlyCompilation(spark);
  }

  public NightlyCompilation config(NightlyConfig value) {
    this.config = value;
    return this;
  }

  /** Receives one line per decision and per compile stage, for the console. */
  public NightlyCompilation onLine(Consumer<String> value) {
    this.listener = value;
    return this;
  }

  /**
   * Runs every configured workflow in order.
   *
   * @throws InvalidWorkflowException when a configured workflow is invalid (nothing is compiled then)
   * @throws IllegalArgumentException when two entries are the same workflow
   * @throws IOException when the registry cannot be locked or read
   */
  public NightlyResult execute() throws IOException, InvalidWorkflowException {
    Objects.requireNonNull(config, "config");
    List<Workflow> workflows = new ArrayList<>();
    Map<String, Integer> seen = new LinkedHashMap<>();
    for (int i = 0; i < config.workflows().size(); i++) {
      Workflow w = WorkflowLoader.load(config.workflows().get(i).path());
      Integer earlier = seen.putIfAbsent(w.id(), i);
      if (earlier != null) {
        throw new IllegalArgumentException("Invalid nightly configuration " + config.source() + ": workflows[" + earlier
            + "] and workflows[" + i + "] are both workflow '" + w.id() + "'; give each workflow once");
      }
      workflows.add(w);
    }
    ModelRegistry registry = ModelRegistry.at(config.registry());
    List<NightlyResult.Outcome> outcomes = new ArrayList<>();
    try (ModelRegistry.Lock lock = registry.lock()) {
      for (int i = 0; i < workflows.size(); i++) {
        NightlyResult.Outcome outcome = one(registry, workflows.get(i), config.workflows().get(i));
        outcomes.add(outcome);
        LOG.info("Nightly {}: {}{}", outcome.workflowId(), outcome.status().name().toLowerCase(Locale.ROOT),
            outcome.candidateId() == null ? "" : " " + outcome.candidateId());
      }
    }
    return new NightlyResult(outcomes);
  }

  private NightlyResult.Outcome one(ModelRegistry registry, Workflow workflow, NightlyConfig.Entry entry)
      throws IOException {
    String id = workflow.id();
    String contentHash = WorkflowCodec.contentHash(workflow);
    Map<String, Object> compile = compileConfiguration(entry.options());
    String fingerprint = fingerprint(contentHash, compile);
    Optional<Candidate> promoted = registry.promoted(id);

    if (config.policy() == NightlyConfig.Policy.ON_CHANGE) {
      String why = null;
      if (promoted.isPresent() && promoted.get().fingerprint().equals(fingerprint)) {
        why = "unchanged since the promoted candidate " + promoted.get().candidateId()
            + " (same workflow content and compile configuration)";
      } else {
        for (HistoryEntry past : registry.history(id)) {
          if ("refused".equals(past.outcome()) && fingerprint.equals(past.fingerprint())) {
            why = "the same workflow content and compile configuration made candidate " + past.candidate()
                + ", which the gate refused at " + past.time() + "; change the workflow or its options, or use"
                + " policy always";
          }
        }
      }
      if (why != null) {
        listener.accept(id + ": " + why);
        registry.append(new HistoryEntry(Instant.now().toString(), id, "unchanged", null,
            promoted.map(Candidate::candidateId).orElse(null), fingerprint, contentHash, null, null, List.of(why)));
        return new NightlyResult.Outcome(id, NightlyResult.Status.UNCHANGED, null, List.of(why));
      }
    }

    String candidateId = newCandidateId(registry, id, fingerprint);
    Path runDir = config.runs().resolve(id).resolve(candidateId);
    String baselineId = promoted.map(Candidate::candidateId).orElse(null);
    Map<String, Double> baseline = promoted.map(Candidate::metrics).orElse(null);
    listener.accept(id + ": compiling candidate " + candidateId + " into " + runDir
        + (promoted.isPresent() ? " (promoted: " + baselineId + ")" : " (nothing promoted yet)"));
    Candidate candidate;
    try {
      SparkSession session = spark.get();
      CompileResult result = CompilePipeline.on(session).workflow(workflow).output(runDir.toString())
          .options(entry.options()).onStage(line -> listener.accept(id + ": " + line)).execute();
      Map<String, Double> metrics = gateMetrics(runDir.resolve("eval").resolve("summary.json"));
      Map<String, Object> provenance = new LinkedHashMap<>(Provenance.current(session.version()));
      provenance.put("nightly_config", config.source().toAbsolutePath().toString());
      provenance.put("compile_seconds", result.seconds());
      candidate = new Candidate(candidateId, id, entry.path().toString(), contentHash, fingerprint, compile,
          runDir.toString(), ModelArtefact.load(runDir.resolve("model")).provenance().weightsHash(), metrics,
          provenance);
      registry.add(candidate, runDir);
    } catch (Exception e) {
      String message = e.getMessage() == null ? e.getClass().getSimpleName()
          : e.getMessage().lines().findFirst().orElse(e.getMessage());
      String why = "Cannot compile " + id + ": " + message;
      LOG.error("Nightly compilation of {} failed", id, e);
      listener.accept(id + ": " + why);
      registry.append(new HistoryEntry(Instant.now().toString(), id, "failed", null, baselineId, fingerprint,
          contentHash, null, baseline, List.of(why)));
      return new NightlyResult.Outcome(id, NightlyResult.Status.FAILED, null, List.of(why));
    }

    PromotionGate.Verdict verdict = config.gate().judge(candidate.metrics(), baseline);
    List<String> reasons = verdict.reasons();
    if (verdict.promote()) {
      try {
        registry.promote(id, candidateId);
      } catch (IOException e) {
        String why = "Cannot promote " + candidateId + ": " + e.getMessage();
        LOG.error("Promoting {} of {} failed", candidateId, id, e);
        listener.accept(id + ": " + why);
        registry.append(new HistoryEntry(Instant.now().toString(), id, "failed", candidateId, baselineId,
            fingerprint, contentHash, candidate.metrics(), baseline, List.of(why)));
        return new NightlyResult.Outcome(id, NightlyResult.Status.FAILED, candidateId, List.of(why));
      }
    }
    String outcome = verdict.promote() ? "promoted" : "refused";
    registry.append(new HistoryEntry(Instant.now().toString(), id, outcome, candidateId, baselineId, fingerprint,
        contentHash, candidate.metrics(), baseline, reasons));
    listener.accept(id + ": candidate " + candidateId + " " + outcome + (verdict.promote() ? "" : " by the gate; "
        + (baselineId == null ? "nothing is promoted" : baselineId + " stays promoted")));
    reasons.forEach(r -> listener.accept("  " + r));
    return new NightlyResult.Outcome(id, verdict.promote() ? NightlyResult.Status.PROMOTED
        : NightlyResult.Status.REFUSED, candidateId, reasons);
  }

  /** The compile configuration as the fingerprint and {@code candidate.json} record it. */
  static Map<String, Object> compileConfiguration(CompileOptions options) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("preset", options.preset());
    m.put("per_path", options.perPath());
    m.put("epochs", options.epochs());
    m.put("eval_scenarios", options.evalScenarios());
    m.put("teacher", options.teacher().teacherName());
    m.put("seed", options.seed());
    return m;
  }

  /** SHA-256 over the workflow's content hash and the compile configuration as compact JSON. */
  static String fingerprint(String contentHash, Map<String, Object> compile) throws IOException {
    String canonical = contentHash + "\n" + JSON.writeValueAsString(compile);
    return WorkflowCodec.sha256Hex(canonical.getBytes(StandardCharsets.UTF_8));
  }

  /**
   * The metrics a gate may check, read from a {@code summary.json}: a quality metric's {@code value} (null when it
   * had nothing to count), a cost key's number. A key the summary lacks is left out.
   */
  static Map<String, Double> gateMetrics(Path summaryFile) throws IOException {
    JsonNode summary = JSON.readTree(Files.readString(summaryFile, StandardCharsets.UTF_8));
    Map<String, Double> out = new LinkedHashMap<>();
    for (String key : GateMetric.KNOWN.keySet()) {
      JsonNode node = summary.get(key);
      if (node == null) {
        continue;
      }
      JsonNode value = node.isObject() ? node.get("value") : node;
      out.put(key, value != null && value.isNumber() ? value.asDouble() : null);
    }
    return out;
  }

  private static String newCandidateId(ModelRegistry registry, String workflowId, String fingerprint) {
    String base = ID_TIME.format(Instant.now()) + "-" + fingerprint.substring(0, 8);
    String id = base;
    for (int n = 2; Files.exists(registry.candidateDir(workflowId, id)); n++) {
      id = base + "-" + n;
    }
    return id;
  }
}

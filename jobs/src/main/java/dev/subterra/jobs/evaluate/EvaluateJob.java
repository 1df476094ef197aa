package dev.subterra.jobs.evaluate;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.subterra.evaluation.cost.CostAssumptions;
import dev.subterra.evaluation.cost.CostModel;
import dev.subterra.evaluation.cost.CostReport;
import dev.subterra.evaluation.cost.HardwarePriceTable;
import dev.subterra.evaluation.loop.ClosedLoopConfig;
import dev.subterra.evaluation.loop.ClosedLoopRunner;
import dev.subterra.evaluation.loop.ConversationResult;
import dev.subterra.evaluation.metrics.Bootstrap;
import dev.subterra.evaluation.metrics.Cohort;
import dev.subterra.evaluation.metrics.EvaluationMetrics;
import dev.subterra.evaluation.metrics.Estimate;
import dev.subterra.evaluation.metrics.MetricSet;
import dev.subterra.evaluation.metrics.Metrics;
import dev.subterra.evaluation.policy.StudentPolicy;
import dev.subterra.jobs.Provenance;
import dev.subterra.jobs.io.RunFiles;
import dev.subterra.jobs.paths.PathRows;
import dev.subterra.synthesis.Dialogue;
import dev.subterra.synthesis.Scenario;
import dev.subterra.synthesis.ScenarioConfig;
import dev.subterra.synthesis.ScenarioPlanner;
import dev.subterra.synthesis.TeacherException;
import dev.subterra.synthesis.cost.PriceTable;
import dev.subterra.synthesis.template.TemplateTeacher;
import dev.subterra.training.artefact.ModelArtefact;
import dev.subterra.workflow.InvalidWorkflowException;
import dev.subterra.workflow.Workflow;
import dev.subterra.workflow.WorkflowCodec;
import dev.subterra.workflow.WorkflowLoader;
import dev.subterra.workflow.paths.PathRecord;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.sql.SparkSession;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Evaluates a run's student closed-loop: fresh scenarios (a seed of their own, so none is a training dialogue) on
 * every path, played by the user and tool simulators against the student, scored with bootstrap intervals per cohort
 * (training paths, unseen validation/test paths, held-out paths) and priced against the in-context and orchestrated
 * frontier baselines. Writes {@code eval/}: {@code conversations.jsonl}, {@code summary.json} and {@code report.md}.
 *
 * <p>Conversations are played across Spark partitions with the model broadcast once, each partition batched through
 * the KV-cache decoder; the results do not depend on the partitioning.
 */
public final class EvaluateJob {
  private static final Logger LOG = LoggerFactory.getLogger(EvaluateJob.class);
  private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
  /** Records between driver and executors, as compact JSON. */
  private static final ObjectMapper WIRE = new ObjectMapper();
  /** The line a partition ends with: its decoded tokens and decoding seconds. */
  private static final String USAGE = "#usage ";
  /** A turn of the bundled workflows is a few dozen tokens; the limit only stops a runaway decode. */
  private static final int MAX_NEW_TOKENS = 64;

  private final SparkSession spark;
  private String runDir;
  private int perPath = 1;
  private int maxScenarios = Integer.MAX_VALUE;
  private int k = 1;
  private long seed;
  private String hardware = "aws-c7i.xlarge";
  private String frontier = "gpt-4.1";
  private Integer partitions;
  private String pathsDir;

  private EvaluateJob(SparkSession spark) {
    this.spark = spark;
  }

  public static EvaluateJob on(SparkSession spark) {
    return new EvaluateJob(spark);
  }

  public EvaluateJob run(String value) {
    this.runDir = value;
    return this;
  }

  /**
   * The directory whose {@code paths/} to read (any Hadoop path, read by the executors), when it is not the run
   * directory: a compile of a remote run evaluates a local copy of the model but reads the paths where they are.
   */
  public EvaluateJob paths(String dir) {
    this.pathsDir = dir;
    return this;
  }

  /** Fresh scenarios per path, and at most this many in all (the first by id, which is a seeded draw). */
  public EvaluateJob scenarios(int perPathValue, int maxValue) {
    if (perPathValue < 1 || maxValue < 1) {
      throw new IllegalArgumentException("Invalid scenarios: " + perPathValue + " per path, " + maxValue + " at most");
    }
    this.perPath = perPathValue;
    this.maxScenarios = maxValue;
    return this;
  }

  /** How many partitions to play in; defaults to Spark's parallelism. The results do not depend on it. */
  public EvaluateJob partitions(int value) {
    if (value < 1) {
      throw new IllegalArgumentException("Invalid partitions: " + value + " (expected at least 1)");
    }
    this.partitions = value;
    return this;
  }

  /** Sampled runs per scenario for pass^k; 1 plays greedily. */
  public EvaluateJob k(int value) {
    if (value < 1) {
      throw new IllegalArgumentException("Invalid k: " + value + " (expected at least 1)");
    }
    this.k = value;
    return this;
  }

  public EvaluateJob seed(long value) {
    this.seed = value;
    return this;
  }

  /** The hardware the student's price assumes, and the frontier model of the baselines, by their table names. */
  public EvaluateJob prices(String hardwareName, String frontierModel) {
    this.hardware = hardwareName;
    this.frontier = frontierModel;
    return this;
  }

  /** What the evaluation found, as written to {@code summary.json}. */
  public record Result(Path evalDir, EvaluationMetrics metrics, CostReport cost, int scenarios) {}

  public Result execute() throws IOException, InvalidWorkflowException, TeacherException {
    Objects.requireNonNull(runDir, "run");
    Path run = Path.of(runDir);
    RunFiles files = new RunFiles(spark.sparkContext().hadoopConfiguration());
    String pathsRun = pathsDir != null ? pathsDir : runDir;
    files.requireInput(new org.apache.hadoop.fs.Path(runDir), "workflow.json", "evaluate", "paths");
    files.requireInput(new org.apache.hadoop.fs.Path(pathsRun), "paths", "evaluate", "paths");
    files.requireInput(new org.apache.hadoop.fs.Path(runDir), "model", "evaluate", "train");
    Workflow workflow = WorkflowLoader.load(run.resolve("workflow.json"));
    ModelArtefact artefact = ModelArtefact.load(run.resolve("model"));
    List<PathRecord> paths = spark.read().parquet(new org.apache.hadoop.fs.Path(pathsRun, "paths").toString()).collectAsList().stream()
        .map(PathRows::fromRow).sorted(Comparator.comparingLong(PathRecord::ordinal)).toList();
    // A seed of its own: the planner's ids and draws differ from every training scenario's.
    List<Scenario> scenarios = new ScenarioPlanner(workflow, ScenarioConfig.perPath(perPath, seed ^ 0x5EEDL))
        .plan(paths).scenarios().stream().sorted(Comparator.comparing(Scenario::scenarioId)).limit(maxScenarios)
        .toList();
    TemplateTeacher teacher = new TemplateTeacher();
    Map<String, Dialogue> references = new LinkedHashMap<>();
    Map<String, Scenario> byId = new LinkedHashMap<>();
    for (Scenario scenario : scenarios) {
      references.put(scenario.scenarioId(), teacher.write(workflow, scenario));
      byId.put(scenario.scenarioId(), scenario);
    }
    LOG.info("Evaluating the student of {} on {} scenarios ({} run(s) each)", workflow.id(), scenarios.size(), k);

    // At most half the context, so that the conversation so far keeps the other half.
    int maxNewTokens = Math.min(MAX_NEW_TOKENS, artefact.model().config().contextLength() / 2);
    Played played = play(workflow, run.resolve("model"), maxNewTokens, scenarios);
    List<ConversationResult> results = played.results();
    EvaluationMetrics metrics = new Metrics(workflow, Bootstrap.of(seed)).evaluate(results, references, k);
    CostAssumptions assumptions = new CostAssumptions(
        HardwarePriceTable.bundled().price(hardware).orElseThrow(() -> new IllegalArgumentException(
            "Invalid hardware: " + hardware + " is not in " + HardwarePriceTable.BUNDLED)),
        HardwarePriceTable.bundled().version(), played.tokensPerSecond(),
        "this evaluation (one core per partition, batched decoding)", 1.0,
        PriceTable.bundled().price(frontier).orElseThrow(() -> new IllegalArgumentException(
            "Invalid frontier model: " + frontier + " is not in " + PriceTable.BUNDLED)),
        PriceTable.bundled().version(), CostAssumptions.DEFAULT_ROUTING_OUTPUT_TOKENS);
    CostReport cost = new CostModel(workflow, assumptions).report(results, byId);

    Path evalDir = run.resolve("eval");
    org.apache.hadoop.fs.Path target = new org.apache.hadoop.fs.Path(evalDir.toAbsolutePath().toString());
    org.apache.hadoop.fs.Path staging = files.temporarySibling(target);
    Path temporary = Path.of(staging.toString());
    Files.createDirectories(temporary);
    try (var out = Files.newBufferedWriter(temporary.resolve("conversations.jsonl"), StandardCharsets.UTF_8)) {
      ObjectMapper line = new ObjectMapper();
      for (ConversationResult result : results) {
        out.write(line.writeValueAsString(result));
        out.newLine();
      }
    }
    Map<String, Object> summary = new LinkedHashMap<>(metrics.summary().toMap());
    summary.putAll(cost.toMap());
    summary.put("cohorts", cohorts(metrics));
    summary.put("node_accuracy_by_node", estimates(metrics.nodeAccuracy()));
    summary.put("first_wrong_nodes", metrics.firstWrongNodes());
    summary.put("cost_assumptions", assumptions.toMap());
    summary.put("scenarios", scenarios.size());
    summary.put("k", k);
    summary.put("seed", seed);
    summary.put("model_weights_hash", artefact.provenance().weightsHash());
    summary.put("provenance", Provenance.current(spark.version()));
    JSON.writeValue(temporary.resolve("summary.json").toFile(), summary);
    Files.writeString(temporary.resolve("report.md"), report(workflow, metrics, cost, scenarios.size()),
        StandardCharsets.UTF_8);
    files.commit(staging, target);
    return new Result(evalDir, metrics, cost, scenarios.size());
  }

  /** The conversations of every partition, and the student's decoding throughput per partition. */
  private record Played(List<ConversationResult> results, double tokensPerSecond) {}

  /**
   * Plays the scenarios across Spark partitions. The model's files are broadcast once; each executor writes them to a
   * local directory once per JVM and loads the artefact from there, and each partition plays its scenarios batched.
   */
  private Played play(Workflow workflow, Path modelDir, int maxNewTokens, List<Scenario> scenarios)
      throws IOException {
    Map<String, byte[]> modelFiles = new LinkedHashMap<>();
    try (var files = Files.list(modelDir)) {
      for (Path file : files.sorted().toList()) {
        modelFiles.put(file.getFileName().toString(), Files.readAllBytes(file));
      }
    }
    JavaSparkContext jsc = JavaSparkContext.fromSparkContext(spark.sparkContext());
    jsc.setJobGroup("subterra-evaluate-" + workflow.id(), "Play the student of " + workflow.id(), false);
    try {
      Broadcast<Map<String, byte[]>> model = jsc.broadcast(modelFiles);
      Broadcast<String> workflowJson = jsc.broadcast(WorkflowCodec.toJson(workflow));
      List<String> encoded = new ArrayList<>();
      for (Scenario scenario : scenarios) {
        encoded.add(WIRE.writeValueAsString(scenario));
      }
      int samples = k;
      long samplingSeed = seed;
      int slices = Math.max(1, Math.min(scenarios.size(), partitions != null ? partitions : jsc.defaultParallelism()));
      List<String> lines = jsc.parallelize(encoded, slices).mapPartitions(part -> {
        List<Scenario> mine = new ArrayList<>();
        while (part.hasNext()) {
          mine.add(WIRE.readValue(part.next(), Scenario.class));
        }
        List<String> out = new ArrayList<>();
        if (mine.isEmpty()) {
          return out.iterator();
        }
        Workflow w = WorkflowLoader.parse("workflow.json", workflowJson.value().getBytes(StandardCharsets.UTF_8),
            WorkflowLoader.Format.JSON);
        // k = 1 decodes greedily; pass^k needs k sampled runs of each scenario.
        StudentPolicy.Config decoding = samples == 1 ? StudentPolicy.Config.greedy(maxNewTokens)
            : StudentPolicy.Config.sampled(maxNewTokens, 1.0, 0.95, samplingSeed);
        StudentPolicy student = new StudentPolicy(ExecutorModels.load(model.value()), decoding);
        for (ConversationResult result : new ClosedLoopRunner(w, ClosedLoopConfig.defaults()).run(student, mine,
            samples)) {
          out.add(WIRE.writeValueAsString(result));
        }
        StudentPolicy.Usage usage = student.usage();
        out.add(USAGE + (usage.promptTokens() + usage.generatedTokens()) + " " + usage.seconds());
        return out.iterator();
      }).collect();
      List<ConversationResult> results = new ArrayList<>();
      long tokens = 0;
      double seconds = 0;
      for (String line : lines) {
        if (line.startsWith(USAGE)) {
          String[] parts = line.substring(USAGE.length()).split(" ");
          tokens += Long.parseLong(parts[0]);
          seconds += Double.parseDouble(parts[1]);
        } else {
          results.add(WIRE.readValue(line, ConversationResult.class));
        }
      }
      // The same order whatever the partitioning: by scenario, then run.
      results.sort(Comparator.comparing(ConversationResult::scenarioId).thenComparingInt(ConversationResult::sample));
      return new Played(results, seconds > 0 ? tokens / seconds : 0.0);
    } finally {
      jsc.clearJobGroup();
    }
  }

  private static Map<String, Object> cohorts(EvaluationMetrics metrics) {
    Map<String, Object> out = new LinkedHashMap<>();
    metrics.cohorts().forEach((cohort, set) -> {
      Map<String, Object> one = new LinkedHashMap<>();
      one.put("conversations", set.conversations());
      one.put("scenarios", set.scenarios());
      one.put("metrics", estimates(set.metrics()));
      out.put(cohort.wireName(), one);
    });
    return out;
  }

  private static Map<String, Object> estimates(Map<String, Estimate> estimates) {
    Map<String, Object> out = new LinkedHashMap<>();
    estimates.forEach((name, e) -> out.put(name, dev.subterra.evaluation.metrics.Summary.asMap(e)));
    return out;
  }

  private static String report(Workflow workflow, EvaluationMetrics metrics, CostReport cost, int scenarios) {
    StringBuilder md = new StringBuilder("# Evaluation of the ").append(workflow.displayName()).append(" student\n\n");
    md.append(scenarios).append(" fresh scenarios, played closed-loop against the user and tool simulators.\n\n");
    md.append("| metric | ");
    List<Cohort> cohorts = new ArrayList<>(metrics.cohorts().keySet());
    cohorts.forEach(c -> md.append(c.wireName()).append(" | "));
    md.append("\n|---|");
    cohorts.forEach(c -> md.append("---|"));
    md.append('\n');
    MetricSet first = metrics.cohorts().values().iterator().next();
    for (String name : first.metrics().keySet()) {
      md.append("| ").append(name).append(" | ");
      for (Cohort c : cohorts) {
        Estimate e = metrics.cohort(c).get(name);
        md.append(e.isDefined() ? String.format("%.3f [%.3f, %.3f] (n=%d)", e.value(), e.low(), e.high(), e.count())
            : "–").append(" | ");
      }
      md.append('\n');
    }
    md.append("\n## Cost per conversation\n\n");
    cost.toMap().forEach((key, value) -> md.append("- ").append(key).append(": ").append(value).append('\n'));
    md.append("\n## Where conversations first go wrong\n\n");
    if (metrics.firstWrongNodes().isEmpty()) {
      md.append("Nowhere: every conversation followed its path.\n");
    }
    metrics.firstWrongNodes().forEach((node, n) -> md.append("- ").append(node).append(": ").append(n).append('\n'));
    return md.toString();
  }
}

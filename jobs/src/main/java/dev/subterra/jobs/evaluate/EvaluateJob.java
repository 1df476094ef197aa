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
import dev.subterra.evaluation.loop.ProgressLog;
import dev.subterra.evaluation.metrics.Bootstrap;
import dev.subterra.evaluation.metrics.Cohort;
import dev.subterra.evaluation.metrics.Estimate;
import dev.subterra.evaluation.metrics.EvaluationMetrics;
import dev.subterra.evaluation.metrics.LanguageCohort;
import dev.subterra.evaluation.metrics.MetricName;
import dev.subterra.evaluation.metrics.MetricSet;
import dev.subterra.evaluation.metrics.Summary;
import dev.subterra.evaluation.metrics.Metrics;
import dev.subterra.evaluation.judge.ChatJudge;
import dev.subterra.evaluation.judge.JudgeScores;
import dev.subterra.evaluation.judge.JudgeSummary;
import dev.subterra.evaluation.judge.Rubric;
import dev.subterra.evaluation.judge.Verdict;
import dev.subterra.evaluation.policy.BaselinePolicy;
import dev.subterra.evaluation.policy.NextNodeScorer;
import dev.subterra.evaluation.policy.ReferencePolicy;
import dev.subterra.evaluation.policy.StudentPolicy;
import dev.subterra.evaluation.report.HtmlReport;
import dev.subterra.jobs.baseline.NextNodeScorerExport;
import dev.subterra.synthesis.openai.ApiKey;
import dev.subterra.synthesis.openai.ChatClient;
import dev.subterra.synthesis.openai.ChatClientConfig;
import java.math.BigDecimal;
import java.math.MathContext;
import java.net.URI;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.apache.spark.ml.PipelineModel;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import dev.subterra.jobs.Provenance;
import dev.subterra.jobs.io.RunFiles;
import dev.subterra.jobs.paths.PathRows;
import dev.subterra.synthesis.Dialogue;
import dev.subterra.synthesis.Scenario;
import dev.subterra.synthesis.ScenarioConfig;
import dev.subterra.synthesis.ScenarioPlanner;
import dev.subterra.synthesis.TeacherException;
import dev.subterra.synthesis.Wording;
import dev.subterra.synthesis.cost.PriceTable;
import dev.subterra.synthesis.template.TemplateTeacher;
import dev.subterra.synthesis.values.ValueShare;
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
import java.util.EnumMap;
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
 * frontier baselines. The same harness plays the MLlib next-node baseline (where {@code baseline/} exists) and replays
 * the teacher's dialogues of the same scenarios as the upper bound; an optional LLM judge scores the student's
 * conversations. Writes {@code eval/}: {@code conversations.jsonl} (the student's), {@code conversations-baseline.jsonl},
 * {@code conversations-reference.jsonl}, {@code judge.jsonl} (with a judge), {@code conversations/} (Parquet, one row
 * per conversation of every policy), {@code summary.json}, {@code report.md} and {@code report.html}.
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
  private URI judgeUrl;
  private String judgeModel;
  private java.util.function.UnaryOperator<String> environment = System::getenv;
  private String pathsDir;
  private boolean groundArguments = true;

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

  /**
   * Whether the student's tool calls follow the workflow's signatures with argument values grounded in the
   * conversation (on by default; see {@link dev.subterra.training.decode.GroundedCalls}). Off measures what the model
   * writes on its own.
   */
  public EvaluateJob groundArguments(boolean value) {
    this.groundArguments = value;
    return this;
  }

  /** The hardware the student's price assumes, and the frontier model of the baselines, by their table names. */
  public EvaluateJob prices(String hardwareName, String frontierModel) {
    this.hardware = hardwareName;
    this.frontier = frontierModel;
    return this;
  }

  /**
   * Scores every student conversation with an LLM judge at this OpenAI-compatible endpoint; its key comes from
   * {@value #JUDGE_KEY_VARIABLE} (or {@code OPENAI_API_KEY}) and is never logged. Without this no judge runs.
   */
  public EvaluateJob judge(URI url, String model) {
    if (url == null || model == null || model.isBlank()) {
      throw new IllegalArgumentException("Invalid judge: both a URL and a model are needed, got " + url + " and "
          + model);
    }
    this.judgeUrl = url;
    this.judgeModel = model;
    return this;
  }

  /** Where the judge's key is looked up; the process environment by default (tests pass a map's {@code get}). */
  EvaluateJob environment(java.util.function.UnaryOperator<String> lookup) {
    this.environment = lookup;
    return this;
  }

  /** The environment variable the judge's API key is read from first. */
  public static final String JUDGE_KEY_VARIABLE = "SUBTERRA_JUDGE_API_KEY";

  /**
   * What the evaluation found, as written to {@code summary.json}: the student's metrics and cost, and where they were
   * played, the baseline's and the teacher replay's metrics and the judge's scores.
   */
  public record Result(Path evalDir, EvaluationMetrics metrics, CostReport cost, int scenarios,
      Optional<EvaluationMetrics> baseline, EvaluationMetrics reference, Optional<JudgeSummary> judge) {}

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
    List<PathRecord> paths = spark.read().parquet(new org.apache.hadoop.fs.Path(pathsRun, "paths").toString())
        .collectAsList().stream()
        .map(PathRows::fromRow).sorted(Comparator.comparingLong(PathRecord::ordinal)).toList();
    // A seed of its own: the planner's ids and draws differ from every training scenario's.
    // The language cohorts with training's values play the same scenarios, so that they differ in wording alone.
    Map<ValueShare, List<Scenario>> byValues = new EnumMap<>(ValueShare.class);
    Map<LanguageCohort, List<Scenario>> byLanguage = new EnumMap<>(LanguageCohort.class);
    for (LanguageCohort language : LanguageCohort.values()) {
      byLanguage.put(language, byValues.computeIfAbsent(language.valueShare(), share -> new ScenarioPlanner(workflow,
          ScenarioConfig.perPath(perPath, seed ^ 0x5EEDL).withValues(share).withRefinements(true)).plan(paths)
          .scenarios().stream().sorted(Comparator.comparing(Scenario::scenarioId)).limit(maxScenarios).toList()));
    }
    List<Scenario> scenarios = byLanguage.get(LanguageCohort.HEADLINE);
    TemplateTeacher teacher = new TemplateTeacher();
    Map<String, Dialogue> references = new LinkedHashMap<>();
    Map<String, Scenario> byId = new LinkedHashMap<>();
    for (List<Scenario> played : byLanguage.values()) {
      for (Scenario scenario : played) {
        if (!references.containsKey(scenario.scenarioId())) {
          references.put(scenario.scenarioId(), teacher.write(workflow, scenario));
          byId.put(scenario.scenarioId(), scenario);
        }
      }
    }
    LOG.info("Evaluating the student of {} on {} scenarios ({} run(s) each) in {} language cohorts", workflow.id(),
        scenarios.size(), k, byLanguage.size());

    // At most half the context, so that the conversation so far keeps the other half.
    int maxNewTokens = Math.min(MAX_NEW_TOKENS, artefact.model().config().contextLength() / 2);
    // One scorer for every policy: its bootstrap draws from a fresh generator per metric, so sharing it changes nothing.
    Metrics scoring = new Metrics(workflow, Bootstrap.of(seed));
    Map<LanguageCohort, Played> plays = new EnumMap<>(LanguageCohort.class);
    Map<LanguageCohort, EvaluationMetrics> languageMetrics = new EnumMap<>(LanguageCohort.class);
    for (Map.Entry<LanguageCohort, List<Scenario>> cohort : byLanguage.entrySet()) {
      Played played = play(workflow, run.resolve("model"), maxNewTokens, cohort.getKey(), cohort.getValue());
      plays.put(cohort.getKey(), played);
      languageMetrics.put(cohort.getKey(), scoring.evaluate(played.results(), references, k));
    }
    LanguageCohort headline = LanguageCohort.HEADLINE;
    List<ConversationResult> results = plays.get(headline).results();
    EvaluationMetrics metrics = languageMetrics.get(headline);
    Played played = plays.get(headline);
    CostAssumptions assumptions = new CostAssumptions(
        HardwarePriceTable.bundled().price(hardware).orElseThrow(() -> new IllegalArgumentException(
            "Invalid hardware: " + hardware + " is not in " + HardwarePriceTable.BUNDLED)),
        HardwarePriceTable.bundled().version(), played.tokensPerSecond(),
        "this evaluation (one core per partition, batched decoding)", 1.0,
        PriceTable.bundled().price(frontier).orElseThrow(() -> new IllegalArgumentException(
            "Invalid frontier model: " + frontier + " is not in " + PriceTable.BUNDLED)),
        PriceTable.bundled().version(), CostAssumptions.DEFAULT_ROUTING_OUTPUT_TOKENS);
    CostReport cost = new CostModel(workflow, assumptions).report(results, byId);
    // The baseline and the teacher replay meet the headline cohort's users.
    ClosedLoopRunner runner = new ClosedLoopRunner(workflow, ClosedLoopConfig.defaults()
        .withWording(headline.wording()));
    List<Scenario> headlineScenarios = byLanguage.get(headline);

    // The MLlib baseline, where train wrote one, exported to plain Java and played on the driver: it decides a turn in
    // microseconds, so partitions would cost more than they save. It is deterministic: one run per scenario.
    Optional<Played> baselinePlayed = Optional.empty();
    Optional<EvaluationMetrics> baselineMetrics = Optional.empty();
    double baselineUsd = Double.NaN;
    if (Files.isDirectory(run.resolve("baseline"))) {
      NextNodeScorer scorer = NextNodeScorerExport.of(PipelineModel.load(run.resolve("baseline").toString()));
      BaselinePolicy baseline = new BaselinePolicy(workflow, scorer);
      List<ConversationResult> byBaseline = runner.run(baseline, headlineScenarios, 1,
          ProgressLog.every("evaluate baseline " + workflow.id()));
      baselineMetrics = Optional.of(scoring.evaluate(byBaseline, references, 1));
      // Its price: the measured seconds of choosing and writing turns, at the student's hardware rate.
      baselineUsd = assumptions.hardware().usdPerHour().doubleValue() / 3600.0 * baseline.seconds()
          / byBaseline.size();
      baselinePlayed = Optional.of(new Played(byBaseline, 0));
    } else {
      LOG.info("No baseline/ in {}: the MLlib baseline is not scored (train without --no-baseline)", run);
    }
    // The upper bound: the teacher's dialogues of the same scenarios, replayed through the same harness.
    List<ConversationResult> replayed = runner.run(new ReferencePolicy(headlineScenarios.stream()
        .map(s -> references.get(s.scenarioId())).toList()), headlineScenarios, 1,
        ProgressLog.every("evaluate reference " + workflow.id()));
    EvaluationMetrics referenceMetrics = scoring.evaluate(replayed, references, 1);
    Map<String, Object> teacherOfRun = teacher(run);

    Optional<JudgeSummary> judged = Optional.empty();
    Map<String, Verdict> verdicts = new LinkedHashMap<>();
    if (judgeUrl != null) {
      ChatJudge judge = new ChatJudge(new ChatClient(ChatClientConfig.defaults(judgeUrl, seed), judgeKey()),
          judgeModel, Rubric.bundled(), JUDGE_ATTEMPTS, seed);
      for (Verdict v : judgeAll(judge, workflow, byId, results)) {
        verdicts.put(v.scenarioId() + "#" + v.sample(), v);
      }
      long in = verdicts.values().stream().mapToLong(Verdict::inputTokens).sum();
      long out = verdicts.values().stream().mapToLong(Verdict::outputTokens).sum();
      BigDecimal spend = PriceTable.bundled().price(judgeModel).map(p -> p.cost(in, out)).orElse(null);
      JudgeSummary summary = JudgeSummary.of(judgeModel, judge.rubric().version(),
          List.copyOf(verdicts.values()), Bootstrap.of(seed), spend);
      judged = Optional.of(summary);
      LOG.info("Judge {} scored {} of {} conversations (overall mean {})", judgeModel, summary.scored(),
          summary.conversations(), summary.criteria().get(JudgeSummary.OVERALL).value());
    }

    Path evalDir = run.resolve("eval");
    org.apache.hadoop.fs.Path target = new org.apache.hadoop.fs.Path(evalDir.toAbsolutePath().toString());
    org.apache.hadoop.fs.Path staging = files.temporarySibling(target);
    Path temporary = Path.of(staging.toString());
    Files.createDirectories(temporary);
    writeJsonl(temporary.resolve("conversations.jsonl"), results);
    for (Map.Entry<LanguageCohort, Played> other : plays.entrySet()) {
      if (other.getKey() != headline) {
        writeJsonl(temporary.resolve("conversations-" + other.getKey().wireName().replace('_', '-') + ".jsonl"),
            other.getValue().results());
      }
    }
    if (baselinePlayed.isPresent()) {
      writeJsonl(temporary.resolve("conversations-baseline.jsonl"), baselinePlayed.get().results());
    }
    writeJsonl(temporary.resolve("conversations-reference.jsonl"), replayed);
    if (!verdicts.isEmpty()) {
      writeJsonl(temporary.resolve("judge.jsonl"), List.copyOf(verdicts.values()));
    }
    List<Map.Entry<ConversationResult, LanguageCohort>> everyPolicy = new ArrayList<>();
    plays.forEach((language, p) -> p.results().forEach(c -> everyPolicy.add(Map.entry(c, language))));
    baselinePlayed.ifPresent(b -> b.results().forEach(c -> everyPolicy.add(Map.entry(c, headline))));
    replayed.forEach(c -> everyPolicy.add(Map.entry(c, headline)));
    writeParquet(temporary.resolve("conversations"), everyPolicy, verdicts);
    Map<String, Object> summary = new LinkedHashMap<>(metrics.summary().toMap());
    summary.putAll(cost.toMap());
    summary.put("headline_cohort", headline.wireName());
    summary.put("language_cohorts", languageCohorts(languageMetrics, byLanguage));
    summary.put("cohorts", cohorts(metrics));
    summary.put("node_accuracy_by_node", estimates(metrics.nodeAccuracy()));
    summary.put("first_wrong_nodes", metrics.firstWrongNodes());
    summary.put("cost_assumptions", assumptions.toMap());
    summary.put("scenarios", scenarios.size());
    summary.put("k", k);
    summary.put("seed", seed);
    summary.put("ground_arguments", groundArguments);
    summary.put("model_weights_hash", artefact.provenance().weightsHash());
    double inContextUsd = cost.inContextUsdPerConversation().doubleValue();
    if (baselineMetrics.isPresent()) {
      Map<String, Object> block = policyBlock(baselineMetrics.get());
      block.put("model", "multinomial logistic regression over TF-IDF of the last " + NextNodeScorer.CONTEXT_TURNS
          + " turns and the previous node (baseline/), played as plain Java");
      block.put("cost_per_conversation_usd", baselineUsd);
      block.put("cost_ratio_in_context", baselineUsd > 0 ? inContextUsd / baselineUsd : null);
      block.put("cost_basis", "measured seconds per conversation at the student's hardware price");
      summary.put("baseline", block);
    }
    Map<String, Object> referenceBlock = policyBlock(referenceMetrics);
    referenceBlock.put("teacher", teacherOfRun.get("teacher"));
    referenceBlock.put("replayed", TemplateTeacher.NAME + " teacher's dialogues of the evaluation scenarios");
    referenceBlock.put("conformance_rate", teacherOfRun.get("conformance_rate"));
    summary.put("reference", referenceBlock);
    judged.ifPresent(j -> summary.put("judge", j.toMap()));
    Map<String, Object> provenance = Provenance.current(spark.version());
    summary.put("provenance", provenance);
    JSON.writeValue(temporary.resolve("summary.json").toFile(), summary);
    Files.writeString(temporary.resolve("report.md"), report(workflow, metrics, cost, scenarios.size())
        + languageReport(languageMetrics, byLanguage)
        + baselineReport(baselineMetrics, referenceMetrics, teacherOfRun), StandardCharsets.UTF_8);

    List<HtmlReport.PolicyResult> shown = new ArrayList<>();
    shown.add(new HtmlReport.PolicyResult("student", "student", metrics,
        cost.studentUsdPerConversation().doubleValue()));
    double baselineCost = baselineUsd;
    baselineMetrics.ifPresent(b -> shown.add(new HtmlReport.PolicyResult("baseline", "MLlib baseline", b,
        baselineCost)));
    shown.add(new HtmlReport.PolicyResult("reference", "teacher replay", referenceMetrics, Double.NaN));
    Map<String, Object> htmlProvenance = new LinkedHashMap<>();
    htmlProvenance.put("run", run.toAbsolutePath().toString());
    htmlProvenance.put("model_weights_hash", artefact.provenance().weightsHash());
    htmlProvenance.put("seed", seed);
    htmlProvenance.put("k", k);
    htmlProvenance.put("ground_arguments", groundArguments);
    htmlProvenance.putAll(provenance);
    Files.writeString(temporary.resolve("report.html"), HtmlReport.render(new HtmlReport.Input(workflow,
        scenarios.size(), k, shown, cost, teacherOfRun, judged.orElse(null), htmlProvenance, languageMetrics)),
        StandardCharsets.UTF_8);
    files.commit(staging, target);
    return new Result(evalDir, metrics, cost, scenarios.size(), baselineMetrics, referenceMetrics, judged);
  }

  /** The metrics reported per language cohort, over all its conversations (every route). */
  static final List<String> LANGUAGE_METRICS = List.of(MetricName.NODE_ACCURACY, MetricName.TOOL_CALL_ACCURACY,
      MetricName.SLOT_ACCURACY, MetricName.PATH_FIDELITY, MetricName.HUB_ACCURACY, MetricName.TERMINAL_ACCURACY,
      MetricName.INVALID_TAG_RATE);

  /** Each language cohort's figures over all its conversations, with its count of scenarios, for summary.json. */
  private static Map<String, Object> languageCohorts(Map<LanguageCohort, EvaluationMetrics> metrics,
      Map<LanguageCohort, List<Scenario>> scenarios) {
    Map<String, Object> out = new LinkedHashMap<>();
    metrics.forEach((language, m) -> {
      Map<String, Object> block = new LinkedHashMap<>();
      for (String name : LANGUAGE_METRICS) {
        block.put(name, Summary.asMap(m.cohort(Cohort.ALL).get(name)));
      }
      block.put("scenarios", scenarios.get(language).size());
      block.put("first_wrong_nodes", m.firstWrongNodes());
      out.put(language.wireName(), block);
    });
    return out;
  }

  /** The language cohorts side by side, for {@code report.md}. */
  private static String languageReport(Map<LanguageCohort, EvaluationMetrics> metrics,
      Map<LanguageCohort, List<Scenario>> scenarios) {
    StringBuilder md = new StringBuilder("\n## By the users' language\n\nThe headline figures above are the ")
        .append(LanguageCohort.HEADLINE.wireName()).append(" cohort's: users who speak only wording that no training"
            + " dialogue used.\n\n| metric |");
    metrics.keySet().forEach(l -> md.append(' ').append(l.wireName()).append(" (").append(scenarios.get(l).size())
        .append(") |"));
    md.append("\n|---|");
    metrics.keySet().forEach(l -> md.append("---|"));
    md.append('\n');
    for (String name : LANGUAGE_METRICS) {
      md.append("| ").append(name).append(" |");
      for (EvaluationMetrics m : metrics.values()) {
        Estimate e = m.cohort(Cohort.ALL).get(name);
        md.append(' ').append(e.isDefined() ? String.format("%.3f [%.3f, %.3f]", e.value(), e.low(), e.high()) : "–")
            .append(" |");
      }
      md.append('\n');
    }
    return md.toString();
  }

  /** How many answers the judge is asked for per conversation when they come back malformed. */
  static final int JUDGE_ATTEMPTS = 3;
  /** Conversations judged at once; the client's own limit adapts below it. */
  private static final int JUDGE_THREADS = 4;

  private Optional<ApiKey> judgeKey() {
    // ApiKey reads the teacher's variable first; the judge's own variable takes its place here.
    java.util.function.UnaryOperator<String> env = environment;
    return ApiKey.fromEnvironment(name -> name.equals(ApiKey.VARIABLE) ? env.apply(JUDGE_KEY_VARIABLE)
        : env.apply(name));
  }

  private static List<Verdict> judgeAll(ChatJudge judge, Workflow workflow, Map<String, Scenario> byId,
      List<ConversationResult> results) throws IOException {
    ExecutorService pool = Executors.newFixedThreadPool(JUDGE_THREADS);
    try {
      List<Future<Verdict>> pending = new ArrayList<>();
      for (ConversationResult c : results) {
        pending.add(pool.submit(() -> judge.assess(workflow, byId.get(c.scenarioId()), c)));
      }
      List<Verdict> out = new ArrayList<>();
      for (Future<Verdict> f : pending) {
        out.add(f.get());
      }
      return out;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("Cannot judge the conversations: interrupted", e);
    } catch (java.util.concurrent.ExecutionException e) {
      throw new IllegalStateException("Cannot judge the conversations: " + e.getCause().getMessage(), e.getCause());
    } finally {
      pool.shutdownNow();
    }
  }

  /** The teacher's name and conformance rate from the run's {@code synthesis.json}; nulls when it has none. */
  private static Map<String, Object> teacher(Path run) throws IOException {
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("teacher", null);
    out.put("conformance_rate", null);
    Path file = run.resolve("synthesis.json");
    if (Files.isRegularFile(file)) {
      var doc = JSON.readTree(file.toFile());
      out.put("teacher", doc.path("teacher").isTextual() ? doc.get("teacher").asText() : null);
      out.put("conformance_rate", doc.path("conformance_rate").isNumber() ? doc.get("conformance_rate").asDouble()
          : null);
    }
    return out;
  }

  private static Map<String, Object> policyBlock(EvaluationMetrics m) {
    Map<String, Object> block = new LinkedHashMap<>(m.summary().toMap());
    block.put("cohorts", cohorts(m));
    block.put("node_accuracy_by_node", estimates(m.nodeAccuracy()));
    block.put("first_wrong_nodes", m.firstWrongNodes());
    return block;
  }

  private static void writeJsonl(Path file, List<?> rows) throws IOException {
    try (var out = Files.newBufferedWriter(file, StandardCharsets.UTF_8)) {
      ObjectMapper line = new ObjectMapper();
      for (Object row : rows) {
        out.write(line.writeValueAsString(row));
        out.newLine();
      }
    }
  }

  /** The schema of {@code eval/conversations/}: one row per conversation of every policy. */
  static final StructType CONVERSATION_SCHEMA = new StructType()
      .add("policy", DataTypes.StringType, false)
      .add("scenario_id", DataTypes.StringType, false)
      .add("path_id", DataTypes.StringType, false)
      .add("split", DataTypes.StringType, false)
      .add("sample", DataTypes.IntegerType, false)
      .add("terminal", DataTypes.StringType, true)
      .add("end", DataTypes.StringType, false)
      .add("path_fidelity", DataTypes.BooleanType, false)
      .add("terminal_correct", DataTypes.BooleanType, false)
      .add("agent_turns", DataTypes.IntegerType, false)
      .add("correct_turns", DataTypes.IntegerType, false)
      .add("first_wrong_step", DataTypes.IntegerType, false)
      .add("first_wrong_node", DataTypes.StringType, true)
      .add("prompt_tokens", DataTypes.LongType, false)
      .add("generated_tokens", DataTypes.LongType, false)
      .add("judge_task_success", DataTypes.IntegerType, true)
      .add("judge_information_accuracy", DataTypes.IntegerType, true)
      .add("judge_consistency", DataTypes.IntegerType, true)
      .add("judge_graceful_handling", DataTypes.IntegerType, true)
      .add("judge_naturalness", DataTypes.IntegerType, true)
      .add("judge_failure", DataTypes.StringType, true)
      .add("language", DataTypes.StringType, false);

  private void writeParquet(Path dir, List<Map.Entry<ConversationResult, LanguageCohort>> conversations,
      Map<String, Verdict> verdicts) {
    List<Row> rows = new ArrayList<>(conversations.size());
    for (Map.Entry<ConversationResult, LanguageCohort> entry : conversations) {
      ConversationResult c = entry.getKey();
      boolean judged = c.policy().equals("student") && entry.getValue() == LanguageCohort.HEADLINE;
      Verdict v = judged ? verdicts.get(c.scenarioId() + "#" + c.sample()) : null;
      JudgeScores j = v == null ? null : v.scores();
      rows.add(RowFactory.create(c.policy(), c.scenarioId(), c.pathId(), c.split().wireName(), c.sample(),
          c.terminal(), c.end().wireName(), c.pathFidelity(), c.terminalCorrect(), c.steps().size(),
          (int) c.steps().stream().filter(st -> st.correct()).count(), c.firstWrongStep(), c.firstWrongNode(),
          c.promptTokens(), c.generatedTokens(),
          j == null ? null : j.taskSuccess(), j == null ? null : j.informationAccuracy(),
          j == null ? null : j.consistency(), j == null ? null : j.gracefulHandling(),
          j == null ? null : j.naturalness(), v == null ? null : v.failure(), entry.getValue().wireName()));
    }
    spark.createDataFrame(rows, CONVERSATION_SCHEMA).coalesce(1).write().parquet(dir.toAbsolutePath().toString());
  }

  private static String baselineReport(Optional<EvaluationMetrics> baseline, EvaluationMetrics reference,
      Map<String, Object> teacher) {
    StringBuilder md = new StringBuilder("\n## Baseline and upper bound (training paths)\n\n");
    md.append("| metric | MLlib baseline | teacher replay |\n|---|---|---|\n");
    for (Map.Entry<String, Estimate> e : reference.summary().estimates().entrySet()) {
      Estimate b = baseline.map(m -> m.summary().estimates().get(e.getKey())).orElse(Estimate.empty());
      md.append("| ").append(e.getKey()).append(" | ").append(cell(b)).append(" | ").append(cell(e.getValue()))
          .append(" |\n");
    }
    md.append("\nTeacher: ").append(teacher.get("teacher")).append("; conformance rate in synthesis: ")
        .append(teacher.get("conformance_rate")).append(".\n");
    return md.toString();
  }

  private static String cell(Estimate e) {
    return e.isDefined() ? String.format("%.3f [%.3f, %.3f] (n=%d)", e.value(), e.low(), e.high(), e.count()) : "–";
  }

  /** The conversations of every partition, and the student's decoding throughput per partition. */
  private record Played(List<ConversationResult> results, double tokensPerSecond) {}

  /**
   * Plays the scenarios across Spark partitions. The model's files are broadcast once; each executor writes them to a
   * local directory once per JVM and loads the artefact from there, and each partition plays its scenarios batched.
   */
  private Played play(Workflow workflow, Path modelDir, int maxNewTokens, LanguageCohort language,
      List<Scenario> scenarios) throws IOException {
    Map<String, byte[]> modelFiles = new LinkedHashMap<>();
    try (var files = Files.list(modelDir)) {
      for (Path file : files.sorted().toList()) {
        modelFiles.put(file.getFileName().toString(), Files.readAllBytes(file));
      }
    }
    JavaSparkContext jsc = JavaSparkContext.fromSparkContext(spark.sparkContext());
    jsc.setJobGroup("subterra-evaluate-" + workflow.id(), "Play the student of " + workflow.id() + " ("
        + language.wireName() + ")", false);
    try {
      Broadcast<Map<String, byte[]>> model = jsc.broadcast(modelFiles);
      Broadcast<String> workflowJson = jsc.broadcast(WorkflowCodec.toJson(workflow));
      List<String> encoded = new ArrayList<>();
      for (Scenario scenario : scenarios) {
        encoded.add(WIRE.writeValueAsString(scenario));
      }
      int samples = k;
      long samplingSeed = seed;
      boolean ground = groundArguments;
      int slices = Math.max(1, Math.min(scenarios.size(), partitions != null ? partitions : jsc.defaultParallelism()));
      String label = "evaluate student " + workflow.id() + " " + language.wireName();
      Wording wording = language.wording();
      List<String> lines = jsc.parallelize(encoded, slices).mapPartitionsWithIndex((index, part) -> {
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
        StudentPolicy.Config decoding = (samples == 1 ? StudentPolicy.Config.greedy(maxNewTokens)
            : StudentPolicy.Config.sampled(maxNewTokens, 1.0, 0.95, samplingSeed)).withGroundArguments(ground);
        StudentPolicy student = new StudentPolicy(ExecutorModels.load(model.value()), decoding, w);
        // Logged where the partition plays: the console in local mode, the executor's log on a cluster.
        ProgressLog progress = ProgressLog.every(label + " (partition " + (index + 1) + " of " + slices + ")");
        ClosedLoopConfig loop = ClosedLoopConfig.defaults().withWording(wording);
        for (ConversationResult result : new ClosedLoopRunner(w, loop).run(student, mine,
            samples, progress)) {
          out.add(WIRE.writeValueAsString(result));
        }
        StudentPolicy.Usage usage = student.usage();
        out.add(USAGE + (usage.promptTokens() + usage.generatedTokens()) + " " + usage.seconds());
        return out.iterator();
      }, false).collect();
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

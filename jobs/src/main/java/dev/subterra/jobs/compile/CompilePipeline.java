package dev.subterra.jobs.compile;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.subterra.jobs.Provenance;
import dev.subterra.jobs.evaluate.EvaluateJob;
import dev.subterra.jobs.io.ContentHash;
import dev.subterra.jobs.io.RunFiles;
import dev.subterra.jobs.paths.PathsJob;
import dev.subterra.jobs.paths.PathsJobResult;
import dev.subterra.jobs.synthesize.SynthesisResult;
import dev.subterra.jobs.synthesize.SynthesizeJob;
import dev.subterra.jobs.synthesize.TeacherSpec;
import dev.subterra.jobs.train.TrainJob;
import dev.subterra.synthesis.ScenarioConfig;
import dev.subterra.training.StudentTrainer;
import dev.subterra.training.artefact.ModelArtefact;
import dev.subterra.training.train.TrainerConfig;
import dev.subterra.workflow.Workflow;
import dev.subterra.workflow.WorkflowCodec;
import dev.subterra.workflow.paths.EnumerationConfig;
import dev.subterra.workflow.paths.PathCatalog;
import dev.subterra.workflow.paths.SplitConfig;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.Consumer;
import java.util.stream.Stream;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.Path;
import org.apache.spark.sql.SparkSession;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Compiles a workflow into a student: runs paths, synthesize, train and evaluate into one run directory, each stage
 * the same job its single command runs. Set it up fluently and call {@link #execute()} once (or {@link #plan()} to see
 * what it would do).
 *
 * <p><b>Incremental.</b> Each stage has a fingerprint: the hash of its name, the code version, its configuration and
 * the content hashes of its inputs (the workflow, and the outputs of the stages before it). A stage whose manifest
 * record is completed with the same fingerprint, and whose outputs still hash as recorded, is skipped. So a changed
 * workflow reruns everything downstream of the paths that changed, a changed evaluation option reruns only evaluate,
 * and changing the number of evaluation scenarios never retrains.
 *
 * <p><b>Resumable.</b> {@code manifest.json} is rewritten atomically when a stage starts, ends or fails; every output
 * is written to a temporary sibling and renamed into place, so a killed run leaves no half-written dataset that a later
 * stage would read. Started again, a run skips its completed stages and reruns the one that was running: synthesis
 * with the teacher cache (a remote teacher's answers that were paid for are read back, not bought again; the template
 * teacher is deterministic), training from its newest checkpoint (bit for bit the weights of an uninterrupted run),
 * evaluation from the start (it is deterministic and pays no teacher).
 *
 * <p><b>Hadoop paths.</b> The run directory may be local, {@code hdfs://} or {@code s3a://}. Training and the
 * evaluation's model need the driver's disk: for a remote run they work in a driver-local {@link #workDir} (by default
 * under {@code java.io.tmpdir}, named after the run) and the finished {@code model/} and {@code eval/} are copied to
 * the run directory and committed atomically. The teacher cache lives there too, so on a cluster whose executors do
 * not share the driver's disk give a shared mount as the work directory.
 */
public final class CompilePipeline {
  public static final String PATHS = "paths";
  public static final String SYNTHESIZE = "synthesize";
  public static final String TRAIN = "train";
  public static final String EVALUATE = "evaluate";
  /** The stages in order. */
  public static final List<String> STAGES = List.of(PATHS, SYNTHESIZE, TRAIN, EVALUATE);
  /** The price tables' names the evaluation uses. */
  static final String HARDWARE = "aws-c7i.xlarge";
  static final String FRONTIER = "gpt-4.1";

  private static final Logger LOG = LoggerFactory.getLogger(CompilePipeline.class);
  private static final ObjectMapper CANONICAL = new ObjectMapper()
      .enable(SerializationFeature.ORDER_MAP_ENTRIES_BY_KEYS);

  private final SparkSession spark;
  private final Configuration hadoop;
  private Workflow workflow;
  private String runDir;
  private CompileOptions options;
  private java.nio.file.Path workDir;
  private Consumer<String> stageListener = line -> { };

  private CompilePipeline(SparkSession spark, Configuration hadoop) {
    this.spark = spark;
    this.hadoop = hadoop;
  }

  public static CompilePipeline on(SparkSession spark) {
    return new CompilePipeline(spark, spark.sparkContext().hadoopConfiguration());
  }

  /** A pipeline that can only {@link #plan()}: a dry run needs no Spark session, and starts none. */
  public static CompilePipeline planner(Configuration hadoop) {
    return new CompilePipeline(null, hadoop);
  }

  public CompilePipeline workflow(Workflow value) {
    this.workflow = value;
    return this;
  }

  /** The run directory: a local path or a Hadoop URI. */
  public CompilePipeline output(String value) {
    this.runDir = value;
    return this;
  }

  public CompilePipeline options(CompileOptions value) {
    this.options = value;
    return this;
  }

  /** The driver-local directory for a remote run's checkpoints, teacher cache and model copy. */
  public CompilePipeline workDir(java.nio.file.Path value) {
    this.workDir = value;
    return this;
  }

  /** Receives one line per finished or skipped stage, for the console. */
  public CompilePipeline onStage(Consumer<String> value) {
    this.stageListener = value;
    return this;
  }

  /** One stage: its configuration, how to hash its inputs, its outputs, and how to run it. */
  private record Stage(String name, Map<String, Object> configuration, List<String> inputs, List<String> outputs) {}

  /** What a stage's run reports to the manifest, and its typed result. */
  private record Outcome(Map<String, Long> rows, double spendUsd, Object result, String line) {}

  private List<Stage> stages() {
    long seed = options.seed();
    EnumerationConfig enumeration = EnumerationConfig.withSeed(seed);
    Map<String, Object> paths = new LinkedHashMap<>();
    paths.put("max_loops", enumeration.maxLoops());
    paths.put("max_paths", enumeration.maxPaths());
    paths.put("seed", seed);
    paths.put("split", SplitConfig.DEFAULT.toString());
    TeacherSpec teacher = options.teacher();
    Map<String, Object> synthesize = new LinkedHashMap<>();
    synthesize.put("per_path", options.perPath());
    synthesize.put("seed", seed);
    synthesize.put("teacher", teacher.kind());
    synthesize.put("teacher_url", redact(teacher.url()));
    synthesize.put("teacher_model", teacher.model());
    synthesize.put("budget_usd", teacher.budgetUsd() == null ? null : teacher.budgetUsd().toPlainString());
    synthesize.put("dedup_distance", SynthesizeJob.DEFAULT_DEDUP_DISTANCE);
    // 2: call arguments stored as an ordered list (before: a map, whose order Spark loses); 3: the template teacher's
    // users word turns their own way (phrasings, written forms, openings) from the training share only. Old runs
    // resynthesise.
    synthesize.put("dialogue_format", 3);
    StudentTrainer.Config student = student();
    Map<String, Object> train = new LinkedHashMap<>();
    train.put("preset", student.preset());
    train.put("vocabulary", student.vocabularySize());
    train.put("trainer", student.trainer().toString());
    // 2: the previous-token embedding, and windows cut at turn boundaries with brief history; 3: values written with
    // the space before them in calls, turns and tool results (name(arg: value)), so that a value copies token by token;
    // 4: the span pointer (pointer.json) beside the weights. Old runs retrain.
    train.put("student_format", 4);
    if (options.distributedWorkers() > 0) {
      // Only when asked for, so that the manifests of ordinary runs keep their fingerprints. The worker count is in
      // the model's provenance; changing it alone does not retrain.
      train.put("distributed", true);
    }
    Map<String, Object> evaluate = new LinkedHashMap<>();
    evaluate.put("per_path", 1);
    evaluate.put("scenarios", options.evalScenarios());
    evaluate.put("k", 1);
    evaluate.put("seed", seed);
    evaluate.put("hardware", HARDWARE);
    evaluate.put("frontier", FRONTIER);
    evaluate.put("ground_arguments", true);
    // Played in language cohorts (in distribution, held-out language, unseen values), the headline held-out language.
    evaluate.put("evaluation_format", 2);
    return List.of(
        new Stage(PATHS, paths, List.of(), List.of("workflow.json", "paths", "paths.json")),
        new Stage(SYNTHESIZE, synthesize, List.of("paths"),
            List.of("scenarios", "dialogues", "rejected", "train.jsonl", "synthesis.json")),
        new Stage(TRAIN, train, List.of("dialogues"), List.of("model")),
        new Stage(EVALUATE, evaluate, List.of("paths", "model"), List.of("eval")));
  }

  private StudentTrainer.Config student() {
    long seed = options.seed();
    TrainerConfig trainer = options.epochs() == null ? TrainerConfig.defaults(seed)
        : TrainerConfig.defaults(seed).withEpochs(options.epochs());
    return new StudentTrainer.Config(options.preset(), StudentTrainer.Config.of(options.preset(), seed)
        .vocabularySize(), trainer);
  }

  /** What {@link #execute()} would do now, without running or writing anything. */
  public CompilePlan plan() throws Exception {
    check();
    RunFiles files = new RunFiles(hadoop);
    Path run = new Path(runDir);
    RunManifest manifest = RunManifest.read(files, run);
    List<CompilePlan.Step> steps = new ArrayList<>();
    String upstream = null;
    boolean synthesizes = false;
    for (Stage stage : stages()) {
      StageRecord prior = manifest == null ? null : manifest.stage(stage.name());
      String reason;
      boolean runs;
      if (upstream != null) {
        runs = true;
        reason = "its inputs change: " + upstream + " runs";
      } else {
        Map<String, String> inputs = inputHashes(files, run, stage);
        String fingerprint = fingerprint(stage, inputs);
        runs = !canSkip(files, run, stage, prior, fingerprint);
        reason = runs ? why(prior, fingerprint) + changes(prior, stage, inputs)
            : "unchanged since " + prior.finishedAt();
      }
      if (runs && upstream == null) {
        upstream = stage.name();
      }
      synthesizes |= runs && stage.name().equals(SYNTHESIZE);
      List<String> outputs = stage.outputs().stream().map(o -> new Path(run, o).toString()).toList();
      steps.add(new CompilePlan.Step(stage.name(), runs, reason, outputs));
    }
    // The paths as the paths stage enumerates them, once for both estimates.
    PathCatalog catalog = PathCatalog.build(workflow, EnumerationConfig.withSeed(options.seed()),
        SplitConfig.DEFAULT);
    TeacherEstimate teacher = synthesizes ? TeacherEstimate.of(workflow, options, catalog) : null;
    WorkloadEstimate workload = WorkloadEstimate.of(workflow, options, catalog);
    String work = files.isLocal(run) ? null : TrainJob.localWork(files, runDir, workDir).toString();
    return new CompilePlan(runDir, work, steps, teacher, options.teacher().budgetUsd(), options, workload);
  }

  /** Which configuration keys and inputs differ from the recorded ones, for the plan: " (seed, dialogues)". */
  private static String changes(StageRecord prior, Stage stage, Map<String, String> inputs) {
    if (prior == null) {
      return "";
    }
    List<String> changed = new ArrayList<>();
    stage.configuration().forEach((key, value) -> {
      if (!Objects.equals(String.valueOf(value), String.valueOf(prior.configuration().get(key)))) {
        changed.add(key);
      }
    });
    inputs.forEach((key, value) -> {
      if (!Objects.equals(value, prior.inputs().get(key))) {
        changed.add(key);
      }
    });
    return changed.isEmpty() ? "" : " (" + String.join(", ", changed) + ")";
  }

  private static String why(StageRecord prior, String fingerprint) {
    if (prior == null) {
      return "not run yet";
    }
    if (!fingerprint.equals(prior.fingerprint())) {
      return "its configuration or inputs changed";
    }
    if (StageRecord.RUNNING.equals(prior.status())) {
      return prior.name().equals(TRAIN) ? "interrupted: resumes from its newest checkpoint"
          : "interrupted: runs again" + (prior.name().equals(SYNTHESIZE) ? " (paid teacher answers are cached)" : "");
    }
    if (StageRecord.FAILED.equals(prior.status())) {
      return "failed last time (" + prior.error() + ")";
    }
    return "its outputs changed since it completed";
  }

  public CompileResult execute() throws Exception {
    check();
    Objects.requireNonNull(spark, "spark: a planner cannot execute");
    long started = System.nanoTime();
    RunFiles files = new RunFiles(hadoop);
    Path run = new Path(runDir);
    java.nio.file.Path work = TrainJob.localWork(files, runDir, workDir);
    String now = Instant.now().toString();
    RunManifest prior = RunManifest.read(files, run);
    RunManifest manifest = new RunManifest(RunManifest.FORMAT, workflow.id(), WorkflowCodec.contentHash(workflow),
        runDir, StageRecord.RUNNING, now, now, optionsMap(), versions(),
        prior == null ? Map.of() : prior.stages());
    manifest.write(files, run);

    Map<String, Object> results = new LinkedHashMap<>();
    List<StageRecord> records = new ArrayList<>();
    List<Stage> stages = stages();
    for (int i = 0; i < stages.size(); i++) {
      Stage stage = stages.get(i);
      String label = String.format("[%d/%d] %s", i + 1, stages.size(), stage.name());
      Map<String, String> inputs = inputHashes(files, run, stage);
      String fingerprint = fingerprint(stage, inputs);
      StageRecord before = manifest.stage(stage.name());
      if (canSkip(files, run, stage, before, fingerprint)) {
        StageRecord skipped = before.skipped();
        manifest = manifest.with(StageRecord.RUNNING, Instant.now().toString(), skipped);
        manifest.write(files, run);
        records.add(skipped);
        LOG.info("Stage {} of {}: skipped, inputs and configuration unchanged", stage.name(), workflow.id());
        stageListener.accept(label + ": skipped (inputs and configuration unchanged since " + before.finishedAt()
            + ")");
        continue;
      }
      boolean sameAttempt = before != null && fingerprint.equals(before.fingerprint()) && !before.completed();
      if (stage.name().equals(TRAIN) && !sameAttempt) {
        // Checkpoints of other data or another configuration cannot be resumed: start this training afresh.
        deleteLocal(work.resolve("train"));
      }
      String stageStarted = Instant.now().toString();
      long stageNanos = System.nanoTime();
      int attempts = sameAttempt && before.attempts() != null ? before.attempts() + 1 : 1;
      StageRecord running = new StageRecord(stage.name(), StageRecord.RUNNING, StageRecord.RAN, fingerprint,
          stage.configuration(), inputs, Map.of(), Map.of(), stageStarted, null, null, null, attempts, versions(),
          null);
      manifest = manifest.with(StageRecord.RUNNING, stageStarted, running);
      manifest.write(files, run);
      LOG.info("Stage {} of {}: running ({})", stage.name(), workflow.id(), why(before, fingerprint));
      Outcome outcome;
      try {
        outcome = runStage(stage.name(), files, run, work);
      } catch (Exception | Error e) {
        String message = e.getMessage() == null ? e.getClass().getSimpleName()
            : e.getMessage().lines().findFirst().orElse("");
        StageRecord failed = new StageRecord(stage.name(), StageRecord.FAILED, StageRecord.RAN, fingerprint,
            stage.configuration(), inputs, Map.of(), Map.of(), stageStarted, Instant.now().toString(),
            (System.nanoTime() - stageNanos) / 1e9, null, attempts, versions(), message);
        manifest = manifest.with(StageRecord.FAILED, Instant.now().toString(), failed);
        manifest.write(files, run);
        throw e;
      }
      Map<String, String> outputs = new LinkedHashMap<>();
      ContentHash hashes = new ContentHash(hadoop);
      for (String output : stage.outputs()) {
        outputs.put(output, hashes.of(new Path(run, output)));
      }
      String finished = Instant.now().toString();
      StageRecord completed = new StageRecord(stage.name(), StageRecord.COMPLETED, StageRecord.RAN, fingerprint,
          stage.configuration(), inputs, outputs, outcome.rows(), stageStarted, finished,
          (System.nanoTime() - stageNanos) / 1e9, outcome.spendUsd(), attempts, versions(), null);
      manifest = manifest.with(StageRecord.RUNNING, finished, completed);
      manifest.write(files, run);
      records.add(completed);
      results.put(stage.name(), outcome.result());
      stageListener.accept(label + ": " + outcome.line());
    }
    manifest = manifest.with(StageRecord.COMPLETED, Instant.now().toString(), null);
    manifest.write(files, run);
    CompileSummary summary = CompileSummary.read(files, runDir, manifest);
    return new CompileResult(runDir, (PathsJobResult) results.get(PATHS),
        (SynthesisResult) results.get(SYNTHESIZE), (ModelArtefact) results.get(TRAIN),
        (EvaluateJob.Result) results.get(EVALUATE), (System.nanoTime() - started) / 1e9, records, summary);
  }

  private Outcome runStage(String name, RunFiles files, Path run, java.nio.file.Path work) throws Exception {
    long seed = options.seed();
    switch (name) {
      case PATHS -> {
        PathsJobResult paths = PathsJob.on(spark).workflow(workflow).enumeration(EnumerationConfig.withSeed(seed))
            .output(runDir).execute();
        return new Outcome(Map.of("paths", paths.paths()), 0.0, paths,
            String.format("%,d paths (%s)", paths.paths(), paths.splits()));
      }
      case SYNTHESIZE -> {
        TeacherSpec t = options.teacher();
        String cache = files.isLocal(run) ? files.local(run).resolve("teacher-cache").toString()
            : work.resolve("teacher-cache").toString();
        TeacherSpec teacher = new TeacherSpec(t.kind(), t.url(), t.model(), t.budgetUsd(), 1, cache, seed);
        SynthesisResult d = SynthesizeJob.on(spark).workflow(workflow).paths(runDir)
            .scenarios(ScenarioConfig.perPath(options.perPath(), seed)).teacher(teacher).output(runDir).execute();
        Map<String, Long> rows = new LinkedHashMap<>();
        rows.put("draws", d.draws());
        rows.put("accepted", d.accepted());
        rows.put("rejected", d.rejected());
        rows.put("train_dialogues", d.trainDialogues());
        rows.put("teacher_calls", d.calls());
        rows.put("cache_hits", d.cacheHits());
        return new Outcome(rows, d.costUsd(), d, String.format("%,d dialogues accepted of %,d drawn (%,d teacher"
            + " calls, %,d cache hits, $%.4f)", d.accepted(), d.draws(), d.calls(), d.cacheHits(), d.costUsd()));
      }
      case TRAIN -> {
        ModelArtefact model = TrainJob.on(spark).run(runDir).config(student()).workDir(work)
            .distributed(options.distributedWorkers()).execute();
        var p = model.provenance();
        Map<String, Long> rows = new LinkedHashMap<>();
        rows.put("parameters", model.model().parameterCount());
        rows.put("epochs", (long) p.epochs());
        rows.put("steps", p.steps());
        return new Outcome(rows, 0.0, model, String.format("%,d parameters, %d epochs in %.0f s, next-tag accuracy"
            + " %s", model.model().parameterCount(), p.epochs(), p.trainingSeconds(), p.bestNextTagAccuracy()));
      }
      case EVALUATE -> {
        EvaluateJob.Result eval = evaluate(files, run, work);
        var summary = eval.metrics().summary();
        return new Outcome(Map.of("scenarios", (long) eval.scenarios()), 0.0, eval, String.format("%d fresh"
                + " scenarios: node accuracy %.3f, path fidelity %.3f, held-out path fidelity %.3f; cost per"
                + " conversation $%.8f vs in-context $%.6f (%.0f×)", eval.scenarios(),
            summary.nodeAccuracy().value(), summary.pathFidelity().value(), summary.heldoutPathFidelity().value(),
            eval.cost().studentUsdPerConversation().doubleValue(),
            eval.cost().inContextUsdPerConversation().doubleValue(), eval.cost().ratioInContext()));
      }
      default -> throw new IllegalStateException("Invalid stage: " + name);
    }
  }

  /**
   * Evaluates in the run directory when it is local; for a remote one, on a driver-local copy of the workflow and the
   * model (the paths are read where they are), and commits {@code eval/} to the run directory.
   */
  private EvaluateJob.Result evaluate(RunFiles files, Path run, java.nio.file.Path work) throws Exception {
    if (files.isLocal(run)) {
      return EvaluateJob.on(spark).run(runDir).scenarios(1, options.evalScenarios()).seed(options.seed())
          .prices(HARDWARE, FRONTIER).execute();
    }
    java.nio.file.Path local = work.resolve("evaluate");
    deleteLocal(local);
    files.fetch(new Path(run, "workflow.json"), local.resolve("workflow.json"));
    files.fetch(new Path(run, "model"), local.resolve("model"));
    EvaluateJob.Result result = EvaluateJob.on(spark).run(local.toString()).paths(runDir)
        .scenarios(1, options.evalScenarios()).seed(options.seed()).prices(HARDWARE, FRONTIER).execute();
    files.publish(local.resolve("eval"), new Path(run, "eval"));
    return result;
  }

  private boolean canSkip(RunFiles files, Path run, Stage stage, StageRecord prior, String fingerprint)
      throws IOException {
    if (prior == null || !prior.completed() || !fingerprint.equals(prior.fingerprint())) {
      return false;
    }
    ContentHash hashes = new ContentHash(hadoop);
    for (String output : stage.outputs()) {
      String recorded = prior.outputs().get(output);
      if (recorded == null || !recorded.equals(hashes.of(new Path(run, output)))) {
        return false;
      }
    }
    return true;
  }

  private Map<String, String> inputHashes(RunFiles files, Path run, Stage stage) throws IOException {
    Map<String, String> inputs = new LinkedHashMap<>();
    inputs.put("workflow", WorkflowCodec.contentHash(workflow));
    ContentHash hashes = new ContentHash(hadoop);
    for (String input : stage.inputs()) {
      inputs.put(input, hashes.of(new Path(run, input)));
    }
    return inputs;
  }

  private String fingerprint(Stage stage, Map<String, String> inputs) throws IOException {
    Map<String, Object> identity = new LinkedHashMap<>();
    identity.put("stage", stage.name());
    identity.put("subterra_version", Provenance.subterraVersion());
    identity.put("configuration", stage.configuration());
    identity.put("inputs", inputs);
    return ContentHash.ofText(CANONICAL.writeValueAsString(identity));
  }

  private Map<String, Object> optionsMap() {
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("preset", options.preset());
    out.put("per_path", options.perPath());
    out.put("epochs", options.epochs());
    out.put("eval_scenarios", options.evalScenarios());
    out.put("teacher", options.teacher().kind());
    out.put("teacher_url", redact(options.teacher().url()));
    out.put("teacher_model", options.teacher().model());
    out.put("budget_usd", options.teacher().budgetUsd() == null ? null
        : options.teacher().budgetUsd().toPlainString());
    out.put("seed", options.seed());
    return out;
  }

  private Map<String, Object> versions() {
    Map<String, Object> v = Provenance.current(spark == null ? "none" : spark.version());
    v.remove("created_at");
    v.put("dl4j_version", dev.subterra.training.artefact.ModelProvenance.currentDl4jVersion());
    return v;
  }

  /** A URL without user information or query, which may hold credentials. */
  static String redact(String url) {
    if (url == null) {
      return null;
    }
    try {
      URI uri = URI.create(url);
      return new URI(uri.getScheme(), null, uri.getHost(), uri.getPort(), uri.getPath(), null, null).toString();
    } catch (IllegalArgumentException | java.net.URISyntaxException e) {
      return "(unparseable URL)";
    }
  }

  private static void deleteLocal(java.nio.file.Path dir) throws IOException {
    if (!Files.exists(dir)) {
      return;
    }
    try (Stream<java.nio.file.Path> walk = Files.walk(dir)) {
      for (java.nio.file.Path p : walk.sorted(java.util.Comparator.reverseOrder()).toList()) {
        Files.delete(p);
      }
    }
  }

  private void check() {
    Objects.requireNonNull(workflow, "workflow");
    Objects.requireNonNull(runDir, "output");
    Objects.requireNonNull(options, "options");
  }
}

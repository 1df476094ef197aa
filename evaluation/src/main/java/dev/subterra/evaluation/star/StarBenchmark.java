package dev.subterra.evaluation.star;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.subterra.synthesis.ConformanceChecker;
import dev.subterra.synthesis.Dialogue;
import dev.subterra.synthesis.Scenario;
import dev.subterra.synthesis.ScenarioConfig;
import dev.subterra.synthesis.ScenarioPlanner;
import dev.subterra.synthesis.TeacherException;
import dev.subterra.synthesis.template.TemplateTeacher;
import dev.subterra.training.StudentTrainer;
import dev.subterra.training.artefact.ModelArtefact;
import dev.subterra.training.artefact.ModelProvenance;
import dev.subterra.training.train.TrainerConfig;
import dev.subterra.workflow.InvalidWorkflowException;
import dev.subterra.workflow.Node;
import dev.subterra.workflow.NodeKind;
import dev.subterra.workflow.Workflow;
import dev.subterra.workflow.WorkflowCodec;
import dev.subterra.workflow.imports.StarImporter;
import dev.subterra.workflow.paths.EnumerationConfig;
import dev.subterra.workflow.paths.PathCatalog;
import dev.subterra.workflow.paths.SplitConfig;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Predicate;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The STAR real-dialogue benchmark: for each task, a student compiled from the task's schema alone predicts the
 * wizard's next action at every labelled wizard turn of the task's real human dialogues, next to a majority and a
 * schema-following baseline scored by the same code.
 *
 * <p>Per task: the schema is imported ({@link StarImporter}); its paths are enumerated,
 * {@link StarOptions#scenariosPerPath} scenarios are drawn per path and written by the {@link TemplateTeacher} (dialogues that do not conform to the
 * workflow are dropped and counted); a student is trained on them ({@link StudentTrainer}); then every single-task
 * dialogue's labelled wizard turns ({@link WizardTurns}) are predicted by the student ({@link StudentPredictor}),
 * the task's majority label ({@link MajorityBaseline}, over all its single-task turns) and the schema graph from the
 * previous action ({@link SchemaFollowingBaseline}, falling back to the majority label), and scored
 * ({@link LabelScores}) on the happy dialogues and on all of them. Scores pooled over every task's turns follow.
 *
 * <p>Nothing of the real dialogues reaches training: the student sees only the schema (and the API definitions the
 * importer reads for slot values). Output, under the output directory: {@code <task>/model/} (the artefact),
 * {@code <task>/predictions.jsonl} (one line per scored turn), {@code <task>/result.json}, {@code summary.json} (every
 * task, pooled, provenance) and {@code report.md}. Each file is written whole or not at all.
 *
 * <p>Published anchors (zero-shot task transfer, trained on other tasks' real dialogues; Mehri &amp; Eskenazi 2021):
 * BERT+Schema 31.8% accuracy, SAM 58.0%.
 */
public final class StarBenchmark {
  private static final Logger LOG = LoggerFactory.getLogger(StarBenchmark.class);
  private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
  /** The subsets every task is scored on. */
  public static final String HAPPY = "happy";
  public static final String ALL = "all";
  public static final String STUDENT = "student";
  public static final String MAJORITY = "majority";
  public static final String SCHEMA = "schema";
  private static final List<String> PREDICTOR_COLUMNS = List.of(STUDENT, MAJORITY, SCHEMA);
  /** A twentieth of the paths for validation, none held out: every path of the schema is the procedure to learn. */
  private static final SplitConfig SPLIT = new SplitConfig(0.05, 0.0, 0.0);

  private Path schemas;
  private Path dialogues;
  private Path output;
  private List<String> tasks = List.of();
  private StarOptions options;

  private StarBenchmark() {}

  /** A new benchmark run, to set up fluently. */
  public static StarBenchmark create() {
    return new StarBenchmark();
  }

  /** The directory of STAR schemas ({@code <task>.json}), with the API definitions in {@code ../apis}. */
  public StarBenchmark schemas(Path value) {
    this.schemas = value;
    return this;
  }

  /** The directory of STAR dialogues. */
  public StarBenchmark dialogues(Path value) {
    this.dialogues = value;
    return this;
  }

  /** Where to write the results. */
  public StarBenchmark output(Path value) {
    this.output = value;
    return this;
  }

  /** The tasks to run; empty (the default) for every task the dialogues have single-task dialogues of. */
  public StarBenchmark tasks(List<String> value) {
    this.tasks = List.copyOf(value);
    return this;
  }

  public StarBenchmark options(StarOptions value) {
    this.options = value;
    return this;
  }

  /** Runs the benchmark. Bad input (a missing schema, a task without dialogues) fails before any training. */
  public StarBenchmarkResult execute() throws IOException, InvalidWorkflowException, TeacherException {
    Objects.requireNonNull(schemas, "schemas");
    Objects.requireNonNull(dialogues, "dialogues");
    Objects.requireNonNull(output, "output");
    Objects.requireNonNull(options, "options");
    long started = System.nanoTime();
    if (!Files.isDirectory(schemas)) {
      throw new IllegalArgumentException("Cannot read STAR schemas: " + schemas + " is not a directory");
    }
    StarCorpus corpus = StarCorpus.read(dialogues);
    Map<String, List<StarDialogue>> byTask = corpus.dialogues().stream().filter(StarDialogue::singleTask)
        .collect(Collectors.groupingBy(StarDialogue::task, LinkedHashMap::new, Collectors.toList()));
    List<String> chosen = tasks.isEmpty() ? byTask.keySet().stream().sorted()
        .filter(t -> Files.isRegularFile(schemaFile(t))).toList() : tasks;
    if (chosen.isEmpty()) {
      throw new IllegalArgumentException("Cannot run the STAR benchmark: no single-task dialogue in " + dialogues
          + " has a schema in " + schemas);
    }
    // Check every task before the first one trains.
    Map<String, Workflow> workflows = new LinkedHashMap<>();
    Map<String, byte[]> schemaBytes = new LinkedHashMap<>();
    for (String task : chosen) {
      Path file = schemaFile(task);
      if (!task.matches("[A-Za-z0-9_]+") || !Files.isRegularFile(file)) {
        throw new IllegalArgumentException("Invalid task: " + task + " (no schema " + file + ")");
      }
      if (!byTask.containsKey(task)) {
        throw new IllegalArgumentException("Invalid task: " + task + " (no single-task dialogue of it in "
            + dialogues + ")");
      }
      schemaBytes.put(task, Files.readAllBytes(file));
      workflows.put(task, StarImporter.importFile(file).workflow());
    }
    Files.createDirectories(output);
    LOG.info("STAR benchmark: {} tasks, {} dialogues read from {}, options {}", chosen.size(),
        corpus.dialogues().size(), dialogues, options.toMap());

    List<TaskRun> runs = new ArrayList<>();
    StarBenchmarkResult result = null;
    for (String task : chosen) {
      runs.add(runTask(task, schemaBytes.get(task), workflows.get(task), byTask.get(task)));
      // The summary and report are rewritten after every task, so that a long run stopped early keeps what it did.
      result = new StarBenchmarkResult(output, runs.stream().map(TaskRun::result).toList(), pooled(runs),
          (System.nanoTime() - started) / 1e9);
      writeAtomically(output.resolve("summary.json"),
          JSON.writeValueAsString(summary(result, corpus, runs.size() == chosen.size())));
      writeAtomically(output.resolve("report.md"), report(result));
    }
    Map<String, LabelScores> all = result.pooled().get(ALL).predictors();
    LOG.info("STAR benchmark done in {} s: pooled all-dialogue accuracy student {} schema {} majority {}",
        String.format("%.0f", result.seconds()), all.containsKey(STUDENT) ? pct(all.get(STUDENT).accuracy()) : "-",
        pct(all.get(SCHEMA).accuracy()), pct(all.get(MAJORITY).accuracy()));
    return result;
  }

  /** The scores over the turns of every task run so far. */
  private Map<String, StarTaskResult.SubsetScores> pooled(List<TaskRun> runs) {
    Map<String, StarTaskResult.SubsetScores> pooled = new LinkedHashMap<>();
    for (String subset : List.of(HAPPY, ALL)) {
      Predicate<WizardTurn> in = subsetFilter(subset);
      List<String> gold = new ArrayList<>();
      Map<String, List<String>> predicted = new LinkedHashMap<>();
      int dialogueCount = 0;
      for (TaskRun run : runs) {
        for (int i = 0; i < run.turns.size(); i++) {
          if (in.test(run.turns.get(i))) {
            gold.add(run.turns.get(i).label());
            for (String p : predictorNames()) {
              predicted.computeIfAbsent(p, x -> new ArrayList<>()).add(run.predictions.get(p).get(i));
            }
          }
        }
        dialogueCount += run.result.scores().get(subset).dialogues();
      }
      Map<String, LabelScores> scores = new LinkedHashMap<>();
      for (String p : predictorNames()) {
        scores.put(p, LabelScores.of(gold, predicted.getOrDefault(p, List.of())));
      }
      pooled.put(subset, new StarTaskResult.SubsetScores(dialogueCount, scores));
    }
    return pooled;
  }

  /** The predictors this run scores: the student unless the options leave it out, and the two baselines. */
  private List<String> predictorNames() {
    return options.trainStudent() ? List.of(STUDENT, MAJORITY, SCHEMA) : List.of(MAJORITY, SCHEMA);
  }

  private Path schemaFile(String task) {
    return schemas.resolve(task + ".json");
  }

  private static Predicate<WizardTurn> subsetFilter(String subset) {
    return subset.equals(HAPPY) ? WizardTurn::happy : t -> true;
  }

  /** One task's turns, every predictor's labels for them, and its result. */
  private record TaskRun(List<WizardTurn> turns, Map<String, List<String>> predictions, StarTaskResult result) {}

  private TaskRun runTask(String task, byte[] schema, Workflow workflow, List<StarDialogue> taskDialogues)
      throws IOException, TeacherException {
    Path taskDir = output.resolve(task);
    Files.createDirectories(taskDir);
    long seed = options.seed();
    long paths = 0;
    int syntheticCount = 0;
    double trainingSeconds = 0;
    ModelArtefact artefact = null;
    if (options.trainStudent()) {
      PathCatalog catalog = PathCatalog.build(workflow, EnumerationConfig.withSeed(seed), SPLIT);
      ScenarioConfig draw = ScenarioConfig.perPath(options.scenariosPerPath(catalog.paths().size()), seed);
      List<Scenario> scenarios = new ScenarioPlanner(workflow, draw).plan(catalog.paths()).scenarios();
      TemplateTeacher teacher = new TemplateTeacher();
      ConformanceChecker checker = new ConformanceChecker();
      List<Dialogue> synthetic = new ArrayList<>();
      int rejected = 0;
      for (Scenario scenario : scenarios) {
        Dialogue dialogue = teacher.write(workflow, scenario);
        if (checker.check(workflow, scenario, dialogue).conforms()) {
          synthetic.add(dialogue);
        } else {
          rejected++;
        }
      }
      LOG.info("{}: {} paths, {} template dialogues ({} not conforming, dropped)", task, catalog.paths().size(),
          synthetic.size(), rejected);

      // A tenth of the run to warm up: the trainer's default of 100 steps is longer than a whole small STAR run.
      long steps = (long) options.epochs() * Math.max(1, synthetic.size() / options.batchSize());
      TrainerConfig trainer = TrainerConfig.defaults(seed).withEpochs(options.epochs())
          .withBatchSize(options.batchSize()).withWarmupSteps((int) Math.max(1, Math.min(100, steps / 10)));
      Path workDir = taskDir.resolve("work");
      artefact = new StudentTrainer(new StudentTrainer.Config(options.preset(), options.vocabularySize(),
          trainer), progress -> LOG.debug("{}: {}", task, progress))
          .train(workflow, synthetic, workDir, taskDir.resolve("model"));
      deleteTree(workDir);
      LOG.info("{}: student trained, {} parameters, {} epochs in {} s", task, artefact.model().parameterCount(),
          artefact.provenance().epochs(), String.format("%.0f", artefact.provenance().trainingSeconds()));
      paths = catalog.paths().size();
      syntheticCount = synthetic.size();
      trainingSeconds = artefact.provenance().trainingSeconds();
    }

    WizardTurns labeller = new WizardTurns(KnowledgeBaseResults.of(schema, workflow));
    List<WizardTurn> turns = new ArrayList<>();
    for (StarDialogue d : taskDialogues) {
      turns.addAll(labeller.of(d));
    }
    MajorityBaseline majority = MajorityBaseline.of(turns.stream().map(WizardTurn::label).toList());
    List<NextActionPredictor> predictors = new ArrayList<>();
    if (artefact != null) {
      predictors.add(new StudentPredictor(artefact, workflow, options.batchSize()));
    }
    predictors.add(majority);
    predictors.add(new SchemaFollowingBaseline(workflow, majority.label()));
    Map<String, List<String>> predictions = new LinkedHashMap<>();
    for (NextActionPredictor predictor : predictors) {
      predictions.put(predictor.name(), predictor.predict(turns));
    }
    Set<String> actions = workflow.nodes().stream()
        .filter(n -> n.kind() == NodeKind.AGENT || n.kind() == NodeKind.TOOL).map(Node::id)
        .collect(Collectors.toCollection(TreeSet::new));
    int outOfSchema = (int) turns.stream().filter(t -> !actions.contains(t.label())).count();

    Map<String, StarTaskResult.SubsetScores> scores = new LinkedHashMap<>();
    for (String subset : List.of(HAPPY, ALL)) {
      Predicate<WizardTurn> in = subsetFilter(subset);
      List<String> gold = new ArrayList<>();
      Map<String, List<String>> predicted = new LinkedHashMap<>();
      for (int i = 0; i < turns.size(); i++) {
        if (in.test(turns.get(i))) {
          gold.add(turns.get(i).label());
          for (String p : predictorNames()) {
            predicted.computeIfAbsent(p, x -> new ArrayList<>()).add(predictions.get(p).get(i));
          }
        }
      }
      Map<String, LabelScores> byPredictor = new LinkedHashMap<>();
      for (String p : predictorNames()) {
        byPredictor.put(p, LabelScores.of(gold, predicted.getOrDefault(p, List.of())));
      }
      int dialogueCount = (int) taskDialogues.stream()
          .filter(d -> subset.equals(ALL) || d.happy()).count();
      scores.put(subset, new StarTaskResult.SubsetScores(dialogueCount, byPredictor));
    }
    StarTaskResult result = new StarTaskResult(task, WorkflowCodec.sha256Hex(schema),
        WorkflowCodec.contentHash(workflow), paths, syntheticCount, trainingSeconds, majority.label(), outOfSchema,
        scores);

    StringBuilder lines = new StringBuilder();
    for (int i = 0; i < turns.size(); i++) {
      WizardTurn t = turns.get(i);
      Map<String, Object> line = new LinkedHashMap<>();
      line.put("dialogue_id", t.dialogueId());
      line.put("event", t.event());
      line.put("happy", t.happy());
      line.put("label", t.label());
      for (String p : predictorNames()) {
        line.put(p, predictions.get(p).get(i));
      }
      lines.append(new ObjectMapper().writeValueAsString(line)).append('\n');
    }
    writeAtomically(taskDir.resolve("predictions.jsonl"), lines.toString());
    writeAtomically(taskDir.resolve("result.json"), JSON.writeValueAsString(result.toMap()));
    StarTaskResult.SubsetScores all = scores.get(ALL);
    LabelScores student = all.predictors().get(STUDENT);
    LOG.info("{}: {} turns of {} dialogues; accuracy student {} schema {} majority {}", task,
        all.predictors().get(MAJORITY).turns(), all.dialogues(), student == null ? "-" : pct(student.accuracy()),
        pct(all.predictors().get(SCHEMA).accuracy()), pct(all.predictors().get(MAJORITY).accuracy()));
    return new TaskRun(turns, predictions, result);
  }

  private Map<String, Object> summary(StarBenchmarkResult result, StarCorpus corpus, boolean complete) {
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("complete", complete);
    List<Map<String, Object>> tasks = new ArrayList<>();
    result.tasks().forEach(t -> tasks.add(t.toMap()));
    out.put("tasks", tasks);
    Map<String, Object> pooled = new LinkedHashMap<>();
    result.pooled().forEach((subset, s) -> pooled.put(subset, s.toMap()));
    out.put("pooled", pooled);
    out.put("anchors", Map.of("bert_schema_accuracy", 0.318, "sam_accuracy", 0.580,
        "source", "Mehri & Eskenazi 2021, arXiv 2106.07056, zero-shot task transfer"));
    Map<String, Object> provenance = new LinkedHashMap<>();
    provenance.put("schemas", schemas.toString());
    Map<String, String> schemaHashes = new LinkedHashMap<>();
    result.tasks().forEach(t -> schemaHashes.put(t.task(), t.schemaSha256()));
    provenance.put("schema_sha256", schemaHashes);
    provenance.put("dialogues", dialogues.toString());
    provenance.put("dialogues_sha256", corpus.sha256());
    provenance.put("config", options.toMap());
    provenance.put("seed", options.seed());
    provenance.put("subterra_version", ModelProvenance.currentSubterraVersion());
    provenance.put("dl4j_version", ModelProvenance.currentDl4jVersion());
    provenance.put("java_version", System.getProperty("java.version"));
    provenance.put("os", System.getProperty("os.name") + " " + System.getProperty("os.version") + " "
        + System.getProperty("os.arch"));
    provenance.put("processors", Runtime.getRuntime().availableProcessors());
    provenance.put("seconds", result.seconds());
    provenance.put("created_at", Instant.now().toString());
    out.put("provenance", provenance);
    return out;
  }

  /** The report: one table per subset, task by task and pooled, with the published anchors. */
  static String report(StarBenchmarkResult result) {
    StringBuilder md = new StringBuilder("# STAR next-action benchmark\n\n");
    md.append("A student compiled from each task's schema alone (template-teacher dialogues, no real dialogue) "
        + "predicts the wizard's action at every labelled wizard turn of the real dialogues. Accuracy / weighted "
        + "F1, in %.\n");
    for (String subset : List.of(HAPPY, ALL)) {
      md.append("\n## ").append(subset.equals(HAPPY) ? "Happy single-task dialogues" : "All single-task dialogues")
          .append("\n\n| task | dialogues | turns | student acc | student F1 | majority acc | majority F1 |"
              + " schema-following acc | schema-following F1 |\n|---|---|---|---|---|---|---|---|---|\n");
      for (StarTaskResult t : result.tasks()) {
        row(md, t.task(), t.scores().get(subset));
      }
      row(md, "**pooled**", result.pooled().get(subset));
    }
    md.append("\nPublished anchors (zero-shot task transfer, trained on other tasks' real dialogues; Mehri & "
        + "Eskenazi 2021): BERT+Schema 31.8% accuracy, SAM 58.0%.\n");
    return md.toString();
  }

  private static void row(StringBuilder md, String name, StarTaskResult.SubsetScores s) {
    md.append("| ").append(name).append(" | ").append(s.dialogues()).append(" | ")
        .append(s.predictors().get(MAJORITY).turns());
    for (String p : PREDICTOR_COLUMNS) {
      LabelScores l = s.predictors().get(p);
      md.append(" | ").append(l == null ? "-" : pct(l.accuracy())).append(" | ")
          .append(l == null ? "-" : pct(l.weightedF1()));
    }
    md.append(" |\n");
  }

  private static String pct(double share) {
    return String.format("%.1f", 100 * share);
  }

  private static void writeAtomically(Path target, String content) throws IOException {
    Path temporary = target.resolveSibling("." + target.getFileName() + ".tmp");
    Files.writeString(temporary, content, StandardCharsets.UTF_8);
    Files.move(temporary, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
  }

  private static void deleteTree(Path dir) throws IOException {
    if (!Files.exists(dir)) {
      return;
    }
    try (Stream<Path> walk = Files.walk(dir)) {
      for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
        Files.delete(p);
      }
    }
  }
}

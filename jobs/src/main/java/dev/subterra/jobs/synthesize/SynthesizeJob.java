package dev.subterra.jobs.synthesize;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.subterra.jobs.Progress;
import dev.subterra.jobs.Provenance;
import dev.subterra.jobs.io.RunFiles;
import dev.subterra.jobs.paths.PathRows;
import dev.subterra.synthesis.ChatFormat;
import dev.subterra.synthesis.ConformanceChecker;
import dev.subterra.synthesis.ConformanceResult;
import dev.subterra.synthesis.Dialogue;
import dev.subterra.synthesis.Scenario;
import dev.subterra.synthesis.ScenarioConfig;
import dev.subterra.synthesis.ScenarioPlan;
import dev.subterra.synthesis.ScenarioPlanner;
import dev.subterra.synthesis.ScenarioRejection;
import dev.subterra.synthesis.Teacher;
import dev.subterra.synthesis.TeacherException;
import dev.subterra.synthesis.openai.LlmTeacher;
import dev.subterra.synthesis.openai.MeteredDialogue;
import dev.subterra.workflow.InvalidWorkflowException;
import dev.subterra.workflow.Workflow;
import dev.subterra.workflow.WorkflowCodec;
import dev.subterra.workflow.WorkflowLoader;
import dev.subterra.workflow.paths.PathRecord;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.api.java.function.MapPartitionsFunction;
import org.apache.spark.sql.api.java.UDF2;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.ml.feature.HashingTF;
import org.apache.spark.ml.feature.MinHashLSH;
import org.apache.spark.ml.feature.MinHashLSHModel;
import org.apache.spark.ml.feature.NGram;
import org.apache.spark.ml.feature.RegexTokenizer;
import org.apache.spark.ml.linalg.Vector;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SaveMode;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.expressions.UserDefinedFunction;
import org.apache.spark.sql.functions;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.apache.spark.storage.StorageLevel;
import org.apache.spark.util.LongAccumulator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Writes dialogues for a workflow's paths on Spark: plans scenarios on the driver, has a teacher write each scenario's
 * dialogue on the executors (one teacher per partition), checks every dialogue against its path, removes near
 * duplicates with MinHash LSH, and writes {@code scenarios/}, {@code dialogues/}, {@code rejected/},
 * {@code train.jsonl} and {@code synthesis.json} under the run directory.
 *
 * <p>Nothing is dropped silently: a scenario the planner cannot draw, a dialogue the teacher cannot write, one that
 * does not follow its path and a near duplicate all go to {@code rejected/} with their stage and reason, and the job
 * checks that draws equal accepted plus rejected before it commits the summary.
 */
public final class SynthesizeJob {
  private static final Logger LOG = LoggerFactory.getLogger(SynthesizeJob.class);

  public static final String STAGE_PLAN = "plan";
  public static final String STAGE_TEACHER = "teacher";
  public static final String STAGE_CONFORMANCE = "conformance";
  public static final String STAGE_DEDUP = "dedup";
  private static final int SCENARIOS_PER_SLICE = 250;
  /** Jaccard distance over word trigrams below which two dialogues count as one. */
  public static final double DEFAULT_DEDUP_DISTANCE = 0.1;

  private static final StructType OUTCOME = DataTypes.createStructType(List.of(
      DataTypes.createStructField("scenario_id", DataTypes.StringType, false),
      DataTypes.createStructField("path_id", DataTypes.StringType, false),
      DataTypes.createStructField("split", DataTypes.StringType, false),
      DataTypes.createStructField("dialogue", SynthesisRows.DIALOGUE, true),
      DataTypes.createStructField("text", DataTypes.StringType, true),
      DataTypes.createStructField("stage", DataTypes.StringType, true),
      DataTypes.createStructField("reason", DataTypes.StringType, true)));

  private final SparkSession spark;
  private Workflow workflow;
  private String pathsDir;
  private ScenarioConfig scenarios;
  private TeacherSpec teacher = TeacherSpec.template();
  private double dedupDistance = DEFAULT_DEDUP_DISTANCE;
  private int partitions;
  private String output;

  private SynthesizeJob(SparkSession spark) {
    this.spark = spark;
    this.partitions = spark.sparkContext().defaultParallelism();
  }

  public static SynthesizeJob on(SparkSession spark) {
    return new SynthesizeJob(spark);
  }

  /** The workflow, already validated; it must be the one the paths were enumerated from. */
  public SynthesizeJob workflow(Workflow value) {
    this.workflow = value;
    return this;
  }

  /** The run directory that holds {@code paths/}. */
  public SynthesizeJob paths(String runDir) {
    this.pathsDir = runDir;
    return this;
  }

  public SynthesizeJob scenarios(ScenarioConfig value) {
    this.scenarios = value;
    return this;
  }

  public SynthesizeJob teacher(TeacherSpec value) {
    this.teacher = value;
    return this;
  }

  /** Near-duplicate threshold: a Jaccard distance in [0, 1); 0 removes only exact duplicates. */
  public SynthesizeJob dedupDistance(double value) {
    if (!(value >= 0 && value < 1)) {
      throw new IllegalArgumentException("Invalid dedup distance: " + value + " (expected 0 <= distance < 1)");
    }
    this.dedupDistance = value;
    return this;
  }

  public SynthesizeJob partitions(int value) {
    if (value < 1) {
      throw new IllegalArgumentException("Invalid partitions: " + value + " (expected at least 1)");
    }
    this.partitions = value;
    return this;
  }

  /** The run directory to write to: a local path or a Hadoop URI. */
  public SynthesizeJob output(String value) {
    this.output = value;
    return this;
  }

  public SynthesisResult execute() throws IOException {
    Objects.requireNonNull(workflow, "workflow");
    Objects.requireNonNull(pathsDir, "paths");
    Objects.requireNonNull(scenarios, "scenarios");
    Objects.requireNonNull(output, "output");
    long started = System.currentTimeMillis();
    JavaSparkContext jsc = JavaSparkContext.fromSparkContext(spark.sparkContext());
    jsc.setJobGroup("subterra-synthesize-" + workflow.id(), "Synthesize dialogues for " + workflow.id(), false);
    RunFiles files = new RunFiles(jsc.hadoopConfiguration());
    Path runDir = new Path(output);
    Dataset<Row> outcomes = null;
    try {
      List<PathRecord> paths = readPaths();
      // The template teacher's users act refinements out; a remote teacher's prompts do not yet say them.
      ScenarioPlan plan = new ScenarioPlanner(workflow,
          scenarios.withRefinements(teacher.kind().equals(TeacherSpec.TEMPLATE))).plan(paths);
      LOG.info("Planned {} scenarios on {} paths of {} ({} refused by the planner); teacher {}",
          plan.scenarios().size(), paths.size(), workflow.id(), plan.rejected().size(), teacher.teacherName());
      List<Row> scenarioRows = plan.scenarios().stream()
          .sorted(Comparator.comparing(Scenario::scenarioId)).map(SynthesisRows::scenario).toList();
      writeParquet(files, spark.createDataFrame(scenarioRows, SynthesisRows.SCENARIO).coalesce(1),
          new Path(runDir, "scenarios"));

      Broadcast<String> sharedWorkflow = jsc.broadcast(WorkflowCodec.toJson(workflow));
      LongAccumulator done = jsc.sc().longAccumulator("scenarios written");
      // Slices of a few hundred scenarios, so that progress moves as tasks finish.
      int slices = Math.max(partitions, (scenarioRows.size() + SCENARIOS_PER_SLICE - 1) / SCENARIOS_PER_SLICE);
      // Every slice builds its own teacher and may spend its share of the budget: together never more.
      TeacherSpec spec = new TeacherSpec(teacher.kind(), teacher.url(), teacher.model(), teacher.budgetUsd(),
          slices, teacher.cacheDir(), teacher.seed());
      // Executors read the scenarios back from Parquet rather than from the driver's memory inside every task.
      JavaRDD<Row> written = spark.read().parquet(new Path(runDir, "scenarios").toString())
          .repartitionByRange(Math.max(1, slices), functions.col("scenario_id")).javaRDD()
          .mapPartitions(rows -> write(sharedWorkflow.value(), spec, rows, done));
      outcomes = spark.createDataFrame(written, OUTCOME).persist(StorageLevel.MEMORY_AND_DISK());
      try (Progress progress = Progress.start("synthesize " + workflow.id(), scenarioRows.size(), done)) {
        outcomes.count();
      }

      Dataset<Row> accepted = outcomes.filter(functions.col("dialogue").isNotNull());
      Dataset<Row> duplicates = nearDuplicates(accepted);
      Dataset<Row> dialogues = accepted.join(duplicates, accepted.col("dialogue.dialogue_id")
              .equalTo(duplicates.col("duplicate_id")), "left_anti")
          .select("dialogue.*");
      writeParquet(files, dialogues.coalesce(Math.max(1, partitions / 2)).sortWithinPartitions("dialogue_id"),
          new Path(runDir, "dialogues"));

      Dataset<Row> failed = outcomes.filter(functions.col("dialogue").isNull())
          .select(functions.col("scenario_id"), functions.col("path_id"), functions.lit(null).cast("string")
              .as("dialogue_id"), functions.col("split"), functions.col("stage"), functions.col("reason"));
      Dataset<Row> deduped = duplicates.select(functions.col("scenario_id"), functions.col("path_id"),
          functions.col("duplicate_id").as("dialogue_id"), functions.col("split"),
          functions.lit(STAGE_DEDUP).as("stage"), functions.col("reason"));
      List<Row> planned = plan.rejected().stream().map(SynthesizeJob::planRejection).toList();
      Dataset<Row> rejected = spark.createDataFrame(planned, SynthesisRows.REJECTED).unionByName(failed)
          .unionByName(deduped);
      writeParquet(files, rejected.coalesce(1).sortWithinPartitions("scenario_id", "stage"),
          new Path(runDir, "rejected"));

      long trainDialogues = writeTrainJsonl(files, sharedWorkflow, new Path(runDir, "train.jsonl"));
      SynthesisResult result = summarise(runDir, plan, trainDialogues, started);
      files.writeText(new Path(runDir, "synthesis.json"), summary(result, plan));
      LOG.info("Synthesized {}: {} accepted, {} rejected of {} draws in {} ms", workflow.id(), result.accepted(),
          result.rejected(), result.draws(), result.millis());
      return result;
    } finally {
      if (outcomes != null) {
        outcomes.unpersist(false);
      }
      jsc.clearJobGroup();
    }
  }

  private List<PathRecord> readPaths() throws IOException {
    new RunFiles(spark.sparkContext().hadoopConfiguration()).requireInput(new Path(pathsDir), "paths", "synthesize",
        "paths");
    Dataset<Row> rows = spark.read().parquet(new Path(pathsDir, "paths").toString());
    String hash = WorkflowCodec.contentHash(workflow);
    List<Row> other = rows.filter(functions.col("workflow_hash").notEqual(hash)).select("workflow_hash").limit(1)
        .collectAsList();
    if (!other.isEmpty()) {
      throw new IllegalArgumentException("Cannot synthesize: the paths in " + pathsDir + " were enumerated from"
          + " workflow " + other.get(0).getString(0).substring(0, 12) + ", not from " + workflow.id() + " ("
          + hash.substring(0, 12) + "); run `paths` on this workflow first");
    }
    return rows.collectAsList().stream().map(PathRows::fromRow)
        .sorted(Comparator.comparingLong(PathRecord::ordinal)).toList();
  }

  /** Writes every scenario of a partition with one teacher; a scenario that fails costs its own row only. */
  private static Iterator<Row> write(String workflowJson, TeacherSpec spec, Iterator<Row> rows,
      LongAccumulator done) {
    Workflow workflow;
    try {
      workflow = WorkflowLoader.parse("workflow.json", workflowJson.getBytes(StandardCharsets.UTF_8),
          WorkflowLoader.Format.JSON);
    } catch (InvalidWorkflowException e) {
      throw new IllegalStateException("Cannot read the broadcast workflow: " + e.getMessage(), e);
    }
    Teacher teacher = spec.build();
    ConformanceChecker checker = new ConformanceChecker();
    List<Row> out = new ArrayList<>();
    while (rows.hasNext()) {
      Scenario scenario = SynthesisRows.scenario(rows.next());
      String split = scenario.split().wireName();
      try {
        Dialogue dialogue;
        Row dialogueRow;
        if (teacher instanceof LlmTeacher llm) {
          MeteredDialogue metered = llm.writeMetered(workflow, scenario);
          dialogue = metered.dialogue();
          // A cached answer is no call; its cost is what it cost when first made, so a dialogue's cost is stable.
          dialogueRow = SynthesisRows.dialogue(dialogue, metered.completions() - metered.cacheHits(), metered.cacheHits(),
              metered.usage().inputTokens(), metered.usage().outputTokens(), metered.costUsd().doubleValue());
        } else {
          dialogue = teacher.write(workflow, scenario);
          dialogueRow = SynthesisRows.dialogue(dialogue, 0, 0, 0, 0, 0.0);
        }
        ConformanceResult check = checker.check(workflow, scenario, dialogue);
        if (check.conforms()) {
          out.add(RowFactory.create(scenario.scenarioId(), scenario.pathId(), split, dialogueRow,
              SynthesisRows.text(dialogue), null, null));
        } else {
          out.add(RowFactory.create(scenario.scenarioId(), scenario.pathId(), split, null, null, STAGE_CONFORMANCE,
              check.reason()));
        }
      } catch (TeacherException e) {
        out.add(RowFactory.create(scenario.scenarioId(), scenario.pathId(), split, null, null, STAGE_TEACHER,
            e.getMessage()));
      }
      done.add(1);
    }
    return out.iterator();
  }

  /**
   * The accepted dialogues that nearly repeat another of the same path, by MinHash LSH over word trigrams: dialogues
   * that share a bucket in any hash table are candidates, and a candidate pair within {@code dedupDistance} (exact
   * Jaccard distance) is a duplicate. Of each such pair the one with the larger id goes, so the choice does not depend
   * on partitioning. Dialogues of different paths are never duplicates: they act out different procedures, and
   * comparing them would make the candidate pairs grow with the square of the run instead of the path.
   */
  private Dataset<Row> nearDuplicates(Dataset<Row> accepted) {
    Dataset<Row> docs = accepted.select(functions.col("dialogue.dialogue_id").as("id"),
        functions.col("scenario_id"), functions.col("path_id"), functions.col("split"), functions.col("text"));
    Dataset<Row> words = new RegexTokenizer().setInputCol("text").setOutputCol("words").setPattern("\\W+")
        .setMinTokenLength(1).transform(docs);
    Dataset<Row> grams = new NGram().setN(3).setInputCol("words").setOutputCol("grams").transform(words)
        .filter(functions.size(functions.col("grams")).gt(0));
    Dataset<Row> features = new HashingTF().setInputCol("grams").setOutputCol("features").setNumFeatures(1 << 20)
        .setBinary(true).transform(grams);
    MinHashLSHModel lsh = new MinHashLSH().setInputCol("features").setOutputCol("hashes").setNumHashTables(8)
        .setSeed(scenarios.seed()).fit(features);
    Dataset<Row> buckets = lsh.transform(features)
        .select(functions.col("id"), functions.col("scenario_id"), functions.col("path_id"), functions.col("split"),
            functions.col("features"), functions.posexplode(functions.col("hashes")).as(new String[] {"table", "h"}))
        .withColumn("bucket", org.apache.spark.ml.functions.vector_to_array(functions.col("h"), "float64")
            .getItem(0))
        .drop("h")
        .persist(StorageLevel.MEMORY_AND_DISK());
    try {
      Dataset<Row> a = buckets.as("a");
      Dataset<Row> b = buckets.as("b");
      Dataset<Row> pairs = a.join(b, functions.col("a.path_id").equalTo(functions.col("b.path_id"))
              .and(functions.col("a.table").equalTo(functions.col("b.table")))
              .and(functions.col("a.bucket").equalTo(functions.col("b.bucket")))
              .and(functions.col("a.id").lt(functions.col("b.id"))))
          .select(functions.col("a.id").as("twin_id"), functions.col("a.features").as("twin_features"),
              functions.col("b.id").as("duplicate_id"), functions.col("b.features").as("features"),
              functions.col("b.scenario_id").as("scenario_id"), functions.col("b.path_id").as("path_id"),
              functions.col("b.split").as("split"))
          .dropDuplicates("twin_id", "duplicate_id")
          .withColumn("distance", JACCARD.apply(functions.col("twin_features"), functions.col("features")))
          .filter(functions.col("distance").leq(dedupDistance));
      return pairs.groupBy("duplicate_id", "scenario_id", "path_id", "split")
          .agg(functions.min(functions.struct(functions.col("distance"), functions.col("twin_id"))).as("twin"))
          .select(functions.col("duplicate_id"), functions.col("scenario_id"), functions.col("path_id"),
              functions.col("split"), functions.concat(functions.lit("near-duplicate of "),
                  functions.col("twin.twin_id"), functions.lit(" (Jaccard distance "),
                  functions.format_number(functions.col("twin.distance"), 3), functions.lit(")")).as("reason"))
          .localCheckpoint();
    } finally {
      buckets.unpersist(false);
    }
  }

  /** Exact Jaccard distance between two binary sparse vectors. */
  private static final UserDefinedFunction JACCARD = functions.udf((UDF2<Vector, Vector, Double>) (x, y) -> {
    int[] p = x.toSparse().indices();
    int[] q = y.toSparse().indices();
    int i = 0;
    int j = 0;
    int common = 0;
    while (i < p.length && j < q.length) {
      if (p[i] == q[j]) {
        common++;
        i++;
        j++;
      } else if (p[i] < q[j]) {
        i++;
      } else {
        j++;
      }
    }
    int union = p.length + q.length - common;
    return union == 0 ? 0.0 : 1.0 - common / (double) union;
  }, DataTypes.DoubleType);

  private long writeTrainJsonl(RunFiles files, Broadcast<String> sharedWorkflow, Path target) throws IOException {
    Dataset<Row> train = spark.read().parquet(new Path(new Path(output), "dialogues").toString())
        .filter(functions.col("split").equalTo("train"));
    Dataset<String> lines = train.coalesce(1).sortWithinPartitions("dialogue_id")
        .mapPartitions((MapPartitionsFunction<Row, String>) rows -> {
          Workflow workflow = WorkflowLoader.parse("workflow.json",
              sharedWorkflow.value().getBytes(StandardCharsets.UTF_8), WorkflowLoader.Format.JSON);
          ChatFormat format = ChatFormat.forWorkflow(workflow);
          List<String> out = new ArrayList<>();
          rows.forEachRemaining(row -> out.add(format.line(SynthesisRows.dialogue(row))));
          return out.iterator();
        }, Encoders.STRING());
    Path temporary = files.temporarySibling(target);
    try {
      lines.write().text(temporary.toString());
      FileSystem fs = temporary.getFileSystem(spark.sparkContext().hadoopConfiguration());
      Path part = null;
      for (FileStatus status : fs.listStatus(temporary)) {
        if (status.getPath().getName().startsWith("part-")) {
          part = status.getPath();
        }
      }
      if (part == null) {
        fs.create(new Path(temporary, "part-empty")).close();
        part = new Path(temporary, "part-empty");
      }
      files.commit(part, target);
    } finally {
      files.discard(temporary);
    }
    return train.count();
  }

  private void writeParquet(RunFiles files, Dataset<Row> data, Path target) throws IOException {
    Path temporary = files.temporarySibling(target);
    try {
      data.write().mode(SaveMode.ErrorIfExists).parquet(temporary.toString());
      files.commit(temporary, target);
    } catch (RuntimeException | IOException e) {
      files.discard(temporary);
      throw e;
    }
  }

  private SynthesisResult summarise(Path runDir, ScenarioPlan plan, long trainDialogues, long started) {
    Dataset<Row> dialogues = spark.read().parquet(new Path(runDir, "dialogues").toString());
    Dataset<Row> rejected = spark.read().parquet(new Path(runDir, "rejected").toString());
    long accepted = dialogues.count();
    Map<String, Long> byStage = new TreeMap<>();
    rejected.groupBy("stage").count().collectAsList().forEach(r -> byStage.put(r.getString(0), r.getLong(1)));
    Map<String, Long> byReason = new LinkedHashMap<>();
    rejected.withColumn("kind", functions.regexp_replace(functions.col("reason"), "[0-9a-f]{16}", "…"))
        .groupBy("stage", "kind").count().orderBy(functions.desc("count")).limit(20).collectAsList()
        .forEach(r -> byReason.put(r.getString(0) + ": " + r.getString(1), r.getLong(2)));
    long rejectedCount = byStage.values().stream().mapToLong(Long::longValue).sum();
    Row meter = dialogues.agg(functions.sum("calls"), functions.sum("cache_hits"), functions.sum("input_tokens"),
        functions.sum("output_tokens"), functions.sum("cost_usd")).first();
    long draws = plan.draws();
    if (draws != accepted + rejectedCount) {
      throw new IllegalStateException("Cannot commit synthesis of " + workflow.id() + ": " + draws + " draws but "
          + accepted + " accepted + " + rejectedCount + " rejected; rows were lost");
    }
    return new SynthesisResult(output, teacher.teacherName(), draws, plan.scenarios().size(), accepted,
        rejectedCount, byStage, byReason, trainDialogues, longOrZero(meter, 0), longOrZero(meter, 1),
        longOrZero(meter, 2), longOrZero(meter, 3), meter.isNullAt(4) ? 0.0 : meter.getDouble(4),
        System.currentTimeMillis() - started);
  }

  private String summary(SynthesisResult result, ScenarioPlan plan) throws IOException {
    Map<String, Object> doc = new LinkedHashMap<>();
    doc.put("workflow_id", workflow.id());
    doc.put("workflow_hash", WorkflowCodec.contentHash(workflow));
    doc.put("teacher", result.teacher());
    doc.put("draws", result.draws());
    doc.put("scenarios", result.scenarios());
    doc.put("accepted", result.accepted());
    doc.put("rejected", result.rejected());
    doc.put("rejected_by_stage", result.rejectedByStage());
    doc.put("rejected_by_reason", result.rejectedByReason());
    doc.put("conformance_rate", result.conformanceRate());
    doc.put("train_dialogues", result.trainDialogues());
    doc.put("calls", result.calls());
    doc.put("cache_hits", result.cacheHits());
    doc.put("input_tokens", result.inputTokens());
    doc.put("output_tokens", result.outputTokens());
    doc.put("cost_usd", result.costUsd());
    Map<String, Object> config = new LinkedHashMap<>();
    config.put("per_path", plan.config().perPath());
    config.put("total", plan.config().total());
    config.put("seed", plan.config().seed());
    config.put("teacher_url", teacher.url());
    config.put("teacher_model", teacher.model());
    config.put("budget_usd", teacher.budgetUsd());
    config.put("dedup_distance", dedupDistance);
    config.put("partitions", partitions);
    config.put("paths", pathsDir);
    doc.put("configuration", config);
    doc.put("millis", result.millis());
    doc.put("provenance", Provenance.current(spark.version()));
    return new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValueAsString(doc);
  }

  private static long longOrZero(Row row, int i) {
    return row.isNullAt(i) ? 0 : row.getLong(i);
  }

  private static Row planRejection(ScenarioRejection r) {
    return SynthesisRows.rejected(r.scenarioId(), r.pathId(), null, r.split(), STAGE_PLAN, r.reason());
  }
}

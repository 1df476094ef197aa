package dev.subterra.jobs.compile;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.subterra.jobs.TestSpark;
import dev.subterra.jobs.synthesize.TeacherSpec;
import dev.subterra.workflow.Workflow;
import dev.subterra.workflow.WorkflowLoader;
import java.io.InputStream;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.hdfs.MiniDFSCluster;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The whole compile into a run directory on a real HDFS (Hadoop's MiniDFSCluster, a name node and a data node in this
 * process): every stage's outputs land on HDFS and read back, a second compile skips every stage, and a changed
 * evaluation option reruns evaluation only.
 */
class CompileHdfsTest {
  private static final long SEED = 11;
  private static final Path RETRY_LOOP = Path.of(System.getProperty("subterra.root", ".."))
      .resolve("workflow-model/src/test/resources/workflows/retry-loop.yaml");

  private static MiniDFSCluster cluster;
  private static SparkSession spark;
  @TempDir static Path temp;

  @BeforeAll
  static void start() throws Exception {
    Configuration conf = new Configuration();
    conf.set(MiniDFSCluster.HDFS_MINIDFS_BASEDIR, temp.resolve("hdfs").toString());
    cluster = new MiniDFSCluster.Builder(conf).numDataNodes(1).build();
    cluster.waitActive();
    spark = TestSpark.start(CompileHdfsTest.class);
  }

  @AfterAll
  static void stop() {
    if (spark != null) {
      spark.stop();
    }
    if (cluster != null) {
      cluster.shutdown();
    }
  }

  private static CompileOptions options(int evalScenarios) {
    return new CompileOptions("tiny", 2, 1, evalScenarios, TeacherSpec.template(), SEED);
  }

  @Test
  void compilesIntoHdfsSkipsWhatIsDoneAndRerunsOnlyWhatAChangeTouches() throws Exception {
    Workflow workflow = WorkflowLoader.load(RETRY_LOOP);
    String run = cluster.getURI() + "/runs/retry-loop";
    Path work = temp.resolve("work");
    CompileResult first = CompilePipeline.on(spark).workflow(workflow).output(run).options(options(3)).workDir(work)
        .execute();

    assertThat(first.ran()).containsExactlyElementsOf(CompilePipeline.STAGES);
    FileSystem fs = cluster.getFileSystem();
    org.apache.hadoop.fs.Path root = new org.apache.hadoop.fs.Path(run);
    for (String output : List.of("workflow.json", "paths", "paths.json", "scenarios", "dialogues", "rejected",
        "train.jsonl", "synthesis.json", "model/weights.bin", "model/provenance.json", "eval/summary.json",
        "eval/conversations.jsonl", RunManifest.FILE)) {
      assertThat(fs.exists(new org.apache.hadoop.fs.Path(root, output))).as(output).isTrue();
    }
    FileStatus[] children = fs.listStatus(root);
    assertThat(Arrays.stream(children).map(s -> s.getPath().getName())).noneMatch(name -> name.startsWith("._tmp"));
    assertThat(spark.read().parquet(run + "/dialogues").count()).isEqualTo(first.summary().dialogues()).isPositive();
    assertThat(spark.read().parquet(run + "/paths").count()).isEqualTo(first.paths().paths());
    assertThat(first.summary().nodeAccuracy()).isBetween(0.0, 1.0);
    JsonNode manifest;
    try (InputStream in = fs.open(new org.apache.hadoop.fs.Path(root, RunManifest.FILE))) {
      manifest = new ObjectMapper().readTree(in);
    }
    assertThat(manifest.get("status").asText()).isEqualTo(StageRecord.COMPLETED);
    assertThat(manifest.at("/stages/train/inputs/dialogues").asText())
        .isEqualTo(manifest.at("/stages/synthesize/outputs/dialogues").asText()).hasSize(64);
    assertThat(manifest.at("/stages/synthesize/rows/accepted").asLong()).isEqualTo(first.summary().dialogues());
    assertThat(manifest.at("/stages/evaluate/seconds").asDouble()).isPositive();
    assertThat(manifest.at("/versions/spark_version").asText()).isEqualTo(spark.version());

    CompileResult again = CompilePipeline.on(spark).workflow(workflow).output(run).options(options(3)).workDir(work)
        .execute();
    assertThat(again.ran()).isEmpty();
    assertThat(again.summary()).isEqualTo(first.summary());

    // Fewer evaluation scenarios: only evaluate runs; the student is not trained again.
    CompilePlan plan = CompilePipeline.planner(spark.sparkContext().hadoopConfiguration()).workflow(workflow)
        .output(run).options(options(2)).workDir(work).plan();
    assertThat(plan.running()).containsExactly(CompilePipeline.EVALUATE);
    assertThat(plan.teacher()).isNull();
    CompileResult fewer = CompilePipeline.on(spark).workflow(workflow).output(run).options(options(2)).workDir(work)
        .execute();
    assertThat(fewer.ran()).containsExactly(CompilePipeline.EVALUATE);
    assertThat(fewer.evaluation().scenarios()).isEqualTo(2);

    // A changed workflow changes every path id, so everything downstream would run.
    Workflow changed = WorkflowLoader.parse("changed.yaml", (java.nio.file.Files.readString(RETRY_LOOP)
        .replace("Hello, what is your order number?", "Hi, what is your order number?"))
        .getBytes(java.nio.charset.StandardCharsets.UTF_8), WorkflowLoader.Format.YAML);
    assertThat(CompilePipeline.planner(spark.sparkContext().hadoopConfiguration()).workflow(changed).output(run)
        .options(options(2)).workDir(work).plan().running()).containsExactlyElementsOf(CompilePipeline.STAGES);
  }
}

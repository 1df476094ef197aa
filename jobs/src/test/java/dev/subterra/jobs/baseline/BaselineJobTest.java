package dev.subterra.jobs.baseline;

import dev.subterra.jobs.TestSpark;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.subterra.jobs.paths.PathsJob;
import dev.subterra.jobs.synthesize.SynthesizeJob;
import dev.subterra.synthesis.ScenarioConfig;
import dev.subterra.workflow.Workflow;
import dev.subterra.workflow.WorkflowLoader;
import dev.subterra.workflow.paths.EnumerationConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.apache.spark.ml.PipelineModel;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.types.StructType;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class BaselineJobTest {
  private static final long SEED = 3;
  /** Guessing the most common node scores about 0.2 on this workflow; a policy that reads the context does far better. */
  private static final double MIN_VALIDATION_ACCURACY = 0.8;

  private static SparkSession spark;
  @TempDir static Path run;

  @BeforeAll
  static void synthesize() throws Exception {
    spark = TestSpark.start(BaselineJobTest.class);
    Workflow travel = WorkflowLoader.load(TestSpark.WORKFLOWS.resolve("travel-booking.yaml"));
    PathsJob.on(spark).workflow(travel).enumeration(EnumerationConfig.withSeed(SEED)).output(run.toString())
        .execute();
    SynthesizeJob.on(spark).workflow(travel).paths(run.toString()).scenarios(ScenarioConfig.perPath(4, SEED))
        .output(run.toString()).execute();
  }

  @AfterAll
  static void stopSpark() {
    spark.stop();
  }

  @Test
  void theBaselinePredictsTheNextNodeOnUnseenDialoguesAndLoadsBackToTheSamePredictions() throws Exception {
    BaselineJob.Result result = BaselineJob.on(spark).run(run.toString()).seed(SEED).execute();

    assertThat(result.trainExamples()).isPositive();
    assertThat(result.accuracy()).containsKeys("train", "validation");
    assertThat(result.accuracy().get("validation")).isGreaterThan(MIN_VALIDATION_ACCURACY);
    assertThat(Files.readString(run.resolve("baseline.json"))).contains("next_node_accuracy");

    PipelineModel loaded = PipelineModel.load(run.resolve("baseline").toString());
    Dataset<Row> probe = spark.createDataFrame(List.of(RowFactory.create("prevnode_start")),
        new StructType().add("context", "string"));
    assertThat(loaded.transform(probe).select("predicted_node").first().getString(0)).isEqualTo("greet");
  }

  @Test
  void aRunWithoutDialoguesIsRefused() {
    assertThatThrownBy(() -> BaselineJob.on(spark).run(run.resolve("nothing").toString()).execute())
        .hasMessageContaining("nothing");
  }
}

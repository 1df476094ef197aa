package dev.subterra.jobs.synthesize;

import dev.subterra.jobs.TestSpark;
import static org.assertj.core.api.Assertions.assertThat;

import dev.subterra.jobs.paths.PathsJob;
import dev.subterra.synthesis.ScenarioConfig;
import dev.subterra.synthesis.testing.FakeChatServer;
import dev.subterra.workflow.Workflow;
import dev.subterra.workflow.WorkflowLoader;
import dev.subterra.workflow.paths.EnumerationConfig;
import java.math.BigDecimal;
import java.nio.file.Path;
import java.util.List;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The synthesize job with the OpenAI-compatible teacher against a real local chat-completions server. */
class RemoteTeacherSynthesisTest {
  private static final long SEED = 5;
  private static final String MODEL = "gpt-4o-mini";
  private static final int SCENARIOS = 12;

  private static SparkSession spark;
  private static FakeChatServer server;
  private static Workflow travel;
  @TempDir static Path temp;
  private static Path pathsRun;

  @BeforeAll
  static void start() throws Exception {
    spark = TestSpark.start(RemoteTeacherSynthesisTest.class);
    server = FakeChatServer.start();
    travel = WorkflowLoader.load(TestSpark.WORKFLOWS.resolve("travel-booking.yaml"));
    pathsRun = temp.resolve("paths");
    PathsJob.on(spark).workflow(travel).enumeration(EnumerationConfig.withSeed(SEED)).output(pathsRun.toString())
        .execute();
  }

  @AfterAll
  static void stop() {
    server.close();
    spark.stop();
  }

  private SynthesisResult run(Path out, BigDecimal budget) throws Exception {
    TeacherSpec teacher = new TeacherSpec(TeacherSpec.OPENAI, server.baseUrl().toString(), MODEL, budget, 1,
        out.resolve("teacher-cache").toString(), SEED);
    return SynthesizeJob.on(spark).workflow(travel).paths(pathsRun.toString())
        .scenarios(ScenarioConfig.total(SCENARIOS, SEED)).teacher(teacher).dedupDistance(0.0).partitions(2)
        .output(out.toString()).execute();
  }

  @Test
  void aRerunMakesNoCallAndWritesTheSameDialogues() throws Exception {
    Path out = temp.resolve("cached");
    int before = server.hits();
    SynthesisResult first = run(out, null);
    int calls = server.hits() - before;
    List<Row> firstDialogues = dialogues(out);

    assertThat(first.teacher()).isEqualTo("openai:" + MODEL);
    assertThat(first.accepted() + first.rejected()).isEqualTo(first.draws());
    assertThat(first.accepted()).isEqualTo(first.draws());
    assertThat(first.calls()).isEqualTo(calls).isPositive();
    assertThat(first.inputTokens()).isPositive();
    assertThat(first.costUsd()).isPositive();

    SynthesisResult second = run(out, null);
    assertThat(server.hits() - before).isEqualTo(calls);
    assertThat(second.calls()).isZero();
    assertThat(second.cacheHits()).isEqualTo(calls);
    assertThat(dialogues(out)).isEqualTo(firstDialogues);
  }

  /** The dialogues without the columns that say how they were obtained (calls or cache hits). */
  private static List<Row> dialogues(Path out) {
    return spark.read().parquet(out.resolve("dialogues").toString()).drop("calls", "cache_hits")
        .orderBy("dialogue_id").collectAsList();
  }

  @Test
  void theBudgetStopsNewCallsAndTheScenariosItRefusesAreRejectedWithTheReason() throws Exception {
    Path out = temp.resolve("budget");
    BigDecimal budget = new BigDecimal("0.0004");
    SynthesisResult result = run(out, budget);

    assertThat(result.accepted() + result.rejected()).isEqualTo(result.draws());
    assertThat(result.costUsd()).isLessThanOrEqualTo(budget.doubleValue());
    assertThat(result.rejectedByStage()).containsKey(SynthesizeJob.STAGE_TEACHER);
    assertThat(spark.read().parquet(out.resolve("rejected").toString()).filter("stage = 'teacher'")
        .collectAsList()).allSatisfy(r -> assertThat(r.getString(r.fieldIndex("reason"))).contains("budget"));
  }
}

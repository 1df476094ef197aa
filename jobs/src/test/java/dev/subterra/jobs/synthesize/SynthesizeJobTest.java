package dev.subterra.jobs.synthesize;

import dev.subterra.jobs.TestSpark;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.subterra.jobs.paths.PathsJob;
import dev.subterra.synthesis.ScenarioConfig;
import dev.subterra.workflow.Workflow;
import dev.subterra.workflow.WorkflowLoader;
import dev.subterra.workflow.paths.EnumerationConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SynthesizeJobTest {
  private static final long SEED = 11;

  private static SparkSession spark;
  private static Workflow travel;
  @TempDir static Path temp;
  private static Path pathsRun;

  @BeforeAll
  static void startSparkAndEnumerate() throws Exception {
    spark = TestSpark.start(SynthesizeJobTest.class);
    travel = WorkflowLoader.load(TestSpark.WORKFLOWS.resolve("travel-booking.yaml"));
    pathsRun = temp.resolve("paths-run");
    PathsJob.on(spark).workflow(travel).enumeration(EnumerationConfig.withSeed(SEED)).output(pathsRun.toString())
        .execute();
  }

  @AfterAll
  static void stopSpark() {
    spark.stop();
  }

  private SynthesisResult synthesize(Path out, int perPath, double dedup) throws Exception {
    return SynthesizeJob.on(spark).workflow(travel).paths(pathsRun.toString())
        .scenarios(ScenarioConfig.perPath(perPath, SEED)).dedupDistance(dedup).partitions(3).output(out.toString())
        .execute();
  }

  private List<Row> sorted(Path dir, String dataset, String key) {
    return spark.read().parquet(dir.resolve(dataset).toString()).orderBy(key).collectAsList();
  }

  @Test
  void everyDrawEndsAcceptedOrRejectedWithAReasonAndTrainJsonlHoldsTheTrainingDialogues() throws Exception {
    Path out = temp.resolve("run-a");
    SynthesisResult result = synthesize(out, 4, SynthesizeJob.DEFAULT_DEDUP_DISTANCE);

    long paths = spark.read().parquet(pathsRun.resolve("paths").toString()).count();
    assertThat(result.draws()).isEqualTo(4 * paths);
    assertThat(result.accepted() + result.rejected()).isEqualTo(result.draws());
    assertThat(result.accepted()).isGreaterThan(result.draws() / 2);
    assertThat(result.conformanceRate()).isEqualTo(1.0);
    assertThat(result.rejectedByStage()).doesNotContainKeys(SynthesizeJob.STAGE_TEACHER,
        SynthesizeJob.STAGE_CONFORMANCE);

    long dialogues = spark.read().parquet(out.resolve("dialogues").toString()).count();
    long rejected = spark.read().parquet(out.resolve("rejected").toString()).count();
    assertThat(dialogues + rejected).isEqualTo(result.draws());
    assertThat(spark.read().parquet(out.resolve("rejected").toString()).filter("reason is null or reason = ''")
        .count()).isZero();

    long train = spark.read().parquet(out.resolve("dialogues").toString()).filter("split = 'train'").count();
    List<String> lines = Files.readAllLines(out.resolve("train.jsonl"));
    assertThat(lines).hasSize((int) train).hasSize((int) result.trainDialogues());
    ObjectMapper json = new ObjectMapper();
    JsonNode first = json.readTree(lines.get(0));
    assertThat(first.at("/messages/0/role").asText()).isEqualTo("system");
    assertThat(first.get("messages").findValuesAsText("role")).contains("user", "assistant", "tool");

    // Read back, every call lists its arguments in the tool's declared order: the order the student learns.
    Map<String, List<String>> declared = new java.util.HashMap<>();
    travel.nodes().stream().filter(n -> n.tool() != null)
        .forEach(n -> declared.put(n.tool().name(), List.copyOf(n.tool().arguments().keySet())));
    List<dev.subterra.synthesis.ToolInvocation> calls = sorted(out, "dialogues", "dialogue_id").stream()
        .map(SynthesisRows::dialogue).flatMap(d -> d.turns().stream()).filter(t -> t.call() != null)
        .map(dev.subterra.synthesis.Turn::call).toList();
    assertThat(calls).isNotEmpty().allSatisfy(call ->
        assertThat(List.copyOf(call.arguments().keySet())).isEqualTo(declared.get(call.name())));

    JsonNode summary = json.readTree(out.resolve("synthesis.json").toFile());
    assertThat(summary.get("accepted").asLong()).isEqualTo(result.accepted());
    assertThat(summary.at("/configuration/seed").asLong()).isEqualTo(SEED);
    assertThat(summary.at("/provenance/spark_version").asText()).startsWith("3.5");
  }

  @Test
  void theSameSeedWritesTheSameDialoguesByteForByte() throws Exception {
    Path first = temp.resolve("same-1");
    Path second = temp.resolve("same-2");
    synthesize(first, 2, SynthesizeJob.DEFAULT_DEDUP_DISTANCE);
    synthesize(second, 2, SynthesizeJob.DEFAULT_DEDUP_DISTANCE);

    assertThat(sorted(second, "dialogues", "dialogue_id")).isEqualTo(sorted(first, "dialogues", "dialogue_id"));
    assertThat(sorted(second, "rejected", "scenario_id")).isEqualTo(sorted(first, "rejected", "scenario_id"));
    assertThat(Files.readAllBytes(second.resolve("train.jsonl")))
        .isEqualTo(Files.readAllBytes(first.resolve("train.jsonl")));
  }

  @Test
  void nearDuplicatesAreRemovedAndRecordedNotDropped() throws Exception {
    Path exact = temp.resolve("exact");
    Path loose = temp.resolve("loose");
    SynthesisResult strict = synthesize(exact, 3, 0.0);
    SynthesisResult lenient = synthesize(loose, 3, 0.95);

    long strictDupes = strict.rejectedByStage().getOrDefault(SynthesizeJob.STAGE_DEDUP, 0L);
    long lenientDupes = lenient.rejectedByStage().getOrDefault(SynthesizeJob.STAGE_DEDUP, 0L);
    assertThat(lenientDupes).isGreaterThan(strictDupes);
    assertThat(lenient.accepted() + lenient.rejected()).isEqualTo(lenient.draws());

    List<Row> dupes = spark.read().parquet(loose.resolve("rejected").toString()).filter("stage = 'dedup'")
        .collectAsList();
    Set<String> kept = spark.read().parquet(loose.resolve("dialogues").toString()).select("dialogue_id")
        .collectAsList().stream().map(r -> r.getString(0)).collect(Collectors.toSet());
    assertThat(dupes).allSatisfy(r -> {
      assertThat(r.getString(r.fieldIndex("reason"))).startsWith("near-duplicate of ");
      assertThat(kept).doesNotContain(r.getString(r.fieldIndex("dialogue_id")));
    });
    // Only dialogues of one path are compared: different paths act out different procedures.
    java.util.Map<String, String> pathOf = new java.util.HashMap<>();
    spark.read().parquet(loose.resolve("dialogues").toString()).select("dialogue_id", "path_id").collectAsList()
        .forEach(r -> pathOf.put(r.getString(0), r.getString(1)));
    dupes.forEach(r -> pathOf.put(r.getString(r.fieldIndex("dialogue_id")), r.getString(r.fieldIndex("path_id"))));
    assertThat(dupes).allSatisfy(r -> assertThat(pathOf.get(r.getString(r.fieldIndex("reason")).substring(18, 34)))
        .isEqualTo(r.getString(r.fieldIndex("path_id"))));
    // Of each close pair the larger id goes, whatever the partitioning.
    assertThat(dupes).allSatisfy(r -> assertThat(r.getString(r.fieldIndex("reason")).substring(18, 34))
        .isLessThan(r.getString(r.fieldIndex("dialogue_id"))));
  }

  @Test
  void pathsOfAnotherWorkflowAreRefusedBeforeAnyWork() throws Exception {
    Workflow video = WorkflowLoader.load(TestSpark.WORKFLOWS.resolve("video-meeting-support.yaml"));
    assertThatThrownBy(() -> SynthesizeJob.on(spark).workflow(video).paths(pathsRun.toString())
        .scenarios(ScenarioConfig.perPath(1, SEED)).output(temp.resolve("wrong").toString()).execute())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("Cannot synthesize: the paths in " + pathsRun + " were enumerated from workflow ")
        .hasMessageEndingWith("run `paths` on this workflow first");
    assertThat(temp.resolve("wrong")).doesNotExist();
  }
}

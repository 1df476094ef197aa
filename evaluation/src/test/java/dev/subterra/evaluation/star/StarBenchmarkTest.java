package dev.subterra.evaluation.star;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.subterra.workflow.Node;
import dev.subterra.workflow.NodeKind;
import dev.subterra.workflow.WorkflowCodec;
import dev.subterra.workflow.imports.StarImporter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * End to end on one development task of the STAR corpus in {@code ../shared/data/star}: a tiny student with a minimal
 * budget, so the test checks the plumbing and the baselines, not how good the student is. Skips without the corpus.
 */
class StarBenchmarkTest {
  private static final String TASK = "bank_balance";
  private static final ObjectMapper JSON = new ObjectMapper();

  @TempDir
  static Path out;

  private static Path star() {
    return Path.of(System.getProperty("subterra.root", "..")).resolve("../shared/data/star").normalize();
  }

  @BeforeAll
  static void corpus() {
    assumeTrue(Files.isDirectory(star().resolve("dialogues-dev")) && Files.isDirectory(star().resolve("schemas")),
        "STAR corpus not found at " + star() + " (../shared/data/star beside the project): skipping");
  }

  @Test
  void aTinyStudentOfOneTaskIsScoredNextToTheBaselines() throws Exception {
    StarBenchmarkResult result = StarBenchmark.create().schemas(star().resolve("schemas"))
        .dialogues(star().resolve("dialogues-dev")).output(out).tasks(List.of(TASK))
        .options(new StarOptions("tiny", 1, 8, 1, 1000, 16, 7, true)).execute();

    assertThat(result.tasks()).extracting(StarTaskResult::task).containsExactly(TASK);
    StarTaskResult task = result.tasks().get(0);
    StarTaskResult.SubsetScores all = task.scores().get(StarBenchmark.ALL);
    StarTaskResult.SubsetScores happy = task.scores().get(StarBenchmark.HAPPY);
    int turns = all.predictors().get("student").turns();
    assertThat(turns).isPositive();
    assertThat(happy.predictors().get("student").turns()).isPositive().isLessThanOrEqualTo(turns);
    assertThat(happy.dialogues()).isLessThan(all.dialogues());
    // With one task, pooled is that task.
    assertThat(result.pooled().get(StarBenchmark.ALL).predictors()).isEqualTo(all.predictors());
    // Following the schema beats always saying the commonest action, by far, on real dialogues.
    assertThat(all.predictors().get("schema").accuracy())
        .isGreaterThan(all.predictors().get("majority").accuracy() + 0.1);

    Path schema = star().resolve("schemas").resolve(TASK + ".json");
    Set<String> actions = StarImporter.importFile(schema).workflow().nodes().stream()
        .filter(n -> n.kind() == NodeKind.AGENT || n.kind() == NodeKind.TOOL).map(Node::id)
        .collect(Collectors.toSet());
    List<String> lines = Files.readAllLines(out.resolve(TASK).resolve("predictions.jsonl"));
    assertThat(lines).hasSize(turns);
    for (String line : lines) {
      assertThat(actions).contains(JSON.readTree(line).path("student").asText());
    }

    JsonNode summary = JSON.readTree(out.resolve("summary.json").toFile());
    assertThat(summary.path("provenance").path("schema_sha256").path(TASK).asText())
        .isEqualTo(WorkflowCodec.sha256Hex(Files.readAllBytes(schema)));
    assertThat(summary.path("provenance").path("config").path("seed").asLong()).isEqualTo(7);
    assertThat(summary.path("pooled").path("all").path("schema").path("accuracy").asDouble())
        .isEqualTo(all.predictors().get("schema").accuracy());
    assertThat(Files.readString(out.resolve("report.md"))).contains("| " + TASK + " | " + all.dialogues() + " | "
        + turns + " |");
    assertThat(out.resolve(TASK).resolve("model").resolve("weights.bin")).exists();
    assertThat(out.resolve(TASK).resolve("work")).doesNotExist();
  }

  @Test
  void anUnknownTaskIsRejectedBeforeAnyTraining() {
    assertThatThrownBy(() -> StarBenchmark.create().schemas(star().resolve("schemas"))
        .dialogues(star().resolve("dialogues-dev")).output(out.resolve("bad")).tasks(List.of("nope"))
        .options(StarOptions.defaults(1)).execute())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("Invalid task: nope (no schema " + star().resolve("schemas").resolve("nope.json") + ")");
    assertThat(out.resolve("bad")).doesNotExist();
  }
}

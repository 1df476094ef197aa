package dev.subterra.jobs.nightly;

import static org.assertj.core.api.Assertions.assertThat;

import dev.subterra.jobs.TestSpark;
import dev.subterra.jobs.cli.SubterraCli;
import dev.subterra.workflow.WorkflowCodec;
import dev.subterra.workflow.WorkflowLoader;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

/**
 * Real nightly runs on the small retry-loop workflow with the tiny preset, in order: a first candidate is promoted,
 * a second run with nothing changed compiles nothing, a candidate trained for one epoch is refused by the gate with
 * the promoted pointer unchanged, and a changed workflow compiles a new candidate.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class NightlyCompilationTest {
  private static final String WORKFLOW_ID = "retry-loop";
  /** A few dialogues per path and a few epochs: enough to beat one epoch clearly, cheap enough for a test. */
  private static final String GOOD = "{path: retry-loop.yaml, preset: tiny, per-path: 4, epochs: 8,"
      + " eval-scenarios: 8, seed: 7}";
  private static final String ONE_EPOCH = "{path: retry-loop.yaml, preset: tiny, per-path: 4, epochs: 1,"
      + " eval-scenarios: 8, seed: 7}";

  private static SparkSession spark;
  @TempDir static Path dir;
  private static ModelRegistry registry;
  /** What the last {@link #command} printed. */
  private static String lastOut = "";
  private static final AtomicInteger SESSIONS_ASKED = new AtomicInteger();
  private static final Supplier<SparkSession> SESSION = () -> {
    SESSIONS_ASKED.incrementAndGet();
    return spark;
  };

  @BeforeAll
  static void setUp() throws Exception {
    spark = TestSpark.start(NightlyCompilationTest.class);
    Files.copy(TestSpark.WORKFLOWS.resolveSibling("workflow-model").resolve(
        "src/test/resources/workflows/retry-loop.yaml"), dir.resolve("retry-loop.yaml"));
    registry = ModelRegistry.at(dir.resolve("registry"));
  }

  @AfterAll
  static void stopSpark() {
    spark.stop();
  }

  private static Path config(String workflow) throws Exception {
    Path file = dir.resolve("nightly.yaml");
    // Floors every student meets, so that the comparison with the promoted model does the work.
    Files.writeString(file, """
        registry: registry
        policy: on-change
        gate:
          metrics:
            - {metric: heldout_path_fidelity, tolerance: 0.05, floor: 0.0}
            - {metric: node_accuracy, tolerance: 0.05, floor: 0.0}
        workflows:
          - %s
        """.formatted(workflow));
    return file;
  }

  private static NightlyResult nightly(String workflow, List<String> lines) throws Exception {
    return NightlyCompilation.on(SESSION).config(NightlyConfig.load(config(workflow))).onLine(lines::add).execute();
  }

  /** Runs the command line, for its exit code, when nothing needs Spark (the command would start its own). */
  private static int command(String... args) {
    PrintStream out = System.out;
    ByteArrayOutputStream captured = new ByteArrayOutputStream();
    System.setOut(new PrintStream(captured, true, StandardCharsets.UTF_8));
    try {
      return SubterraCli.run(args);
    } finally {
      System.setOut(out);
      lastOut = captured.toString(StandardCharsets.UTF_8);
    }
  }

  @Test
  @Order(1)
  void theFirstCandidateIsCompiledKeptAndPromotedOnTheFloorsAlone() throws Exception {
    List<String> lines = new ArrayList<>();
    NightlyResult result = nightly(GOOD, lines);

    assertThat(result.status()).isEqualTo(NightlyResult.Status.PROMOTED);
    assertThat(result.status().exitCode()).isZero();
    String id = result.outcomes().get(0).candidateId();
    assertThat(registry.candidateIds(WORKFLOW_ID)).containsExactly(id);
    Candidate promoted = registry.promoted(WORKFLOW_ID).orElseThrow();
    assertThat(promoted.candidateId()).isEqualTo(id);
    assertThat(promoted.workflowContentHash())
        .isEqualTo(WorkflowCodec.contentHash(WorkflowLoader.load(dir.resolve("retry-loop.yaml"))));
    assertThat(promoted.compile()).containsEntry("epochs", 8).containsEntry("seed", 7);
    assertThat(promoted.metrics()).containsKeys("node_accuracy", "heldout_path_fidelity");
    Path kept = registry.candidateDir(WORKFLOW_ID, id);
    assertThat(kept.resolve("model/weights.bin")).isRegularFile();
    assertThat(kept.resolve("summary.json")).hasSameTextualContentAs(Path.of(promoted.runDir(), "eval/summary.json"));
    assertThat(Path.of(promoted.runDir())).isEqualTo(dir.resolve("runs").resolve(WORKFLOW_ID).resolve(id));

    HistoryEntry entry = registry.history(WORKFLOW_ID).get(0);
    assertThat(entry.outcome()).isEqualTo("promoted");
    assertThat(entry.candidate()).isEqualTo(id);
    assertThat(entry.baseline()).isNull();
    assertThat(entry.reasons()).anyMatch(r -> r.contains("no promoted model to compare with"));
    assertThat(lines).anyMatch(l -> l.startsWith("retry-loop: [4/4] evaluate: "));
  }

  @Test
  @Order(2)
  void aSecondRunWithNothingChangedCompilesNothing() throws Exception {
    String promotedBefore = Files.readString(registry.workflowDir(WORKFLOW_ID).resolve("promoted"));
    int asked = SESSIONS_ASKED.get();

    NightlyResult result = nightly(GOOD, new ArrayList<>());

    assertThat(result.status()).isEqualTo(NightlyResult.Status.UNCHANGED);
    assertThat(SESSIONS_ASKED.get()).as("no Spark session, so no compilation").isEqualTo(asked);
    assertThat(registry.candidateIds(WORKFLOW_ID)).hasSize(1);
    try (var runs = Files.list(dir.resolve("runs").resolve(WORKFLOW_ID))) {
      assertThat(runs).hasSize(1);
    }
    assertThat(registry.workflowDir(WORKFLOW_ID).resolve("promoted")).hasContent(promotedBefore.strip());
    HistoryEntry last = registry.history(WORKFLOW_ID).get(1);
    assertThat(last.outcome()).isEqualTo("unchanged");
    assertThat(last.reasons().get(0)).startsWith("unchanged since the promoted candidate " + promotedBefore.strip());

    // The command says so in its exit code: 3 by default, or what a scheduler asks for.
    assertThat(command("nightly", "--config", config(GOOD).toString())).isEqualTo(3);
    assertThat(lastOut).contains("retry-loop: unchanged", "Nightly: unchanged");
    assertThat(command("nightly", "--config", config(GOOD).toString(), "--unchanged-exit-code", "0")).isZero();
    assertThat(registry.candidateIds(WORKFLOW_ID)).hasSize(1);
    assertThat(registry.history(WORKFLOW_ID)).hasSize(4);
  }

  @Test
  @Order(3)
  void aCandidateTrainedForOneEpochIsRefusedAndThePromotedModelStays() throws Exception {
    Path pointer = registry.workflowDir(WORKFLOW_ID).resolve("promoted");
    String promotedBefore = Files.readString(pointer).strip();
    double promotedNodeAccuracy = registry.promoted(WORKFLOW_ID).orElseThrow().metrics().get("node_accuracy");

    NightlyResult result = nightly(ONE_EPOCH, new ArrayList<>());

    assertThat(result.status()).isEqualTo(NightlyResult.Status.REFUSED);
    assertThat(result.status().exitCode()).isEqualTo(4);
    String refused = result.outcomes().get(0).candidateId();
    assertThat(registry.candidateIds(WORKFLOW_ID)).hasSize(2).contains(refused, promotedBefore);
    assertThat(pointer).hasContent(promotedBefore);
    Candidate candidate = registry.candidate(WORKFLOW_ID, refused);
    assertThat(candidate.metrics().get("node_accuracy")).isLessThan(promotedNodeAccuracy - 0.05);
    HistoryEntry entry = registry.history(WORKFLOW_ID).get(4);
    assertThat(entry.outcome()).isEqualTo("refused");
    assertThat(entry.baseline()).isEqualTo(promotedBefore);
    assertThat(entry.baselineMetrics()).containsEntry("node_accuracy", promotedNodeAccuracy);
    assertThat(entry.reasons().get(0)).startsWith("node_accuracy: ").contains("is worse than the promoted");

    // The same inputs again would make the same model: nothing is compiled, and the history says why.
    int asked = SESSIONS_ASKED.get();
    NightlyResult again = nightly(ONE_EPOCH, new ArrayList<>());
    assertThat(again.status()).isEqualTo(NightlyResult.Status.UNCHANGED);
    assertThat(SESSIONS_ASKED.get()).isEqualTo(asked);
    assertThat(again.outcomes().get(0).reasons().get(0)).contains("made candidate " + refused
        + ", which the gate refused");
    assertThat(pointer).hasContent(promotedBefore);
  }

  @Test
  @Order(4)
  void aChangedWorkflowCompilesANewCandidate() throws Exception {
    Path workflow = dir.resolve("retry-loop.yaml");
    Files.writeString(workflow, Files.readString(workflow).replace("Hello, what is your order number?",
        "Good day, what is your order number?"));
    String newHash = WorkflowCodec.contentHash(WorkflowLoader.load(workflow));
    int candidatesBefore = registry.candidateIds(WORKFLOW_ID).size();

    // The options of the refused candidate: only the workflow's change makes this one new.
    NightlyResult result = nightly(ONE_EPOCH, new ArrayList<>());

    NightlyResult.Outcome outcome = result.outcomes().get(0);
    assertThat(outcome.status()).isIn(NightlyResult.Status.PROMOTED, NightlyResult.Status.REFUSED);
    assertThat(registry.candidateIds(WORKFLOW_ID)).hasSize(candidatesBefore + 1).contains(outcome.candidateId());
    assertThat(registry.candidate(WORKFLOW_ID, outcome.candidateId()).workflowContentHash()).isEqualTo(newHash);
    HistoryEntry last = registry.history(WORKFLOW_ID).get(registry.history(WORKFLOW_ID).size() - 1);
    assertThat(last.candidate()).isEqualTo(outcome.candidateId());
    assertThat(last.workflowContentHash()).isEqualTo(newHash);
  }

  @Test
  @Order(5)
  void anInvalidConfigurationExitsWithTwoBeforeAnyWork() throws Exception {
    Path bad = dir.resolve("bad.yaml");
    Files.writeString(bad, "registry: registry\ngate: {metrics: []}\nworkflows: [{path: retry-loop.yaml}]\n");
    PrintStream err = System.err;
    ByteArrayOutputStream captured = new ByteArrayOutputStream();
    System.setErr(new PrintStream(captured, true, StandardCharsets.UTF_8));
    int code;
    try {
      code = SubterraCli.run("nightly", "--config", bad.toString());
    } finally {
      System.setErr(err);
    }
    assertThat(code).isEqualTo(2);
    assertThat(command("nightly", "--help")).isZero();
    assertThat(lastOut).contains("Usage: subterra nightly", "Exit codes:", "3  unchanged", "4  refused");
    assertThat(captured.toString(StandardCharsets.UTF_8)).startsWith("Invalid nightly configuration " + bad
        + ": 2 problems").contains(bad + ":2:1: gate: give metrics", bad + ":3:13: workflow retry-loop.yaml has no seed");
  }
}

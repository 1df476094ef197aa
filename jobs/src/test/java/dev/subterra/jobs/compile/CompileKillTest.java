package dev.subterra.jobs.compile;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.subterra.jobs.TestSpark;
import dev.subterra.jobs.cli.SubterraCli;
import dev.subterra.jobs.synthesize.TeacherSpec;
import dev.subterra.workflow.WorkflowLoader;
import dev.subterra.synthesis.testing.FakeChatServer;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.stream.Stream;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Kills {@code subterra compile} for real: the command runs as a child JVM with the OpenAI-compatible teacher against
 * a chat server in this process, is killed with SIGKILL during synthesis, during training (after a checkpoint) and
 * during evaluation, and is started again with the same command each time. The final outputs must be those of an
 * uninterrupted run, and the server must have answered exactly as many calls as it did for the uninterrupted run.
 */
class CompileKillTest {
  private static final Path WORKFLOW = Path.of(System.getProperty("subterra.root", ".."))
      .resolve("workflow-model/src/test/resources/workflows/retry-loop.yaml");
  private static final Duration STAGE_TIMEOUT = Duration.ofMinutes(6);
  /** Synthesis writes in this many partitions (local[2]), so this many calls are in flight at most. */
  private static final int WRITERS = 2;

  /** The teacher's API key in the children's environment: it must reach the server and no log or output. */
  private static final String API_KEY = "sk-kill-test-" + Long.toHexString(System.nanoTime());

  private static final ObjectMapper JSON = new ObjectMapper();
  private static FakeChatServer server;
  @TempDir static Path temp;

  @BeforeAll
  static void startServer() throws IOException {
    server = FakeChatServer.start();
  }

  @AfterAll
  static void stopServer() {
    server.close();
  }

  @Test
  void aRunKilledDuringSynthesisTrainingAndEvaluationEndsAsACleanRunWithoutPayingTwice() throws Exception {
    Path clean = temp.resolve("clean");
    int before = server.answered();
    assertThat(finish(start(clean, "clean"))).as(log(clean, "clean")).isZero();
    int cleanCalls = server.answered() - before;
    assertThat(cleanCalls).isGreaterThan(10);
    // The dry run's expected calls are the calls the run made.
    CompileOptions options = new CompileOptions("tiny", 2, 3, 4, new TeacherSpec(TeacherSpec.OPENAI,
        server.baseUrl().toString(), "gpt-4o-mini", null, 1, null, 7), 7);
    CompilePlan plan = CompilePipeline.planner(new org.apache.hadoop.conf.Configuration())
        .workflow(WorkflowLoader.load(WORKFLOW)).output(temp.resolve("never").toString()).options(options).plan();
    assertThat(plan.teacher().calls()).isEqualTo(cleanCalls);

    // 1. Killed during synthesis, with about a third of the teacher's calls answered and both writers waiting.
    Path run = temp.resolve("killed");
    int paidBefore = server.answered();
    server.holdAfter(paidBefore + cleanCalls / 3);
    Process first = start(run, "attempt-1");
    await(first, () -> held() >= WRITERS);
    kill(first);
    assertThat(stageStatus(run, CompilePipeline.SYNTHESIZE)).isEqualTo(StageRecord.RUNNING);
    assertThat(run.resolve("dialogues")).doesNotExist();
    server.release();

    // 2. Killed during training, after its first checkpoint.
    Process second = start(run, "attempt-2");
    await(second, () -> checkpoints(run) > 0);
    kill(second);
    assertThat(stageStatus(run, CompilePipeline.SYNTHESIZE)).isEqualTo(StageRecord.COMPLETED);
    assertThat(stageStatus(run, CompilePipeline.TRAIN)).isEqualTo(StageRecord.RUNNING);
    assertThat(run.resolve("model")).doesNotExist();

    // 3. Killed during evaluation.
    Process third = start(run, "attempt-3");
    await(third, () -> StageRecord.RUNNING.equals(stageStatusOrNull(run, CompilePipeline.EVALUATE)));
    kill(third);
    assertThat(run.resolve("eval")).doesNotExist();
    assertThat(log(run, "attempt-3")).contains("Resuming from checkpoint");

    // 4. The same command once more finishes the run.
    assertThat(finish(start(run, "attempt-4"))).as(log(run, "attempt-4")).isZero();
    assertThat(log(run, "attempt-4")).contains("evaluate: ").contains("skipped");

    assertThat(server.answered() - paidBefore).as("teacher calls answered, kills and reruns included")
        .isEqualTo(cleanCalls);
    JsonNode manifest = JSON.readTree(run.resolve(RunManifest.FILE).toFile());
    assertThat(manifest.get("status").asText()).isEqualTo(StageRecord.COMPLETED);
    assertThat(manifest.at("/stages/synthesize/attempts").asInt()).isEqualTo(2);
    assertThat(manifest.at("/stages/train/attempts").asInt()).isEqualTo(2);
    assertThat(manifest.at("/stages/evaluate/attempts").asInt()).isEqualTo(2);
    assertThat(manifest.at("/stages/synthesize/rows/cache_hits").asLong()).isPositive();

    // The same dialogues, the same weights, the same evaluation.
    SparkSession spark = TestSpark.start(CompileKillTest.class);
    try {
      assertThat(dialogues(spark, run)).isEqualTo(dialogues(spark, clean));
    } finally {
      spark.stop();
    }
    assertThat(Files.mismatch(run.resolve("model/weights.bin"), clean.resolve("model/weights.bin"))).isEqualTo(-1L);
    assertThat(Files.readString(run.resolve("train.jsonl"))).isEqualTo(Files.readString(clean.resolve("train.jsonl")));
    JsonNode summary = JSON.readTree(run.resolve("eval/summary.json").toFile());
    JsonNode cleanSummary = JSON.readTree(clean.resolve("eval/summary.json").toFile());
    for (String metric : List.of("node_accuracy", "hub_accuracy", "terminal_accuracy", "path_fidelity", "pass_k",
        "slot_accuracy", "invalid_tag_rate", "cohorts", "model_weights_hash", "scenarios")) {
      assertThat(summary.get(metric)).as(metric).isEqualTo(cleanSummary.get(metric));
    }
    assertThat(conversations(run)).isEqualTo(conversations(clean));

    // The key went to the server, and into no log, manifest or summary.
    assertThat(server.authorizations()).contains("Bearer " + API_KEY);
    try (Stream<Path> logs = Files.list(temp.resolve("logs"))) {
      for (Path file : logs.toList()) {
        assertThat(Files.readString(file)).as(file.toString()).doesNotContain(API_KEY);
      }
    }
    for (Path file : List.of(run.resolve(RunManifest.FILE), run.resolve("synthesis.json"),
        run.resolve("eval/summary.json"), run.resolve("model/provenance.json"))) {
      assertThat(Files.readString(file)).as(file.toString()).doesNotContain(API_KEY);
    }
  }

  private static int held() {
    return server.hits() - server.answered();
  }

  private static Process start(Path out, String name) throws IOException {
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    for (String argument : ManagementFactory.getRuntimeMXBean().getInputArguments()) {
      if (argument.startsWith("--add-opens") || argument.startsWith("-Dorg.bytedeco")) {
        command.add(argument);
      }
    }
    command.addAll(List.of("-Xmx2g", "-cp", System.getProperty("java.class.path"), SubterraCli.class.getName(),
        "compile", WORKFLOW.toString(), "--out", out.toString(), "--teacher", "openai",
        "--teacher-url", server.baseUrl().toString(), "--teacher-model", "gpt-4o-mini", "--preset", "tiny",
        "--per-path", "2", "--epochs", "3", "--eval-scenarios", "4", "--seed", "7", "--master", "local[2]"));
    Files.createDirectories(temp.resolve("logs"));
    ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true)
        .redirectOutput(logFile(out, name).toFile());
    // One thread per op, as the other tests: two spinning threads on a shared machine are slower, not faster.
    builder.environment().put("OMP_NUM_THREADS", "1");
    builder.environment().put("SUBTERRA_TEACHER_API_KEY", API_KEY);
    return builder.start();
  }

  private static Path logFile(Path out, String name) {
    return temp.resolve("logs").resolve(out.getFileName() + "-" + name + ".log");
  }

  private static String log(Path out, String name) throws IOException {
    return Files.readString(logFile(out, name), StandardCharsets.UTF_8);
  }

  /** Runs the command to its end and returns its exit code. */
  private static int finish(Process process) throws InterruptedException {
    assertThat(process.waitFor(STAGE_TIMEOUT.toMinutes(), TimeUnit.MINUTES)).as("the run ends in time").isTrue();
    return process.exitValue();
  }

  /** Waits until {@code condition} holds while the process still runs; fails if it ends or time runs out. */
  private static void await(Process process, BooleanSupplier condition) throws Exception {
    long deadline = System.nanoTime() + STAGE_TIMEOUT.toNanos();
    while (!condition.getAsBoolean()) {
      assertThat(process.isAlive()).as("the run ended before the kill point").isTrue();
      assertThat(System.nanoTime()).as("time out waiting for the kill point").isLessThan(deadline);
      Thread.sleep(50);
    }
  }

  /** SIGKILL: {@code destroyForcibly} on Linux. */
  private static void kill(Process process) throws InterruptedException {
    process.destroyForcibly();
    assertThat(process.waitFor(30, TimeUnit.SECONDS)).isTrue();
  }

  private static long checkpoints(Path run) {
    Path dir = run.resolve("train/checkpoints");
    if (!Files.isDirectory(dir)) {
      return 0;
    }
    try (Stream<Path> list = Files.list(dir)) {
      return list.filter(p -> p.getFileName().toString().startsWith("step-")).count();
    } catch (IOException e) {
      return 0;
    }
  }

  private static String stageStatus(Path run, String stage) throws IOException {
    return JSON.readTree(run.resolve(RunManifest.FILE).toFile()).path("stages").path(stage).path("status").asText();
  }

  private static String stageStatusOrNull(Path run, String stage) {
    try {
      return Files.exists(run.resolve(RunManifest.FILE)) ? stageStatus(run, stage) : null;
    } catch (IOException e) {
      return null;
    }
  }

  /** Every dialogue's id, scenario, split and turns, in id order: not how it was obtained (calls or cache hits). */
  private static List<String> dialogues(SparkSession spark, Path run) {
    return spark.read().parquet(run.resolve("dialogues").toString())
        .select("dialogue_id", "scenario_id", "path_id", "teacher", "split", "turns").orderBy("dialogue_id")
        .collectAsList().stream().map(Row::toString).toList();
  }

  private static List<String> conversations(Path run) throws IOException {
    return Files.readAllLines(run.resolve("eval/conversations.jsonl"));
  }
}

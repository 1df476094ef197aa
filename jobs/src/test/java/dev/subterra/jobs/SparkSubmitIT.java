package dev.subterra.jobs;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * Submits the shaded application jar the way a cluster runs it: {@code cluster-config/submit-local.sh}, which runs
 * {@code spark-submit}'s own class on Spark's jars alone, so that Subterra, DL4J, ND4J's service files and its
 * oneDNN native build can only come from {@code subterra-spark.jar}.
 *
 * <p>It leaves its run in {@code jobs/target/notebook-run/support-desk}, which CI's notebooks read.
 */
class SparkSubmitIT {
  private static final Path ROOT = Path.of(System.getProperty("subterra.root", "..")).toAbsolutePath().normalize();
  private static final Path TARGET = Path.of(System.getProperty("subterra.jobs.target", "target")).toAbsolutePath();
  private static final Path SUBMIT = ROOT.resolve("cluster-config/submit-local.sh");
  private static final ObjectMapper JSON = new ObjectMapper();

  @Test
  void compileRunsEndToEndThroughSparkSubmitOfTheShadedJar() throws Exception {
    Path workflow = ROOT.resolve("synthesis/src/test/resources/workflows/support-desk.yaml");
    Path run = TARGET.resolve("notebook-run/support-desk");
    deleteRecursively(run);
    Path log = TARGET.resolve("spark-submit-it.log");

    Result result = submit(log, "--master", "local[2]", "compile", workflow.toString(), "--out", run.toString(),
        "--preset", "tiny", "--epochs", "1", "--per-path", "2", "--eval-scenarios", "12", "--seed", "7");

    assertThat(result.exitCode()).as("exit code of spark-submit; its output:%n%s", result.tail()).isZero();
    assertThat(result.output()).as("the command's report").contains("Compiled support-desk into " + run);
    JsonNode summary = JSON.readTree(run.resolve("eval/summary.json").toFile());
    assertThat(summary.has("node_accuracy")).as("summary.json has node_accuracy: %s", summary).isTrue();
    assertThat(JSON.readTree(run.resolve("paths.json").toFile()).isObject()).isTrue();
    assertThat(run.resolve("train.jsonl")).isNotEmptyFile();
    assertThat(run.resolve("model/weights.bin")).isNotEmptyFile();
    // The model trained on ND4J's oneDNN build, which only the shaded jar carries on this classpath.
    assertThat(Files.readString(run.resolve("model/provenance.json"))).contains("cpu+onednn");
  }

  @Test
  void badArgumentsPrintTheUsageAndExitWithTwo() throws Exception {
    Result noCommand = submit(TARGET.resolve("spark-submit-it-usage.log"), "--master", "local[2]");
    assertThat(noCommand.exitCode()).isEqualTo(2);
    assertThat(noCommand.output()).contains("Missing the Subterra command").contains("Usage: cluster-config/submit-local.sh");

    Result badMaster = submit(TARGET.resolve("spark-submit-it-usage.log"), "--master", "yarn", "compile");
    assertThat(badMaster.exitCode()).isEqualTo(2);
    assertThat(badMaster.output()).contains("Invalid master for a local submission: yarn");
  }

  /** What a submission printed (stdout and stderr together) and how it exited. */
  private record Result(int exitCode, String output) {
    String tail() {
      List<String> lines = output.lines().toList();
      return String.join("\n", lines.subList(Math.max(0, lines.size() - 60), lines.size()));
    }
  }

  private static Result submit(Path log, String... args) throws IOException, InterruptedException {
    List<String> command = new ArrayList<>(List.of("bash", SUBMIT.toString()));
    command.addAll(List.of(args));
    ProcessBuilder builder = new ProcessBuilder(command).directory(ROOT.toFile()).redirectErrorStream(true)
        .redirectOutput(log.toFile());
    // The Maven build's Spark jars, not a distribution that happens to be installed; a small heap for tiny.
    builder.environment().remove("SPARK_HOME");
    builder.environment().put("SUBTERRA_DRIVER_MEMORY", "3g");
    builder.environment().put("OMP_NUM_THREADS", "1");
    Process process = builder.start();
    if (!process.waitFor(10, TimeUnit.MINUTES)) {
      process.destroyForcibly();
      throw new AssertionError("spark-submit did not finish in 10 minutes; see " + log);
    }
    return new Result(process.exitValue(), Files.readString(log, StandardCharsets.UTF_8));
  }

  private static void deleteRecursively(Path dir) throws IOException {
    if (!Files.exists(dir)) {
      return;
    }
    try (Stream<Path> paths = Files.walk(dir)) {
      for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
        Files.delete(p);
      }
    }
  }
}

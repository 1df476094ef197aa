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
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

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

  @Test
  void theClusterScriptsHandSparkSubmitTheirSettings(@TempDir Path sparkHome) throws Exception {
    // A stand-in for a distribution's spark-submit, which would contact a cluster: it prints what it was given.
    Path bin = Files.createDirectories(sparkHome.resolve("bin"));
    Path fake = Files.writeString(bin.resolve("spark-submit"), "#!/usr/bin/env bash\nprintf 'arg: %s\\n' \"$@\"\n");
    fake.toFile().setExecutable(true);
    Path log = TARGET.resolve("spark-submit-it-cluster.log");

    Result k8s = run(log, Map.of("SPARK_HOME", sparkHome.toString()), "cluster-config/submit-k8s.sh",
        "--master", "k8s://https://k8s.example:6443", "--image", "registry.example/subterra:1", "--gpus", "2",
        "--executors", "3", "compile", "workflows/travel-booking.yaml", "--out", "s3a://bucket/runs/travel");
    assertThat(k8s.exitCode()).as(k8s.output()).isZero();
    assertThat(k8s.output().lines().filter(l -> l.startsWith("arg: ")).map(l -> l.substring(5)).toList())
        .containsSubsequence("--master", "k8s://https://k8s.example:6443", "--deploy-mode", "cluster")
        .contains("spark.kubernetes.container.image=registry.example/subterra:1", "spark.executor.instances=3",
            "spark.executor.resource.gpu.amount=2", "spark.driver.resource.gpu.amount=1",
            "spark.executor.resource.gpu.discoveryScript=/opt/subterra/cluster-config/gpu-discovery.sh")
        .containsSubsequence("--class", "dev.subterra.jobs.cli.SubterraCli", "local:///opt/subterra/subterra-spark.jar",
            "compile", "workflows/travel-booking.yaml", "--out", "s3a://bucket/runs/travel")
        .anyMatch(a -> a.startsWith("spark.executor.defaultJavaOptions=") && a.contains("extension=-cudnn")
            && a.contains("--add-opens=java.base/java.nio=ALL-UNNAMED"));

    Result yarn = run(log, Map.of("SPARK_HOME", sparkHome.toString(), "HADOOP_CONF_DIR", sparkHome.toString()),
        "cluster-config/submit-yarn.sh", "--queue", "nightly", "paths", "workflows/travel-booking.yaml");
    assertThat(yarn.exitCode()).as(yarn.output()).isZero();
    assertThat(yarn.output()).contains("arg: yarn", "arg: nightly", "arg: " + ROOT.resolve("cluster-config/log4j2.properties"),
        "arg: " + TARGET.resolve("subterra-spark.jar"));

    Result noSpark = run(log, Map.of(), "cluster-config/submit-standalone.sh", "--master", "spark://head:7077", "paths", "x");
    assertThat(noSpark.exitCode()).isEqualTo(1);
    assertThat(noSpark.output()).contains("Cannot submit to a cluster: set SPARK_HOME");
  }

  @Test
  void gpuDiscoveryPrintsWhatSparkExpects(@TempDir Path tools) throws Exception {
    // A stand-in for nvidia-smi, since the build machines have no GPU.
    Path fake = Files.writeString(tools.resolve("nvidia-smi"), "#!/bin/sh\nprintf '0\\n1\\n'\n");
    fake.toFile().setExecutable(true);
    Path log = TARGET.resolve("spark-submit-it-gpu.log");
    Result found = run(log, Map.of("PATH", tools + ":" + System.getenv("PATH")), "cluster-config/gpu-discovery.sh");
    assertThat(found.exitCode()).isZero();
    JsonNode json = JSON.readTree(found.output());
    assertThat(json.get("name").asText()).isEqualTo("gpu");
    assertThat(json.get("addresses")).extracting(JsonNode::asText).containsExactly("0", "1");

    Result none = run(log, Map.of("PATH", "/usr/bin:/bin"), "cluster-config/gpu-discovery.sh");
    assertThat(none.exitCode()).isEqualTo(1);
    assertThat(none.output()).contains("Cannot find GPUs: nvidia-smi is not on the PATH");
  }

  /** What a submission printed (stdout and stderr together) and how it exited. */
  private record Result(int exitCode, String output) {
    String tail() {
      List<String> lines = output.lines().toList();
      return String.join("\n", lines.subList(Math.max(0, lines.size() - 60), lines.size()));
    }
  }

  private static Result submit(Path log, String... args) throws IOException, InterruptedException {
    // The Maven build's Spark jars, not a distribution that happens to be installed; a small heap for tiny.
    return run(log, Map.of("SUBTERRA_DRIVER_MEMORY", "3g", "OMP_NUM_THREADS", "1"), SUBMIT.toString(), args);
  }

  private static Result run(Path log, Map<String, String> env, String script, String... args)
      throws IOException, InterruptedException {
    List<String> command = new ArrayList<>(List.of("bash", script));
    command.addAll(List.of(args));
    ProcessBuilder builder = new ProcessBuilder(command).directory(ROOT.toFile()).redirectErrorStream(true)
        .redirectOutput(log.toFile());
    builder.environment().remove("SPARK_HOME");
    builder.environment().remove("HADOOP_CONF_DIR");
    builder.environment().remove("YARN_CONF_DIR");
    builder.environment().putAll(env);
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

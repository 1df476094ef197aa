package dev.subterra.jobs.train;

import dev.subterra.jobs.TestSpark;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.sun.net.httpserver.HttpServer;
import dev.subterra.jobs.baseline.BaselineJob;
import dev.subterra.jobs.paths.PathsJob;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.concurrent.atomic.AtomicInteger;
import dev.subterra.jobs.synthesize.SynthesizeJob;
import dev.subterra.synthesis.ScenarioConfig;
import dev.subterra.training.StudentTrainer;
import dev.subterra.training.artefact.ModelArtefact;
import dev.subterra.training.train.TrainerConfig;
import dev.subterra.workflow.Workflow;
import dev.subterra.workflow.WorkflowCodec;
import dev.subterra.workflow.WorkflowLoader;
import dev.subterra.workflow.paths.EnumerationConfig;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.subterra.jobs.evaluate.EvaluateJob;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TrainJobTest {
  private static final long SEED = 9;

  private static SparkSession spark;
  private static Workflow travel;
  @TempDir static Path run;

  @BeforeAll
  static void synthesize() throws Exception {
    spark = TestSpark.start(TrainJobTest.class);
    travel = WorkflowLoader.load(TestSpark.WORKFLOWS.resolve("travel-booking.yaml"));
    PathsJob.on(spark).workflow(travel).enumeration(EnumerationConfig.withSeed(SEED)).output(run.toString())
        .execute();
    SynthesizeJob.on(spark).workflow(travel).paths(run.toString()).scenarios(ScenarioConfig.perPath(1, SEED))
        .output(run.toString()).execute();
  }

  @AfterAll
  static void stopSpark() {
    spark.stop();
  }

  @Test
  void trainsATinyStudentFromTheRunAndWritesAnArtefactThatLoadsWithItsProvenance() throws Exception {
    StudentTrainer.Config config = new StudentTrainer.Config("tiny", 400, TrainerConfig.defaults(SEED).withEpochs(1));
    ModelArtefact trained = TrainJob.on(spark).run(run.toString()).config(config).execute();

    ModelArtefact loaded = ModelArtefact.load(run.resolve("model"));
    assertThat(loaded.provenance().workflowId()).isEqualTo("travel-booking");
    assertThat(loaded.provenance().workflowContentHash()).isEqualTo(WorkflowCodec.contentHash(travel));
    assertThat(loaded.provenance().seed()).isEqualTo(SEED);
    assertThat(loaded.provenance().systemLine()).isEqualTo("Travel booking");
    assertThat(loaded.tokenizer().nodeIds()).containsAll(travel.nodes().stream().map(n -> n.id()).toList());
    assertThat(loaded.provenance().weightsHash()).isEqualTo(trained.provenance().weightsHash());
    assertThat(run.resolve("train").resolve("metrics.jsonl")).isRegularFile();

    // The evaluate job plays the trained student closed-loop and writes eval/ with the stable summary keys; the MLlib
    // baseline and the teacher's replay go through the same harness, and a judge at a local endpoint scores.
    BaselineJob.on(spark).run(run.toString()).seed(SEED).execute();
    EvaluateJob.Result evaluated;
    HttpServer judge = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    AtomicInteger judged = new AtomicInteger();
    judge.createContext("/v1/chat/completions", exchange -> {
      exchange.getRequestBody().readAllBytes();
      // The first answer is not a score object: asked again, the judge gets one.
      String content = judged.getAndIncrement() == 0 ? "Looks fine to me."
          : "{\"task_success\": 4, \"information_accuracy\": 5, \"consistency\": 4, \"graceful_handling\": 5,"
              + " \"naturalness\": 3}";
      byte[] body = new ObjectMapper().createObjectNode().set("choices", new ObjectMapper().createArrayNode().add(
          new ObjectMapper().createObjectNode().put("finish_reason", "stop").set("message",
              new ObjectMapper().createObjectNode().put("role", "assistant").put("content", content))))
          .toString().getBytes(java.nio.charset.StandardCharsets.UTF_8);
      exchange.sendResponseHeaders(200, body.length);
      exchange.getResponseBody().write(body);
      exchange.close();
    });
    judge.start();
    try {
      evaluated = EvaluateJob.on(spark).run(run.toString()).scenarios(1, 6).seed(SEED).partitions(3)
          .judge(java.net.URI.create("http://127.0.0.1:" + judge.getAddress().getPort()), "judge-model").execute();
    } finally {
      judge.stop(0);
    }
    assertThat(evaluated.baseline()).isPresent();
    assertThat(evaluated.reference().summary().pathFidelity().value()).isEqualTo(1.0);
    assertThat(evaluated.judge().orElseThrow().scored()).isEqualTo(6);
    assertThat(evaluated.scenarios()).isEqualTo(6);
    JsonNode summary = new ObjectMapper().readTree(run.resolve("eval/summary.json").toFile());
    for (String key : List.of("node_accuracy", "hub_accuracy", "terminal_accuracy", "path_fidelity",
        "heldout_path_fidelity", "pass_k", "slot_accuracy", "invalid_tag_rate", "student_cost_per_conversation_usd",
        "in_context_cost_per_conversation_usd", "orchestrated_cost_per_conversation_usd", "cost_ratio_in_context")) {
      assertThat(summary.has(key)).as(key).isTrue();
    }
    assertThat(summary.at("/node_accuracy/value").asDouble()).isBetween(0.0, 1.0);
    assertThat(summary.get("cost_ratio_in_context").asDouble()).isGreaterThan(1.0);
    assertThat(Files.readAllLines(run.resolve("eval/conversations.jsonl"))).hasSize(6);
    assertThat(Files.readString(run.resolve("eval/report.md"))).contains("node_accuracy", "Cost per conversation");
    assertThat(summary.at("/baseline/path_fidelity/count").asLong()).isPositive();
    assertThat(summary.at("/baseline/cost_per_conversation_usd").asDouble()).isPositive();
    assertThat(summary.at("/reference/conformance_rate").asDouble()).isEqualTo(1.0);
    assertThat(summary.at("/judge/criteria/overall/value").asDouble()).isEqualTo(4.2);
    assertThat(Files.readString(run.resolve("eval/report.html"))).contains("data:image/png;base64,", "MLlib baseline",
        "LLM judge");
    // Parquet: one row per conversation of each policy (the student in each of three language cohorts), the judge's
    // scores beside the headline cohort's student.
    List<org.apache.spark.sql.Row> rows = spark.read().parquet(run.resolve("eval/conversations").toString())
        .select("policy", "judge_task_success", "language").collectAsList();
    assertThat(rows).hasSize(30);
    assertThat(rows.stream().filter(r -> r.getString(0).equals("student")).map(r -> r.getString(2)))
        .containsOnly("in_distribution", "heldout_language", "unseen_values").hasSize(18);
    assertThat(rows.stream().filter(r -> r.getString(0).equals("student") && r.getString(2).equals("heldout_language"))
        .map(r -> r.getInt(1))).containsOnly(4);
    assertThat(summary.at("/language_cohorts/unseen_values/scenarios").asInt()).isEqualTo(6);
    assertThat(summary.get("headline_cohort").asText()).isEqualTo("heldout_language");

    // Played across three partitions, the conversations are those of one partition playing them all.
    List<String> spread = Files.readAllLines(run.resolve("eval/conversations.jsonl"));
    EvaluateJob.on(spark).run(run.toString()).scenarios(1, 6).seed(SEED).partitions(1).execute();
    assertThat(Files.readAllLines(run.resolve("eval/conversations.jsonl"))).isEqualTo(spread);
  }

  @Test
  void aRunWithoutItsInputsSaysWhichCommandMakesThem(@TempDir Path empty) {
    // Remote run directories are trained through a local work directory (see CompileHdfsTest); a missing input is
    // refused before any work starts, wherever the run lives.
    assertThatThrownBy(() -> TrainJob.on(spark).run(empty.toString())
        .config(StudentTrainer.Config.of("tiny", SEED)).execute())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("Cannot train: " + empty + " has no workflow.json; run `subterra paths` first");
  }
}

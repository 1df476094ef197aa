package dev.subterra.jobs.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.subterra.jobs.probe.Probe;
import dev.subterra.jobs.probe.ProbeConversation;
import dev.subterra.jobs.probe.ProbeSet;
import dev.subterra.jobs.probe.ProbeSetLoader;
import dev.subterra.jobs.probe.ProbeTurn;
import dev.subterra.serving.ChatTurns;
import dev.subterra.serving.ServedModel;
import dev.subterra.synthesis.Dialogue;
import dev.subterra.synthesis.Role;
import dev.subterra.synthesis.Scenario;
import dev.subterra.synthesis.ScenarioConfig;
import dev.subterra.synthesis.ScenarioPlanner;
import dev.subterra.synthesis.Turn;
import dev.subterra.synthesis.template.TemplateTeacher;
import dev.subterra.training.StudentTrainer;
import dev.subterra.training.artefact.ModelArtefact;
import dev.subterra.training.train.TrainerConfig;
import dev.subterra.workflow.Workflow;
import dev.subterra.workflow.WorkflowLoader;
import dev.subterra.workflow.paths.EnumerationConfig;
import dev.subterra.workflow.paths.PathCatalog;
import dev.subterra.workflow.paths.SplitConfig;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.StreamSupport;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine;

/**
 * {@code subterra probe} end to end on a tiny student trained in seconds on retry-loop (a tool with a retry loop and a
 * hub): the report's structure and that its counts add up, whatever the weak model gets right; the gold history read
 * through the server's path is exactly the training layout; and bad input exits with 2, naming the file and the
 * conversation.
 */
class ProbeCommandTest {
  private static final long PATH_SEED = 11;
  private static final long TRAIN_SEED = 1;
  private static final long TRAINER_SEED = 42;
  private static final int PER_PATH = 8;
  private static final int EPOCHS = 6;
  private static final int VOCABULARY = 400;
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Logger LOG = LoggerFactory.getLogger(ProbeCommandTest.class);

  /** Three conversations of three kinds: 12 agent steps, 4 of them calls. */
  private static final String PROBES = """
      workflow: retry-loop
      conversations:
        - id: rl-natural-1
          kind: natural
          turns:
            - agent: greet
              say: "Hello, what is your order number?"
            - user: "hi, it's A-100 thanks"
            - agent: lookup
              call: find_order
              arguments: {order_id: A-100}
              result: {status: success, amount: 40}
            - agent: offer
              say: "I can refund 40. Shall I?"
        - id: rl-unseen-1
          kind: unseen
          turns:
            - user: "hello there"
            - agent: greet
              say: "Hello, what is your order number?"
            - user: "order C-777"
            - agent: lookup
              call: find_order
              arguments: {order_id: C-777}
              result: {status: not_found}
            - agent: retry
              say: "I could not find that order; could you check the number?"
            - user: "sorry, B-200"
            - agent: lookup
              call: find_order
              arguments: {order_id: B-200}
              result: {status: success, amount: 120}
            - agent: offer
              say: "I can refund 120. Shall I?"
        - id: rl-refinement-1
          kind: refinement
          turns:
            - agent: greet
              say: "Hello, what is your order number?"
            - user: "B-200"
            - agent: lookup
              call: find_order
              arguments: {order_id: B-200}
              result: {status: success, amount: 60}
            - agent: offer
              say: "I can refund 60. Shall I?"
            - user: "no, something else"
            - agent: offer
              say: "I can refund 60. Shall I?"
      """;
  private static final int STEPS = 12;
  private static final int CALLS = 4;

  @TempDir static Path dir;

  private static Path workflowFile;
  private static Workflow workflow;
  private static Path model;
  private static Path probes;

  @BeforeAll
  static void trainATinyStudent() throws Exception {
    workflowFile = Path.of(System.getProperty("subterra.root", ".."))
        .resolve("workflow-model/src/test/resources/workflows/retry-loop.yaml");
    workflow = WorkflowLoader.load(workflowFile);
    PathCatalog catalog = PathCatalog.build(workflow, EnumerationConfig.withSeed(PATH_SEED), new SplitConfig(0, 0, 0));
    List<Scenario> scenarios = new ScenarioPlanner(workflow, ScenarioConfig.perPath(PER_PATH, TRAIN_SEED))
        .plan(catalog.paths()).scenarios();
    TemplateTeacher teacher = new TemplateTeacher();
    List<Dialogue> training = new ArrayList<>();
    for (Scenario s : scenarios) {
      training.add(teacher.write(workflow, s));
    }
    TrainerConfig trainer = TrainerConfig.defaults(TRAINER_SEED).withEpochs(EPOCHS).withBatchSize(16)
        .withWarmupSteps(10);
    model = dir.resolve("model");
    new StudentTrainer(new StudentTrainer.Config("tiny", VOCABULARY, trainer), p -> { })
        .train(workflow, training, dir.resolve("work"), model);
    probes = Files.writeString(dir.resolve("retry-loop.yaml"), PROBES);
  }

  private record Run(int code, String out, String err) {}

  private static Run run(String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    CommandLine cli = SubterraCli.commandLine();
    cli.setOut(new PrintWriter(out, true));
    cli.setErr(new PrintWriter(err, true));
    int code = cli.execute(args);
    return new Run(code, out.toString(), err.toString());
  }

  @Test
  void probePrintsTheScoresAndWritesAReportWhoseCountsAddUp() throws Exception {
    Path report = dir.resolve("out/probe.json");
    Run run = run("probe", "--model", model.toString(), "--workflow", workflowFile.toString(), "--conversations",
        probes.toString(), "--out", report.toString());
    assertThat(run.code()).as(run.err()).isZero();
    LOG.info("subterra probe printed:{}{}", System.lineSeparator(), run.out());
    assertThat(run.out()).contains("Probe retry-loop: 3 conversations, " + STEPS + " agent steps, " + CALLS
        + " expected calls", "natural ", "unseen ", "refinement ", "overall ", "find_order.order_id",
        "Wrong calls (", "Report: " + report);

    JsonNode doc = JSON.readTree(report.toFile());
    assertThat(doc.path("workflow").asText()).isEqualTo("retry-loop");
    assertThat(doc.path("conversations_sha256").asText()).hasSize(64);
    assertThat(doc.at("/model/weights_hash").asText())
        .isEqualTo(ModelArtefact.load(model).provenance().weightsHash());
    assertThat(doc.at("/settings/teacher_forced").asBoolean()).isTrue();
    assertThat(doc.at("/provenance/created_at").isTextual()).isTrue();

    JsonNode overall = doc.path("overall");
    assertThat(overall.path("conversations").asInt()).isEqualTo(3);
    assertThat(overall.path("steps").asInt()).isEqualTo(STEPS);
    assertThat(overall.path("calls").asInt()).isEqualTo(CALLS);
    assertThat(overall.path("node_correct").asInt()).isBetween(0, STEPS);
    assertThat(overall.path("calls_exact").asInt()).isBetween(0, CALLS);
    assertThat(overall.at("/arguments/find_order.order_id/total").asInt()).isEqualTo(CALLS);

    // The kinds partition the whole.
    List<String> kinds = new ArrayList<>();
    doc.path("per_kind").fieldNames().forEachRemaining(kinds::add);
    assertThat(kinds).containsExactly("natural", "unseen", "refinement");
    for (String field : List.of("conversations", "conversations_right", "steps", "node_correct", "calls",
        "calls_exact")) {
      int sum = 0;
      for (String kind : kinds) {
        sum += doc.at("/per_kind/" + kind + "/" + field).asInt();
      }
      assertThat(sum).as(field).isEqualTo(overall.path(field).asInt());
    }

    // Step by step: every agent step once, with expectation and answer; the tallies are the steps' own counts.
    List<JsonNode> steps = StreamSupport.stream(doc.path("conversations").spliterator(), false)
        .flatMap(c -> StreamSupport.stream(c.path("steps").spliterator(), false)).toList();
    assertThat(steps).hasSize(STEPS);
    assertThat(steps.stream().filter(s -> s.path("node_correct").asBoolean()).count())
        .isEqualTo(overall.path("node_correct").asInt());
    assertThat(steps.stream().filter(s -> s.at("/expected/call").isObject()).count()).isEqualTo(CALLS);
    assertThat(steps.stream().filter(s -> s.path("call_exact").asBoolean()).count())
        .isEqualTo(overall.path("calls_exact").asInt());
    for (JsonNode s : steps) {
      assertThat(workflow.node(s.at("/got/node").asText())).as(s.toString()).isPresent();
      assertThat(s.path("stop").asText()).isIn("end_of_turn", "token_limit", "context_full");
    }
    JsonNode unseen = doc.path("conversations").get(1);
    assertThat(unseen.path("id").asText()).isEqualTo("rl-unseen-1");
    assertThat(unseen.at("/steps/1/turn").asInt()).isEqualTo(4);
    assertThat(unseen.at("/steps/1/expected/call/text").asText()).isEqualTo("find_order(order_id: C-777)");
    assertThat(unseen.path("right").asBoolean())
        .isEqualTo(StreamSupport.stream(unseen.path("steps").spliterator(), false)
            .allMatch(s -> s.path("correct").asBoolean()));
  }

  @Test
  void theGoldHistoryReadThroughTheServersPathIsTheTrainingLayout() throws Exception {
    ServedModel served = ServedModel.of(ModelArtefact.load(model), workflow);
    ChatTurns turns = ChatTurns.of(served);
    ProbeSet set = ProbeSetLoader.load(probes, workflow);
    int maxNew = Probe.defaultMaxNewTokens(served.contextLength());
    for (ProbeConversation c : set.conversations()) {
      for (int step : c.stepIndices()) {
        List<ProbeTurn> history = c.turns().subList(0, step);
        List<Turn> gold = new ArrayList<>();
        for (ProbeTurn t : history) {
          if (t instanceof ProbeTurn.UserMessage u) {
            gold.add(Turn.user(null, u.text()));
          } else if (t instanceof ProbeTurn.AgentStep a && a.expectsCall()) {
            gold.add(new Turn(Role.TOOL, "", a.node(), a.call(), a.result()));
          } else if (t instanceof ProbeTurn.AgentStep a) {
            gold.add(Turn.agent(a.node(), a.say()));
          }
        }
        ChatTurns.Prepared prepared = turns.prepare(Probe.messages(history), null, null, maxNew);
        assertThat(prepared.prompt()).as(c.id() + " step at turn " + (step + 1))
            .containsExactly(served.serializer().prompt(gold, served.contextLength(), maxNew));
        assertThat(prepared.untaggedTurns()).isZero();
      }
    }
  }

  @Test
  void badInputExitsWithTwoNamingTheFileAndTheConversation() throws Exception {
    Path broken = Files.writeString(dir.resolve("broken.yaml"), PROBES.replace("agent: retry", "agent: retyr"));
    Run unknownNode = run("probe", "--model", model.toString(), "--workflow", workflowFile.toString(),
        "--conversations", broken.toString());
    assertThat(unknownNode.code()).isEqualTo(2);
    assertThat(unknownNode.err()).startsWith("Invalid conversations " + broken + ": 1 problem")
        .contains(broken + ":26:9: conversation rl-unseen-1, turn 5: unknown node 'retyr'")
        .doesNotContain("Exception", "\tat ");
    assertThat(unknownNode.out()).isEmpty();

    Path missing = dir.resolve("nope.yaml");
    Run noFile = run("probe", "--model", model.toString(), "--workflow", workflowFile.toString(),
        "--conversations", missing.toString());
    assertThat(noFile.code()).isEqualTo(2);
    assertThat(noFile.err().strip()).isEqualTo("Invalid conversations " + missing + ": 1 problem"
        + System.lineSeparator() + missing + ": no such file");

    Run noWorkflow = run("probe", "--model", model.toString(), "--conversations", probes.toString());
    assertThat(noWorkflow.code()).isEqualTo(2);
    assertThat(noWorkflow.err()).contains("Error: Cannot probe " + model + ": no workflow at ")
        .contains("(pass --workflow FILE)");
    Run noModel = run("probe", "--model", dir.resolve("nothing").toString(), "--conversations", probes.toString());
    assertThat(noModel.code()).isEqualTo(2);
    assertThat(noModel.err().strip()).isEqualTo("Error: Cannot probe " + dir.resolve("nothing")
        + ": not a directory (a model/ from `train`)");
  }
}

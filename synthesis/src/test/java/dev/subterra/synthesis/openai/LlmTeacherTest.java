package dev.subterra.synthesis.openai;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.subterra.synthesis.Dialogue;
import dev.subterra.synthesis.Role;
import dev.subterra.synthesis.Scenario;
import dev.subterra.synthesis.TeacherException;
import dev.subterra.synthesis.ToolInvocation;
import dev.subterra.synthesis.Turn;
import dev.subterra.synthesis.cost.Budget;
import dev.subterra.synthesis.cost.CostLedger;
import dev.subterra.synthesis.cost.CostSummary;
import dev.subterra.synthesis.cost.PriceTable;
import dev.subterra.synthesis.testing.CapturingLoggerProvider;
import dev.subterra.synthesis.testing.FakeChatServer;
import dev.subterra.synthesis.testing.FakeChatServer.Fault;
import dev.subterra.workflow.Edge;
import dev.subterra.workflow.Fact;
import dev.subterra.workflow.Node;
import dev.subterra.workflow.NodeKind;
import dev.subterra.workflow.Slot;
import dev.subterra.workflow.SlotType;
import dev.subterra.workflow.TerminalOutcome;
import dev.subterra.workflow.ToolCall;
import dev.subterra.workflow.Workflow;
import dev.subterra.workflow.paths.PathSplit;
import java.io.IOException;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

@Timeout(value = 60, unit = TimeUnit.SECONDS)
class LlmTeacherTest {
  private static final String MODEL = "gpt-4o-mini";
  private static final String SECRET = "sk-proj-91d2c3b4a5f6-never-in-output";
  private static final ObjectMapper JSON = new ObjectMapper();

  static final List<String> ACCEPT_PATH = List.of(
      "node_greet", "node_give_order", "node_lookup", "node_offer", "node_reply", "node_route", "node_refunded");
  static final List<String> RETRY_PATH = List.of("node_greet", "node_give_order", "node_lookup", "node_retry",
      "node_give_order", "node_lookup", "node_offer", "node_reply", "node_route", "node_escalated");

  static final Workflow WORKFLOW = new Workflow("refunds", "Refund desk",
      "SECRET-FLOWCHART: ask for the order, look it up, offer a refund or escalate.", "node_greet",
      List.of("a busy parent"),
      Map.of("order", Slot.pool(SlotType.STRING, "your order number", List.of("A-100", "B-200")),
          "amount", Slot.range("refund amount found by the system", 5, 500)),
      List.of(new Fact("refund_time", "How long do refunds take?", "Refunds arrive within 5 working days.", null,
          null)),
      List.of(
          Node.agent("node_greet", "AGENT-PROMPT-GREET: greet the customer and ask for the order number.", List.of(),
              List.of(Edge.to("node_give_order"))),
          Node.user("node_give_order", "Give your order number.", List.of(), List.of(Edge.to("node_lookup"))),
          Node.tool("node_lookup", "Look the order up.",
              new ToolCall("find_order", orderedMap("order_id", "order", "currency", "currency"), List.of("amount")),
              List.of(Edge.onOutcome("node_offer", "success"), Edge.onOutcome("node_retry", "not_found"))),
          Node.agent("node_retry", "AGENT-PROMPT-RETRY: say the order was not found; ask them to check it.",
              List.of(), List.of(Edge.to("node_give_order"))),
          new Node("node_offer", NodeKind.AGENT, null, "AGENT-PROMPT-OFFER: offer a refund of the amount found.",
              List.of(), List.of("refund_time"), null, List.of(Edge.to("node_reply")), null),
          Node.user("node_reply", "Answer the agent's proposal.", List.of(), List.of(Edge.to("node_route"))),
          Node.decision("node_route", "DECISION-DESCRIPTION", List.of(
              Edge.when("node_refunded", "the user accepts the refund"),
              Edge.when("node_escalated", "the user insists on speaking to a human"))),
          Node.terminal("node_refunded", TerminalOutcome.SUCCESS),
          Node.terminal("node_escalated", TerminalOutcome.ESCALATION)));

  @TempDir Path cacheDir;
  private FakeChatServer server;

  @BeforeEach
  void startServer() throws IOException {
    server = FakeChatServer.start();
  }

  @AfterEach
  void stopServer() {
    server.close();
  }

  private static Map<String, String> orderedMap(String... keysAndValues) {
    Map<String, String> map = new LinkedHashMap<>();
    for (int i = 0; i < keysAndValues.length; i += 2) {
      map.put(keysAndValues[i], keysAndValues[i + 1]);
    }
    return map;
  }

  static Scenario scenario(String id, List<String> path, long seed) {
    return new Scenario(id, "refunds", "path-" + path.size(), path, seed, "a busy parent",
        List.of("terse", "makes typos"), orderedMap("order", "A-" + seed, "currency", "EUR", "amount", "120"),
        PathSplit.TRAIN);
  }

  static List<Scenario> scenarios(int count) {
    List<Scenario> out = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      out.add(scenario("s" + i, i % 2 == 0 ? ACCEPT_PATH : RETRY_PATH, 1000 + i));
    }
    return out;
  }

  /** Agent and user turns: the requests one scenario makes. */
  static int llmTurns(Scenario scenario) {
    return (int) scenario.nodes().stream()
        .map(id -> WORKFLOW.node(id).orElseThrow().kind())
        .filter(kind -> kind == NodeKind.AGENT || kind == NodeKind.USER)
        .count();
  }

  private LlmTeacher teacher(Path dir, Budget budget, Optional<ApiKey> key) {
    ChatClientConfig client = ChatClientTest.fastConfig(server.baseUrl());
    return LlmTeacher.connect(new LlmTeacherConfig(MODEL, 0.7, 64), client, key, new LocalDirectoryCacheStore(dir),
        CostLedger.forModel(PriceTable.bundled(), MODEL, budget));
  }

  private LlmTeacher teacher(Path dir) {
    return teacher(dir, Budget.unlimited(), Optional.empty());
  }

  /** Every scenario ends as a dialogue or a TeacherException, on a small pool, within a bounded time. */
  private static List<Object> runAll(LlmTeacher teacher, List<Scenario> scenarios) throws Exception {
    ExecutorService pool = Executors.newFixedThreadPool(3);
    try {
      List<Future<Object>> futures = new ArrayList<>();
      for (Scenario scenario : scenarios) {
        futures.add(pool.submit(() -> {
          try {
            return teacher.write(WORKFLOW, scenario);
          } catch (TeacherException e) {
            return e;
          }
        }));
      }
      List<Object> outcomes = new ArrayList<>();
      for (Future<Object> future : futures) {
        outcomes.add(future.get(30, TimeUnit.SECONDS));
      }
      return outcomes;
    } finally {
      pool.shutdownNow();
    }
  }

  private static JsonNode body(String json) {
    try {
      return JSON.readTree(json);
    } catch (IOException e) {
      throw new AssertionError(e);
    }
  }

  private List<JsonNode> requestsWhoseSystemPromptStartsWith(String prefix) {
    return server.bodies().stream().map(LlmTeacherTest::body)
        .filter(b -> b.path("messages").get(0).path("content").asText().startsWith(prefix))
        .toList();
  }

  @Test
  void writesEveryTurnOfThePathWithDeterministicToolTurns() throws Exception {
    LlmTeacher teacher = teacher(cacheDir);

    MeteredDialogue metered = teacher.writeMetered(WORKFLOW, scenario("s1", RETRY_PATH, 7));
    Dialogue dialogue = metered.dialogue();

    assertThat(teacher.name()).isEqualTo("openai:gpt-4o-mini");
    assertThat(dialogue.teacher()).isEqualTo("openai:gpt-4o-mini");
    assertThat(dialogue.turns()).extracting(Turn::nodeId).containsExactly("node_greet", "node_give_order",
        "node_lookup", "node_retry", "node_give_order", "node_lookup", "node_offer", "node_reply");
    assertThat(dialogue.turns()).extracting(Turn::role).containsExactly(Role.AGENT, Role.USER, Role.TOOL,
        Role.AGENT, Role.USER, Role.TOOL, Role.AGENT, Role.USER);
    Turn firstLookup = dialogue.turns().get(2);
    assertThat(firstLookup.call()).isEqualTo(new ToolInvocation("find_order",
        orderedMap("order_id", "A-7", "currency", "EUR")));
    assertThat(List.copyOf(firstLookup.call().arguments().keySet())).containsExactly("order_id", "currency");
    assertThat(firstLookup.result()).isEqualTo("{\"status\":\"not_found\",\"amount\":\"120\"}");
    assertThat(dialogue.turns().get(5).result()).isEqualTo("{\"status\":\"success\",\"amount\":\"120\"}");
    assertThat(dialogue.turns().get(0).text()).startsWith("Reply ");
    assertThat(server.hits()).isEqualTo(6).isEqualTo(metered.completions());
    assertThat(metered.cacheHits()).isZero();
    assertThat(metered.costUsd()).isPositive().isEqualByComparingTo(teacher.ledger().summary().spentUsd());
    assertThat(server.bodies()).allSatisfy(b -> assertThat(body(b).path("seed").asLong())
        .isEqualTo(LlmTeacher.requestSeed(7)));
  }

  @Test
  void givesTheAgentItsPromptCitedFactsAndTheToolResults() throws Exception {
    teacher(cacheDir).write(WORKFLOW, scenario("s1", ACCEPT_PATH, 7));

    JsonNode offer = requestsWhoseSystemPromptStartsWith("You are the agent").stream()
        .filter(b -> b.toString().contains("AGENT-PROMPT-OFFER")).findFirst().orElseThrow();
    String system = offer.path("messages").get(0).path("content").asText();
    String conversation = offer.path("messages").get(1).path("content").asText();
    assertThat(system).contains("AGENT-PROMPT-OFFER", "Refunds arrive within 5 working days.")
        .doesNotContain("AGENT-PROMPT-GREET", "AGENT-PROMPT-RETRY");
    assertThat(conversation).contains("Agent: Reply ", "User: Reply ",
        "Tool call find_order(order_id=\"A-7\", currency=\"EUR\") returned {\"status\":\"success\"");
  }

  @Test
  void neverShowsTheUserTheFlowchart() throws Exception {
    LlmTeacher teacher = teacher(cacheDir);
    teacher.write(WORKFLOW, scenario("s1", RETRY_PATH, 7));
    teacher.write(WORKFLOW, scenario("s2", ACCEPT_PATH, 8));

    List<JsonNode> userRequests = requestsWhoseSystemPromptStartsWith("You are role-playing a user");
    assertThat(userRequests).hasSize(5);
    for (JsonNode request : userRequests) {
      String text = request.path("messages").toString();
      for (Node node : WORKFLOW.nodes()) {
        assertThat(text).doesNotContain(node.id());
        if (node.kind() != NodeKind.USER && node.prompt() != null) {
          assertThat(text).doesNotContain(node.prompt());
        }
      }
      assertThat(text).doesNotContain("SECRET-FLOWCHART", "DECISION-DESCRIPTION", "find_order", "Tool call",
          "AGENT-PROMPT", "refund amount found by the system", "\\\"120\\\"")
          .contains("a busy parent", "terse, makes typos", "A-", "your order number");
    }
  }

  @Test
  void putsTheChosenEdgesConditionInTheUserInstructionAtABranch() throws Exception {
    LlmTeacher teacher = teacher(cacheDir);
    teacher.write(WORKFLOW, scenario("s1", ACCEPT_PATH, 7));
    teacher.write(WORKFLOW, scenario("s2", RETRY_PATH, 8));

    List<String> systems = requestsWhoseSystemPromptStartsWith("You are role-playing a user").stream()
        .map(b -> b.path("messages").get(0).path("content").asText())
        .toList();
    List<String> replies = systems.stream().filter(s -> s.contains("Answer the agent's proposal.")).toList();
    assertThat(replies).hasSize(2);
    assertThat(replies.get(0)).contains("Your message must make this true: the user accepts the refund.")
        .doesNotContain("speaking to a human");
    assertThat(replies.get(1)).contains("Your message must make this true: the user insists on speaking to a human.")
        .doesNotContain("accepts the refund");
    assertThat(systems.stream().filter(s -> s.contains("Give your order number.")))
        .hasSize(3)
        .allSatisfy(s -> assertThat(s).doesNotContain("must make this true"));
  }

  @Test
  void aRerunMakesNoCallsAndWritesTheSameDialogues() throws Exception {
    List<Scenario> scenarios = scenarios(6);
    LlmTeacher first = teacher(cacheDir);
    List<Object> firstRun = runAll(first, scenarios);
    int calls = server.hits();
    assertThat(calls).isEqualTo(scenarios.stream().mapToInt(LlmTeacherTest::llmTurns).sum());

    LlmTeacher second = teacher(cacheDir);
    List<Object> secondRun = runAll(second, scenarios);

    assertThat(server.hits()).isEqualTo(calls);
    assertThat(secondRun).isEqualTo(firstRun).allSatisfy(o -> assertThat(o).isInstanceOf(Dialogue.class));
    CostSummary summary = second.ledger().summary();
    assertThat(summary.calls()).isZero();
    assertThat(summary.spentUsd()).isZero();
    assertThat(summary.cacheHits()).isEqualTo(calls);
    assertThat(summary.replayedUsd()).isEqualByComparingTo(first.ledger().summary().spentUsd());
  }

  @Test
  void aRunKilledHalfWayAndResumedCostsOnePassOfCalls() throws Exception {
    List<Scenario> scenarios = scenarios(10);
    int onePass = scenarios.stream().mapToInt(LlmTeacherTest::llmTurns).sum();

    LlmTeacher killed = teacher(cacheDir);
    runAll(killed, scenarios.subList(0, 5));
    int beforeKill = server.hits();
    assertThat(beforeKill).isPositive().isLessThan(onePass);

    LlmTeacher resumed = teacher(cacheDir);
    List<Object> outcomes = runAll(resumed, scenarios);

    assertThat(outcomes).allSatisfy(o -> assertThat(o).isInstanceOf(Dialogue.class));
    assertThat(server.hits()).isEqualTo(onePass);
    assertThat(new HashSet<>(server.bodies())).hasSize(onePass);
    BigDecimal paid = killed.ledger().summary().spentUsd().add(resumed.ledger().summary().spentUsd());
    assertThat(resumed.ledger().summary().totalUsd()).isEqualByComparingTo(paid);
    assertThat(resumed.ledger().summary().cacheHits()).isEqualTo(beforeKill);
  }

  @Test
  void stopsCallingOnceTheBudgetWouldBePassed() throws Exception {
    Budget budget = Budget.of("0.0006");
    LlmTeacher teacher = teacher(cacheDir, budget, Optional.empty());

    List<Object> outcomes = new ArrayList<>();
    for (Scenario scenario : scenarios(8)) {
      try {
        outcomes.add(teacher.write(WORKFLOW, scenario));
      } catch (TeacherException e) {
        outcomes.add(e);
      }
    }

    CostSummary summary = teacher.ledger().summary();
    assertThat(outcomes).anySatisfy(o -> assertThat(o).isInstanceOf(Dialogue.class));
    List<TeacherException> refused = outcomes.stream().filter(TeacherException.class::isInstance)
        .map(TeacherException.class::cast).toList();
    assertThat(refused).isNotEmpty().allSatisfy(e -> {
      assertThat(e.retryable()).isTrue();
      assertThat(e.getMessage()).contains("Cannot call teacher: budget of $0.0006 spent");
    });
    assertThat(summary.spentUsd()).isLessThanOrEqualTo(budget.usd().orElseThrow());
    assertThat(summary.calls()).isEqualTo(server.hits());
    assertThat(summary.refusedCalls()).isEqualTo(refused.size());
  }

  @Test
  void rejectsOneBadScenarioWithItsReasonAndWritesTheOthers() throws Exception {
    server.failWhen("A-1001", Fault.EMPTY_CONTENT);
    LlmTeacher teacher = teacher(cacheDir);
    Scenario unknownNode = new Scenario("bad-node", "refunds", "p", List.of("node_greet", "node_nowhere"), 1, null,
        List.of(), Map.of(), PathSplit.TRAIN);
    Scenario noEdge = new Scenario("bad-edge", "refunds", "p", List.of("node_greet", "node_offer"), 1, null,
        List.of(), Map.of(), PathSplit.TRAIN);
    Scenario missingSlot = new Scenario("bad-slot", "refunds", "p", List.of("node_lookup", "node_offer"), 1, null,
        List.of(), Map.of(), PathSplit.TRAIN);

    List<Object> outcomes = runAll(teacher, scenarios(4));

    assertThat(outcomes.get(0)).isInstanceOf(Dialogue.class);
    assertThat(outcomes.get(1)).isInstanceOfSatisfying(TeacherException.class, e -> {
      assertThat(e.retryable()).isFalse();
      assertThat(e).hasMessageStartingWith("Cannot write turn node_give_order of scenario s1: ")
          .hasMessageEndingWith("Cannot use teacher answer after 4 attempts: answer has empty content");
    });
    assertThat(outcomes.subList(2, 4)).allSatisfy(o -> assertThat(o).isInstanceOf(Dialogue.class));
    assertThatThrownBy(() -> teacher.write(WORKFLOW, unknownNode))
        .isInstanceOf(TeacherException.class)
        .hasMessage("Cannot write scenario bad-node: node node_nowhere is not in workflow refunds");
    assertThatThrownBy(() -> teacher.write(WORKFLOW, noEdge))
        .hasMessage("Cannot write scenario bad-edge: its path goes from node_greet to node_offer where the workflow "
            + "has no edge");
    assertThatThrownBy(() -> teacher.write(WORKFLOW, missingSlot))
        .hasMessage("Cannot call tool find_order at node 'node_lookup': slot 'order' has no value in scenario bad-slot");
    assertThatThrownBy(() -> teacher.write(WORKFLOW, null))
        .isInstanceOf(TeacherException.class)
        .hasMessageStartingWith("Cannot write scenario null: java.lang.NullPointerException");
  }

  @Test
  void theApiKeyAppearsNowhereButInTheHeader() throws Exception {
    server.failWhen("A-1002", Fault.UNAUTHORIZED_ECHO);
    Optional<ApiKey> key = ApiKey.fromEnvironment(Map.of(ApiKey.FALLBACK_VARIABLE, SECRET)::get);
    LlmTeacher teacher = teacher(cacheDir, Budget.of("5"), key);

    List<Object> outcomes = runAll(teacher, scenarios(4));

    assertThat(server.authorizations()).isNotEmpty().allSatisfy(h -> assertThat(h).isEqualTo("Bearer " + SECRET));
    assertThat(outcomes).filteredOn(TeacherException.class::isInstance).hasSize(1).allSatisfy(e -> {
      assertThat(((Throwable) e).getMessage()).contains("HTTP 401", "[redacted]").doesNotContain(SECRET);
    });
    StringBuilder written = new StringBuilder();
    for (Object outcome : outcomes) {
      written.append(outcome instanceof Dialogue d ? JSON.writeValueAsString(d) : outcome.toString());
    }
    written.append(teacher.ledger().summary()).append(teacher.clientStats()).append(teacher);
    assertThat(written.toString()).doesNotContain(SECRET);
    assertThat(CapturingLoggerProvider.text()).doesNotContain(SECRET);
    assertThat(server.bodies()).allSatisfy(b -> assertThat(b).doesNotContain(SECRET));
    try (Stream<Path> files = Files.walk(cacheDir)) {
      List<Path> entries = files.filter(Files::isRegularFile).toList();
      assertThat(entries).isNotEmpty();
      for (Path entry : entries) {
        assertThat(Files.readString(entry, StandardCharsets.UTF_8)).doesNotContain(SECRET);
      }
    }
  }

  @Test
  void sendsTheSameRequestsForTheSameScenario() throws Exception {
    Scenario scenario = scenario("s1", ACCEPT_PATH, 42);
    teacher(cacheDir.resolve("a")).write(WORKFLOW, scenario);
    List<String> first = server.bodies();
    teacher(cacheDir.resolve("b")).write(WORKFLOW, scenario);

    assertThat(server.bodies().subList(first.size(), server.bodies().size())).isEqualTo(first);
  }

  @Test
  void retriesThroughFaultsAndStillWritesTheDialogue() throws Exception {
    server.retryAfter("0").script(Fault.RATE_LIMITED, Fault.DROP_CONNECTION, Fault.CUT_OFF);
    LlmTeacher teacher = teacher(cacheDir);

    Dialogue dialogue = teacher.write(WORKFLOW, scenario("s1", ACCEPT_PATH, 3));

    assertThat(dialogue.turns()).hasSize(5);
    assertThat(teacher.clientStats().retries()).isEqualTo(3);
    assertThat(server.hits()).isEqualTo(4 + 3);
    assertThat(teacher.ledger().summary().calls()).isEqualTo(4);
  }

  @Test
  void timesOutASlowServerAndRejectsTheScenarioAsRetryable() throws Exception {
    server.slowDelay(Duration.ofMillis(800)).failWhen("A-1000", Fault.SLOW);
    ChatClientConfig client = ChatClientTest.fastConfig(server.baseUrl())
        .withTimeouts(Duration.ofSeconds(1), Duration.ofMillis(150))
        .withRetries(1, Duration.ofMillis(5), Duration.ofMillis(5), Duration.ofSeconds(1));
    LlmTeacher teacher = LlmTeacher.connect(new LlmTeacherConfig(MODEL, 0.7, 64), client, Optional.empty(),
        new LocalDirectoryCacheStore(cacheDir), CostLedger.forModel(PriceTable.bundled(), MODEL, Budget.of("1")));

    assertThatThrownBy(() -> teacher.write(WORKFLOW, scenario("s0", ACCEPT_PATH, 1000)))
        .isInstanceOfSatisfying(TeacherException.class, e -> assertThat(e.retryable()).isTrue())
        .hasMessageContaining("Cannot call teacher after 2 attempts: timed out");
    // The greeting knows no slot and went through; the user turn timed out twice, and failed calls cost nothing.
    assertThat(server.hits()).isEqualTo(1 + 2);
    CostSummary summary = teacher.ledger().summary();
    assertThat(summary.calls()).isEqualTo(1);
    assertThat(summary.spentUsd())
        .isEqualByComparingTo(PriceTable.bundled().price(MODEL).orElseThrow().cost(summary.tokens()));
  }
}

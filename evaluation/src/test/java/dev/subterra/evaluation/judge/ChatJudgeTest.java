package dev.subterra.evaluation.judge;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.subterra.evaluation.Fixtures;
import dev.subterra.evaluation.loop.ClosedLoopConfig;
import dev.subterra.evaluation.loop.ClosedLoopRunner;
import dev.subterra.evaluation.loop.ConversationResult;
import dev.subterra.evaluation.metrics.Bootstrap;
import dev.subterra.evaluation.policy.ReferencePolicy;
import dev.subterra.synthesis.Scenario;
import dev.subterra.synthesis.openai.ChatClient;
import dev.subterra.synthesis.openai.ChatClientConfig;
import dev.subterra.workflow.Workflow;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The judge against a real local chat-completions server that answers with scripted contents and faults. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class ChatJudgeTest {
  private static final String GOOD = "{\"task_success\": 5, \"information_accuracy\": 4, \"consistency\": 5,"
      + " \"graceful_handling\": 3, \"naturalness\": 4}";
  private static final String SLOW = "#slow";
  private static final String ERROR = "#500";
  private static final ObjectMapper JSON = new ObjectMapper();

  private static Workflow workflow;
  private static Scenario scenario;
  private static ConversationResult conversation;

  private HttpServer server;
  private final ConcurrentLinkedQueue<String> script = new ConcurrentLinkedQueue<>();
  private final List<String> bodies = Collections.synchronizedList(new ArrayList<>());

  @BeforeAll
  static void play() throws Exception {
    workflow = Fixtures.supportDesk();
    List<Scenario> scenarios = Fixtures.scenarios(workflow, Fixtures.catalog(workflow), p -> true, 1, 3).subList(0, 1);
    scenario = scenarios.get(0);
    conversation = new ClosedLoopRunner(workflow, ClosedLoopConfig.defaults())
        .run(new ReferencePolicy(Fixtures.dialogues(workflow, scenarios)), scenarios, 1).get(0);
  }

  @BeforeEach
  void start() throws IOException {
    server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    server.createContext("/v1/chat/completions", this::answer);
    server.setExecutor(Executors.newFixedThreadPool(4));
    server.start();
  }

  @AfterEach
  void stop() {
    server.stop(0);
  }

  /** Each request takes the next scripted answer: a content, {@value #ERROR} or {@value #SLOW}; then {@link #GOOD}. */
  private void answer(HttpExchange exchange) throws IOException {
    bodies.add(new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8));
    String next = script.poll();
    String content = next == null ? GOOD : next;
    if (ERROR.equals(content)) {
      send(exchange, 500, "{\"error\":{\"message\":\"overloaded\"}}");
      return;
    }
    if (SLOW.equals(content)) {
      try {
        Thread.sleep(1_500);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      content = GOOD;
    }
    ObjectNode root = JSON.createObjectNode();
    ObjectNode choice = root.putArray("choices").addObject();
    choice.putObject("message").put("role", "assistant").put("content", content);
    choice.put("finish_reason", "stop");
    root.putObject("usage").put("prompt_tokens", 1000).put("completion_tokens", 40);
    send(exchange, 200, root.toString());
  }

  private static void send(HttpExchange exchange, int status, String body) throws IOException {
    byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
    exchange.getResponseHeaders().add("Content-Type", "application/json");
    exchange.sendResponseHeaders(status, bytes.length);
    try (OutputStream out = exchange.getResponseBody()) {
      out.write(bytes);
    }
  }

  private ChatJudge judge() {
    ChatClientConfig config = ChatClientConfig.defaults(URI.create("http://127.0.0.1:" + server.getAddress().getPort()),
        1).withTimeouts(Duration.ofSeconds(2), Duration.ofMillis(700))
        .withRetries(2, Duration.ofMillis(5), Duration.ofMillis(20), Duration.ofSeconds(1));
    return new ChatJudge(new ChatClient(config, Optional.empty()), "judge-model", Rubric.bundled(), 3, 7);
  }

  @Test
  void scoresAConversationOnTheFiveCriteriaWithTheRubricAndTranscriptInThePrompt() throws Exception {
    Verdict v = judge().assess(workflow, scenario, conversation);

    assertThat(v.scores()).isEqualTo(new JudgeScores(5, 4, 5, 3, 4));
    assertThat(v.failure()).isNull();
    assertThat(v.attempts()).isEqualTo(1);
    assertThat(v.inputTokens()).isEqualTo(1000);
    var request = JSON.readTree(bodies.get(0));
    assertThat(request.path("model").asText()).isEqualTo("judge-model");
    String system = request.at("/messages/0/content").asText();
    String user = request.at("/messages/1/content").asText();
    assertThat(system).contains("task_success", "information_accuracy", "consistency", "graceful_handling",
        "naturalness", "1 = ", "5 = ");
    assertThat(user).contains("## Procedure", "## The conversation", "USER: ", "AGENT: ")
        .contains(scenario.slots().values().iterator().next());
    // The judge reads the conversation as a user would have seen it: no node tags.
    assertThat(user).doesNotContain("<node");
  }

  @Test
  void aServerErrorAndATimeoutAreRetriedByTheClient() {
    script.add(ERROR);
    script.add(SLOW);
    Verdict v = judge().assess(workflow, scenario, conversation);

    assertThat(v.scores()).isEqualTo(new JudgeScores(5, 4, 5, 3, 4));
    assertThat(bodies).hasSize(3);
  }

  @Test
  void aMalformedAnswerIsAskedForAgainAndThreeAreRecordedAsTheConversationsFailure() {
    script.add("Overall the agent did well, I'd say 4/5.");
    Verdict recovered = judge().assess(workflow, scenario, conversation);
    assertThat(recovered.scores()).isNotNull();
    assertThat(recovered.attempts()).isEqualTo(2);
    // The retry asks with another seed, so that a sampling server may answer differently.
    assertThat(JSON.valueToTree(bodies).get(0).asText()).isNotEqualTo(JSON.valueToTree(bodies).get(1).asText());

    script.add("{\"task_success\": 5}");
    script.add("{\"task_success\": 9, \"information_accuracy\": 4, \"consistency\": 5, \"graceful_handling\": 3,"
        + " \"naturalness\": 4}");
    script.add("not json at all");
    Verdict failed = judge().assess(workflow, scenario, conversation);
    assertThat(failed.scores()).isNull();
    assertThat(failed.attempts()).isEqualTo(3);
    assertThat(failed.failure()).startsWith("malformed answer: not a JSON object");

    JudgeSummary summary = JudgeSummary.of("judge-model", "v", List.of(recovered, failed), Bootstrap.of(1), null);
    assertThat(summary.scored()).isEqualTo(1);
    assertThat(summary.failures()).containsEntry("malformed answer", 1);
    assertThat(summary.criteria().get("task_success").value()).isEqualTo(5.0);
    assertThat(summary.criteria().get(JudgeSummary.OVERALL).value()).isEqualTo(4.2);
  }

  @Test
  void anEndpointThatNeverAnswersIsAFailureOfThatConversationNotAnException() {
    for (int i = 0; i < 3; i++) {
      script.add(ERROR);
    }
    Verdict v = judge().assess(workflow, scenario, conversation);
    assertThat(v.scores()).isNull();
    assertThat(v.failure()).startsWith("endpoint failed: ").contains("HTTP 500");
  }

  @Test
  void onlyAStrictScoreObjectParses() {
    assertThat(ChatJudge.parse("```json\n" + GOOD + "\n```")).isEqualTo(new JudgeScores(5, 4, 5, 3, 4));
    assertThatThrownBy(() -> ChatJudge.parse(GOOD.replace("4}", "4.5}")))
        .hasMessage("score of naturalness is 4.5, not an integer from 1 to 5");
    assertThatThrownBy(() -> ChatJudge.parse(GOOD.replace("}", ", \"verdict\": \"good\"}")))
        .hasMessage("unknown key 'verdict'");
    assertThatThrownBy(() -> ChatJudge.parse("[5, 4, 5, 3, 4]")).hasMessageStartingWith("not a JSON object");
  }
}

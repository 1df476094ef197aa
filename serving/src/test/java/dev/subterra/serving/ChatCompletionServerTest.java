package dev.subterra.serving;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.subterra.synthesis.Dialogue;
import dev.subterra.synthesis.Role;
import dev.subterra.synthesis.Scenario;
import dev.subterra.synthesis.ScenarioConfig;
import dev.subterra.synthesis.ScenarioPlanner;
import dev.subterra.synthesis.ToolInvocation;
import dev.subterra.synthesis.Turn;
import dev.subterra.synthesis.cost.Budget;
import dev.subterra.synthesis.cost.CostLedger;
import dev.subterra.synthesis.cost.PriceTable;
import dev.subterra.synthesis.openai.ApiKey;
import dev.subterra.synthesis.openai.ChatClientConfig;
import dev.subterra.synthesis.openai.LlmTeacher;
import dev.subterra.synthesis.openai.LlmTeacherConfig;
import dev.subterra.synthesis.openai.LocalDirectoryCacheStore;
import dev.subterra.training.decode.Decoder;
import dev.subterra.training.decode.DecodingConfig;
import dev.subterra.workflow.Node;
import dev.subterra.workflow.NodeKind;
import dev.subterra.workflow.paths.EnumerationConfig;
import dev.subterra.workflow.paths.PathCatalog;
import dev.subterra.workflow.paths.SplitConfig;
import java.io.BufferedReader;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The server over real loopback HTTP, with a tiny student trained on retry-loop behind it: whole conversations,
 * streaming, the tool-call round trip, authentication, every kind of bad input, truncation, concurrent clients
 * batched together, shutdown during requests, and synthesis' OpenAI-compatible teacher pointed at it. Assertions are
 * about the protocol and hold for any model, however weak.
 */
class ChatCompletionServerTest {
  private static final Logger LOG = LoggerFactory.getLogger(ChatCompletionServerTest.class);
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String KEY = "test-key-not-a-secret";
  private static final int MAX_NEW = 24;
  private static final int MAX_BODY = 64 * 1024;
  private static final int CONCURRENT = 8;
  /** Teacher-forced, the tiny student names the reference's node on most turns; a bar well below what it reaches. */
  private static final double MIN_NODE_AGREEMENT = 0.5;

  @TempDir
  static java.nio.file.Path dir;

  private static TinyStudent student;
  private static ChatCompletionServer server;
  private static HttpClient http;

  @BeforeAll
  static void start() throws Exception {
    student = TinyStudent.train(dir);
    server = ChatCompletionServer.start(student.model, ServerConfig.defaults().withApiKey(KEY)
        .withMaxNewTokens(MAX_NEW).withMaxBodyBytes(MAX_BODY).withBatching(32, 64));
    http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(10))
        .build();
  }

  @AfterAll
  static void stop() {
    if (server != null) {
      server.close();
    }
  }

  @Test
  void aConversationFollowsTheWorkflowTurnByTurn() throws Exception {
    int turns = 0;
    int agreed = 0;
    for (Dialogue reference : student.references.subList(0, 3)) {
      ArrayNode messages = JSON.createArrayNode();
      messages.addObject().put("role", "system").put("content", "Ignored: the procedure is in the weights.");
      for (Turn turn : reference.turns()) {
        if (turn.role() == Role.USER) {
          messages.addObject().put("role", "user").put("content", turn.text());
          continue;
        }
        JsonNode answer = post(request(messages)).body;
        JsonNode message = answer.at("/choices/0/message");
        String node = message.at("/subterra/node").asText();
        Node workflowNode = student.workflow.node(node).orElseThrow(() -> new AssertionError("not a node: " + node));
        assertThat(message.at("/subterra/kind").asText()).isEqualTo(workflowNode.kind().wireName());
        assertThat(message.at("/subterra/tag").asText()).isEqualTo("<node:" + node + ">");
        assertThat(message.at("/subterra/ignored_system_messages").asInt()).isEqualTo(1);
        assertThat(message.at("/subterra/untagged_turns").asInt()).isZero();
        assertThat(message.path("content").asText("")).doesNotContain("<node:").doesNotContain("[" + node + "]");
        assertThat(message.path("role").asText()).isEqualTo("assistant");
        assertThat(answer.path("object").asText()).isEqualTo("chat.completion");
        assertThat(answer.at("/usage/total_tokens").asInt())
            .isEqualTo(answer.at("/usage/prompt_tokens").asInt() + answer.at("/usage/completion_tokens").asInt());
        if (workflowNode.kind() == NodeKind.TOOL) {
          assertThat(message.path("tool_calls")).hasSize(1);
          assertThat(answer.at("/choices/0/finish_reason").asText()).isIn("tool_calls", "length");
        }
        turns++;
        agreed += node.equals(turn.nodeId()) ? 1 : 0;
        // The reference turn goes back, tagged one way or the other: the extension, or [node] in the text.
        ObjectNode back = messages.addObject().put("role", "assistant");
        if (turns % 2 == 0) {
          back.putObject("subterra").put("node", turn.nodeId());
          back.put("content", turn.text());
        } else {
          back.put("content", "[" + turn.nodeId() + "] " + turn.text());
        }
        if (turn.role() == Role.TOOL) {
          back.putNull("content");
          back.putArray("tool_calls").addObject().put("id", "call_ref").put("type", "function").putObject("function")
              .put("name", turn.call().name()).put("arguments", JSON.writeValueAsString(turn.call().arguments()));
          messages.addObject().put("role", "tool").put("tool_call_id", "call_ref").put("content", turn.result());
        }
      }
    }
    LOG.info("Teacher-forced through 3 retry-loop dialogues: {} of {} turns on the reference's node", agreed, turns);
    assertThat(turns).isGreaterThan(5);
    assertThat(agreed / (double) turns).isGreaterThan(MIN_NODE_AGREEMENT);
  }

  @Test
  void aToolCallGoesOutAsToolCallsAndItsResultComesBackAsARoleToolMessage() throws Exception {
    Dialogue reference = withTool();
    int at = indexOfTool(reference);
    ArrayNode messages = messages(reference.turns().subList(0, at));
    // Required: however weak the student, the turn is a call, and the round trip can be followed.
    JsonNode first = post(request(messages).put("tool_choice", "required")).body;
    JsonNode message = first.at("/choices/0/message");
    assertThat(message.at("/subterra/kind").asText()).isEqualTo("tool");
    assertThat(first.at("/choices/0/finish_reason").asText()).isEqualTo("tool_calls");
    JsonNode call = message.at("/tool_calls/0");
    assertThat(call.path("type").asText()).isEqualTo("function");
    assertThat(call.at("/function/name").asText()).isEqualTo(message.at("/subterra/tool_call/name").asText());
    assertThat(JSON.readTree(call.at("/function/arguments").asText()).isObject()).isTrue();
    assertThat(message.path("content").isNull()).isTrue();
    // Grounded: the call has its tool's arguments, each a value the user's messages hold (a listed value in any case).
    StringBuilder said = new StringBuilder();
    messages.forEach(m -> said.append(m.path("role").asText().equals("user") ? m.path("content").asText() + "\n" : ""));
    Map<String, String> sent = JSON.readValue(call.at("/function/arguments").asText(),
        new com.fasterxml.jackson.core.type.TypeReference<Map<String, String>>() { });
    assertThat(sent).isNotEmpty();
    assertThat(sent.values()).allSatisfy(v -> assertThat(said.toString()).containsIgnoringCase(v));

    Turn tool = reference.turns().get(at);
    // As an application does: the assistant message exactly as it came, then the tool's answer.
    ArrayNode echoed = messages.deepCopy();
    echoed.add(message);
    echoed.addObject().put("role", "tool").put("tool_call_id", call.path("id").asText()).put("content", tool.result());
    JsonNode second = post(request(echoed)).body;
    assertThat(second.at("/choices/0/message/subterra/untagged_turns").asInt()).isZero();
    // The student read the tool's result exactly as in training: the answer is the one a local decoder writes for
    // the serialised turns, call and result included.
    String node = message.at("/subterra/node").asText();
    Map<String, String> arguments = JSON.convertValue(message.at("/subterra/tool_call/arguments"),
        new com.fasterxml.jackson.core.type.TypeReference<Map<String, String>>() { });
    List<Turn> expected = new ArrayList<>(reference.turns().subList(0, at));
    expected.add(new Turn(Role.TOOL, "", node, new ToolInvocation(call.at("/function/name").asText(), arguments),
        tool.result()));
    int[] prompt = student.model.serializer().prompt(expected, student.model.contextLength(), MAX_NEW);
    Turn local = student.model.serializer().parseAgentTurn(Decoder.constrained(student.model.artefact().model(),
        student.model.tokenizer(), true, dev.subterra.training.decode.GroundedCalls.of(student.model.tokenizer(),
        student.model.workflow()))
        .generate(prompt, DecodingConfig.greedy(MAX_NEW)).tokens());
    assertThat(second.at("/usage/prompt_tokens").asInt()).isEqualTo(prompt.length);
    assertThat(second.at("/choices/0/message/subterra/node").asText()).isEqualTo(local.nodeId());
    assertThat(second.at("/choices/0/message/content").asText("")).isEqualTo(local.text());

    // An SDK that keeps only role, content and tool_calls: the node comes back from the call id.
    ArrayNode plain = messages.deepCopy();
    ObjectNode bare = plain.addObject().put("role", "assistant").putNull("content");
    bare.set("tool_calls", message.path("tool_calls"));
    plain.addObject().put("role", "tool").put("tool_call_id", call.path("id").asText()).put("content", tool.result());
    JsonNode third = post(request(plain)).body;
    assertThat(third.at("/choices/0/message/subterra/untagged_turns").asInt()).isZero();
    assertThat(third.at("/usage/prompt_tokens").asInt()).isEqualTo(second.at("/usage/prompt_tokens").asInt());
    assertThat(third.at("/choices/0/message/subterra/node")).isEqualTo(second.at("/choices/0/message/subterra/node"));

    // Without tools declared, or with tool_choice none, the student may not call one.
    for (ObjectNode noCalls : List.of(untooled(messages), request(messages).put("tool_choice", "none"))) {
      JsonNode answer = post(noCalls).body.at("/choices/0/message");
      assertThat(answer.has("tool_calls")).isFalse();
      assertThat(answer.at("/subterra/kind").asText()).isNotEqualTo("tool");
    }

    // A call nobody answered is refused.
    ArrayNode unanswered = messages.deepCopy();
    unanswered.add(message);
    Answer refused = post(request(unanswered));
    assertThat(refused.status).isEqualTo(400);
    assertThat(refused.body.at("/error/message").asText()).contains("has no role:tool message answering it");
  }

  @Test
  void aStreamedTurnIsTheSameTurnAsAWholeOne() throws Exception {
    Dialogue reference = withTool();
    for (int cut : new int[] {1, indexOfTool(reference)}) {
      ArrayNode messages = messages(reference.turns().subList(0, cut));
      JsonNode whole = post(request(messages)).body.at("/choices/0");
      ObjectNode streamed = request(messages).put("stream", true);
      streamed.putObject("stream_options").put("include_usage", true);
      List<String> events = stream(streamed);
      assertThat(events.get(events.size() - 1)).isEqualTo("[DONE]");
      StringBuilder text = new StringBuilder();
      JsonNode toolCalls = null;
      JsonNode last = null;
      JsonNode usage = null;
      for (String event : events.subList(0, events.size() - 1)) {
        JsonNode chunk = JSON.readTree(event);
        assertThat(chunk.path("object").asText()).isEqualTo("chat.completion.chunk");
        if (chunk.path("choices").isEmpty()) {
          usage = chunk.path("usage");
          continue;
        }
        JsonNode delta = chunk.at("/choices/0/delta");
        text.append(delta.path("content").asText(""));
        if (delta.has("tool_calls")) {
          toolCalls = delta.path("tool_calls");
        }
        if (!chunk.at("/choices/0/finish_reason").isNull()) {
          last = chunk.at("/choices/0");
        }
      }
      assertThat(JSON.readTree(events.get(0)).at("/choices/0/delta/role").asText()).isEqualTo("assistant");
      assertThat(text.toString()).isEqualTo(whole.at("/message/content").asText(""));
      assertThat(last.path("finish_reason")).isEqualTo(whole.path("finish_reason"));
      assertThat(last.at("/delta/subterra/node")).isEqualTo(whole.at("/message/subterra/node"));
      if (whole.at("/message/tool_calls").isArray()) {
        assertThat(toolCalls.at("/0/function")).isEqualTo(whole.at("/message/tool_calls/0/function"));
        assertThat(toolCalls.at("/0/index").asInt()).isZero();
      } else {
        assertThat(toolCalls).isNull();
      }
      assertThat(usage.path("completion_tokens").asInt()).isPositive();
    }
  }

  @Test
  void onlyABearerOfTheKeyIsServed() throws Exception {
    ObjectNode body = request(messages(student.references.get(0).turns().subList(0, 1)));
    Answer none = send(post("/v1/chat/completions", body).build());
    assertThat(none.status).isEqualTo(401);
    assertThat(none.body.at("/error/code").asText()).isEqualTo("invalid_api_key");
    assertThat(none.body.at("/error/message").asText()).doesNotContain(KEY);
    Answer wrong = send(post("/v1/chat/completions", body).header("Authorization", "Bearer " + KEY + "x").build());
    assertThat(wrong.status).isEqualTo(401);
    assertThat(send(get("/v1/models").build()).status).isEqualTo(401);
    assertThat(send(get("/metrics").build()).status).isEqualTo(401);
    assertThat(send(get("/health").build()).body.path("status").asText()).isEqualTo("ok");
    JsonNode models = send(get("/v1/models").header("Authorization", "Bearer " + KEY).build()).body;
    assertThat(models.at("/data/0/id").asText()).isEqualTo("retry-loop");
    assertThat(post(body).status).isEqualTo(200);
  }

  @Test
  void badInputGetsAnOpenAiErrorThatSaysWhatIsWrong() throws Exception {
    ObjectNode good = request(messages(student.references.get(0).turns().subList(0, 1)));
    assertError(sendRaw("{\"model\": \"retry-loop\", \"messages\": [", null), 400, "invalid_request_error", null,
        "Invalid JSON body at line 1");
    assertError(post(good.deepCopy().put("temprature", 0.5)), 400, "invalid_request_error", "temprature",
        "Invalid request: unknown field temprature");
    ObjectNode badMessage = good.deepCopy();
    ((ObjectNode) badMessage.path("messages").get(0)).put("colour", "red");
    assertError(post(badMessage), 400, "invalid_request_error", "messages[0].colour", "unknown field");
    assertError(post(good.deepCopy().put("temperature", "hot")), 400, "invalid_request_error", "temperature",
        "wrong type");
    assertError(post(good.deepCopy().put("temperature", 3)), 400, "invalid_request_error", "temperature",
        "Invalid temperature: 3.0");
    assertError(post(good.deepCopy().put("n", 2)), 400, "invalid_request_error", "n", "Invalid n: 2");
    assertError(post(good.deepCopy().put("model", "../../etc/passwd")), 404, "invalid_request_error", "model",
        "Invalid model: ../../etc/passwd (this server serves retry-loop)");
    ObjectNode empty = good.deepCopy();
    empty.putArray("messages");
    assertError(post(empty), 400, "invalid_request_error", "messages", "at least one message");
    ObjectNode orphan = good.deepCopy();
    ((ArrayNode) orphan.path("messages")).addObject().put("role", "tool").put("content", "{}");
    assertError(post(orphan), 400, "invalid_request_error", "messages[1].role", "must follow the assistant");
    ObjectNode badNode = good.deepCopy();
    ((ArrayNode) badNode.path("messages")).insertObject(0).put("role", "assistant").put("content", "hi")
        .putObject("subterra").put("node", "nowhere");
    assertError(post(badNode), 400, "invalid_request_error", "subterra.node", "Invalid subterra.node: nowhere");
    ObjectNode huge = good.deepCopy();
    ((ObjectNode) huge.path("messages").get(0)).put("content", "x".repeat(MAX_BODY + 1));
    assertError(post(huge), 413, "invalid_request_error", null, "bytes is the limit");
    assertError(send(get("/v1/chat/completions").header("Authorization", "Bearer " + KEY).build()), 405,
        "invalid_request_error", null, "Invalid method: GET");
    assertError(send(get("/v1/files").header("Authorization", "Bearer " + KEY).build()), 404,
        "invalid_request_error", null, "Invalid path: /v1/files");
    String metrics = send(get("/metrics").header("Authorization", "Bearer " + KEY).build()).text;
    assertThat(metrics).contains("subterra_errors_total{kind=\"request_too_large\"}")
        .contains("subterra_errors_total{kind=\"invalid_value\"}");
  }

  @Test
  void aConversationLongerThanTheContextIsCutByTheTrainingRuleAndSaysSo() throws Exception {
    List<Turn> turns = new ArrayList<>();
    for (int i = 0; i < 12; i++) {
      turns.add(Turn.user(null, "It is A-100, order number A-100, as I said before."));
      turns.add(Turn.agent("retry", "I could not find that order; could you check the number?"));
    }
    turns.add(Turn.user(null, "It is A-100."));
    JsonNode answer = post(request(messages(turns))).body;
    JsonNode extension = answer.at("/choices/0/message/subterra");
    assertThat(extension.path("truncated").asBoolean()).isTrue();
    assertThat(extension.path("prompt_tokens_dropped").asInt()).isPositive();
    int context = student.model.contextLength();
    assertThat(answer.at("/usage/prompt_tokens").asInt()).isLessThanOrEqualTo(context - MAX_NEW);
    int[] expected = student.model.serializer().prompt(turns, context, MAX_NEW);
    assertThat(answer.at("/usage/prompt_tokens").asInt()).isEqualTo(expected.length);
    JsonNode shortOne = post(request(messages(List.of(Turn.user(null, "A-100."))))).body;
    assertThat(shortOne.at("/choices/0/message/subterra/truncated").asBoolean()).isFalse();
  }

  @Test
  void concurrentClientsShareDecodeSteps() throws Exception {
    ExecutorService pool = Executors.newFixedThreadPool(CONCURRENT);
    CountDownLatch go = new CountDownLatch(1);
    try {
      List<Future<Answer>> answers = new ArrayList<>();
      for (int i = 0; i < CONCURRENT; i++) {
        Dialogue d = student.references.get(i % student.references.size());
        ObjectNode body = request(messages(d.turns().subList(0, 1))).put("temperature", 0.8).put("seed", i);
        answers.add(pool.submit(() -> {
          go.await();
          return post(body);
        }));
      }
      go.countDown();
      for (Future<Answer> a : answers) {
        Answer answer = a.get(120, TimeUnit.SECONDS);
        assertThat(answer.status).isEqualTo(200);
        assertThat(student.model.hasNode(answer.body.at("/choices/0/message/subterra/node").asText())).isTrue();
      }
    } finally {
      pool.shutdownNow();
    }
    assertThat(server.metrics().largestBatch()).isGreaterThan(1);
    String metrics = send(get("/metrics").header("Authorization", "Bearer " + KEY).build()).text;
    assertThat(metrics).contains("# TYPE subterra_batch_size histogram")
        .contains("subterra_requests_total{endpoint=\"/v1/chat/completions\",status=\"200\"}")
        .contains("subterra_request_duration_seconds_bucket{le=\"+Inf\"}")
        .containsPattern("subterra_completion_tokens_total [1-9]");
  }

  @Test
  void shutdownFinishesTheRequestsInFlightAndThenRefusesConnections() throws Exception {
    // One conversation at a time, so that the last of four waits for the three before it.
    ChatCompletionServer closing = ChatCompletionServer.start(student.model, ServerConfig.defaults()
        .withMaxNewTokens(MAX_NEW).withBatching(1, 8));
    ExecutorService pool = Executors.newFixedThreadPool(4);
    CountDownLatch admitted = new CountDownLatch(4);
    try {
      List<Future<List<String>>> streams = new ArrayList<>();
      for (int i = 0; i < 4; i++) {
        ObjectNode body = request(messages(student.references.get(i).turns().subList(0, 1)))
            .put("stream", true).put("temperature", 2.0).put("seed", i);
        streams.add(pool.submit(() -> readStream(closing, body, admitted)));
      }
      assertThat(admitted.await(60, TimeUnit.SECONDS)).isTrue();
      int inFlight = closing.inFlight();
      closing.close();
      assertThat(inFlight).isPositive();
      for (Future<List<String>> s : streams) {
        List<String> events = s.get(60, TimeUnit.SECONDS);
        assertThat(events.get(events.size() - 1)).isEqualTo("[DONE]");
        assertThat(JSON.readTree(events.get(events.size() - 2)).at("/choices/0/finish_reason").asText())
            .isIn("stop", "length", "tool_calls");
      }
      HttpRequest after = HttpRequest.newBuilder(URI.create(closing.baseUrl() + "/health")).build();
      assertThatThrownBy(() -> http.send(after, HttpResponse.BodyHandlers.ofString()))
          .isInstanceOf(ConnectException.class);
    } finally {
      pool.shutdownNow();
      closing.close();
    }
  }

  @Test
  void aClientGoneMidStreamIsCancelledAndFreesItsPlaceAndOneRequestTooManyGets429() throws Exception {
    // One place in the batch, three conversations admitted; the decode thread is held so that the victim stays in the
    // batch and the others wait for its place while the test looks (the tiny model writes a turn in milliseconds).
    ChatCompletionServer small = ChatCompletionServer.start(student.model, ServerConfig.defaults()
        .withMaxNewTokens(MAX_NEW).withBatching(1, 3));
    ExecutorService pool = Executors.newSingleThreadExecutor();
    BatchScheduler.Hold hold = small.scheduler().hold();
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    try {
      java.net.Socket victim = openStream(small, 0);
      assertThat(hold.awaitParked(Duration.ofSeconds(30))).as("the victim joined the batch").isTrue();
      java.net.Socket queued = openStream(small, 1);
      CountDownLatch otherStarted = new CountDownLatch(1);
      ObjectNode otherBody = request(messages(student.references.get(2).turns().subList(0, 1)))
          .put("stream", true).put("temperature", 2.0).put("seed", 2);
      Future<List<String>> other = pool.submit(() -> readStream(small, otherBody, otherStarted));
      assertThat(otherStarted.await(30, TimeUnit.SECONDS)).isTrue();
      assertThat(small.scheduler().admitted()).isEqualTo(3);

      // A fourth conversation, past --max-concurrency, is refused at once with an OpenAI error object.
      HttpResponse<String> refused = postTo(small, request(messages(student.references.get(3).turns().subList(0, 1))));
      assertThat(refused.statusCode()).isEqualTo(429);
      assertThat(refused.headers().firstValue("Retry-After")).contains("1");
      JsonNode error = JSON.readTree(refused.body()).path("error");
      assertThat(error.path("type").asText()).isEqualTo("rate_limit_error");
      assertThat(error.path("code").asText()).isEqualTo("overloaded");
      assertThat(error.path("message").asText())
          .isEqualTo("Cannot accept the request: the server is at its concurrency limit");
      assertThat(error.has("param")).isTrue();

      // A client waiting for a place goes away: the server notices at its next write (a keep-alive) and frees the
      // place at once, with the decode still held.
      queued.close();
      awaitMetric(small, "subterra_errors_total{kind=\"client_disconnected\"} 1", deadline);
      while (small.scheduler().admitted() > 2) {
        assertThat(System.nanoTime()).as("the queued place freed").isLessThan(deadline);
        Thread.sleep(20);
      }
      // The victim, in the batch, goes away too: it is dropped before the next step.
      victim.close();
      awaitMetric(small, "subterra_errors_total{kind=\"client_disconnected\"} 2", deadline);
      hold.close();

      // Its place in the batch goes to the other conversation, which is answered in full.
      List<String> events = other.get(60, TimeUnit.SECONDS);
      assertThat(events.get(events.size() - 1)).isEqualTo("[DONE]");
      assertThat(JSON.readTree(events.get(events.size() - 2)).at("/choices/0/finish_reason").asText())
          .isIn("stop", "length", "tool_calls");
      assertThat(small.metrics().cancelledConversations()).isEqualTo(2);
      while (small.scheduler().admitted() > 0) {
        assertThat(System.nanoTime()).as("every place freed").isLessThan(deadline);
        Thread.sleep(20);
      }
      // The gauges follow at the decode thread's next turn of its loop.
      awaitMetric(small, "subterra_active_conversations 0", deadline);
      assertThat(scrape(small)).contains("subterra_cancelled_conversations_total 2")
          .contains("subterra_queued_conversations 0")
          .contains("subterra_requests_total{endpoint=\"/v1/chat/completions\",status=\"429\"} 1")
          .contains("subterra_requests_total{endpoint=\"/v1/chat/completions\",status=\"499\"} 2")
          .contains("subterra_errors_total{kind=\"overloaded\"} 1");
      // And the server goes on serving: the refused request, sent again, is answered.
      HttpResponse<String> again = postTo(small, request(messages(student.references.get(3).turns().subList(0, 1))));
      assertThat(again.statusCode()).as(again.body()).isEqualTo(200);
    } finally {
      hold.close();
      pool.shutdownNow();
      small.close();
    }
  }

  /** A streamed turn over a raw socket, read up to its first event, so that the test can drop the connection. */
  private static java.net.Socket openStream(ChatCompletionServer target, int seed) throws Exception {
    byte[] body = JSON.writeValueAsBytes(request(messages(student.references.get(seed).turns().subList(0, 1)))
        .put("stream", true).put("temperature", 2.0).put("seed", seed));
    java.net.Socket socket = new java.net.Socket("127.0.0.1", target.port());
    socket.getOutputStream().write(("POST /v1/chat/completions HTTP/1.1\r\nHost: 127.0.0.1\r\n"
        + "Content-Type: application/json\r\nContent-Length: " + body.length + "\r\n\r\n")
        .getBytes(StandardCharsets.US_ASCII));
    socket.getOutputStream().write(body);
    socket.getOutputStream().flush();
    BufferedReader reader = new BufferedReader(new InputStreamReader(socket.getInputStream(),
        StandardCharsets.UTF_8));
    String status = reader.readLine();
    assertThat(status).isEqualTo("HTTP/1.1 200 OK");
    String line;
    while ((line = reader.readLine()) != null && !line.startsWith("data: ")) {
      // headers, then the blank line
    }
    assertThat(line).as("the first event").contains("\"role\":\"assistant\"");
    return socket;
  }

  private static HttpResponse<String> postTo(ChatCompletionServer target, ObjectNode body) throws Exception {
    return http.send(HttpRequest.newBuilder(URI.create(target.baseUrl() + "/v1/chat/completions"))
        .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofByteArray(
            JSON.writeValueAsBytes(body))).build(), HttpResponse.BodyHandlers.ofString());
  }

  private static void awaitMetric(ChatCompletionServer target, String line, long deadline) throws Exception {
    while (!scrape(target).contains(line)) {
      assertThat(System.nanoTime()).as("metrics show " + line).isLessThan(deadline);
      Thread.sleep(20);
    }
  }

  private static String scrape(ChatCompletionServer target) throws Exception {
    return http.send(HttpRequest.newBuilder(URI.create(target.baseUrl() + "/metrics")).GET().build(),
        HttpResponse.BodyHandlers.ofString()).body();
  }

  @Test
  void synthesisOpenAiTeacherWritesADialogueThroughTheServer() throws Exception {
    PathCatalog catalog = PathCatalog.build(student.workflow, EnumerationConfig.withSeed(TinyStudent.PATH_SEED),
        new SplitConfig(0, 0, 0));
    Scenario scenario = new ScenarioPlanner(student.workflow, ScenarioConfig.perPath(1, 3))
        .plan(catalog.paths()).scenarios().get(0);
    Optional<ApiKey> key = ApiKey.fromEnvironment(name -> ApiKey.VARIABLE.equals(name) ? KEY : null);
    ChatClientConfig client = ChatClientConfig.defaults(URI.create(server.baseUrl() + "/v1"), 1)
        .withRetries(1, Duration.ofMillis(10), Duration.ofMillis(20), Duration.ofSeconds(1));
    LlmTeacher teacher = LlmTeacher.connect(new LlmTeacherConfig("retry-loop", 0.0, MAX_NEW), client, key,
        new LocalDirectoryCacheStore(dir.resolve("teacher-cache")),
        CostLedger.forModel(PriceTable.bundled(), "retry-loop", Budget.unlimited()));
    Dialogue dialogue = teacher.write(student.workflow, scenario);
    long spoken = scenario.nodes().stream().map(id -> student.workflow.node(id).orElseThrow().kind())
        .filter(k -> k == NodeKind.AGENT || k == NodeKind.USER || k == NodeKind.TOOL).count();
    assertThat(dialogue.turns()).hasSize((int) spoken);
    assertThat(dialogue.turns()).filteredOn(t -> t.role() != Role.TOOL).allSatisfy(t ->
        assertThat(t.text()).isNotBlank().doesNotContain("<node:"));
    assertThat(teacher.clientStats().succeeded()).isEqualTo(dialogue.turns().stream()
        .filter(t -> t.role() != Role.TOOL).count());
    LOG.info("The OpenAI-compatible teacher, pointed at the student, wrote: {}", dialogue.turns());
  }

  // ---------------------------------------------------------------------------------------------------------------

  private static Dialogue withTool() {
    return student.references.stream().filter(d -> d.turns().stream().anyMatch(t -> t.role() == Role.TOOL))
        .findFirst().orElseThrow();
  }

  private static int indexOfTool(Dialogue d) {
    for (int i = 0; i < d.turns().size(); i++) {
      if (d.turns().get(i).role() == Role.TOOL) {
        return i;
      }
    }
    throw new AssertionError("no tool turn");
  }

  /** Turns as chat messages, assistant turns tagged with the extension. */
  private static ArrayNode messages(List<Turn> turns) throws Exception {
    ArrayNode messages = JSON.createArrayNode();
    int calls = 0;
    for (Turn t : turns) {
      if (t.role() == Role.USER) {
        messages.addObject().put("role", "user").put("content", t.text());
        continue;
      }
      ObjectNode m = messages.addObject().put("role", "assistant").put("content", t.text());
      if (t.nodeId() != null) {
        m.putObject("subterra").put("node", t.nodeId());
      }
      if (t.role() == Role.TOOL) {
        String id = "call_" + (++calls);
        m.putNull("content");
        m.putArray("tool_calls").addObject().put("id", id).put("type", "function").putObject("function")
            .put("name", t.call().name()).put("arguments", JSON.writeValueAsString(t.call().arguments()));
        messages.addObject().put("role", "tool").put("tool_call_id", id).put("content", t.result());
      }
    }
    return messages;
  }

  /** A request declaring the workflow's tools, as an application that executes them does. */
  private static ObjectNode request(ArrayNode messages) {
    ObjectNode body = untooled(messages);
    ArrayNode tools = body.putArray("tools");
    for (Node node : student.workflow.nodes()) {
      if (node.tool() != null) {
        ObjectNode function = tools.addObject().put("type", "function").putObject("function")
            .put("name", node.tool().name());
        ObjectNode properties = function.putObject("parameters").put("type", "object").putObject("properties");
        node.tool().arguments().keySet().forEach(a -> properties.putObject(a).put("type", "string"));
      }
    }
    return body;
  }

  private static ObjectNode untooled(ArrayNode messages) {
    ObjectNode body = JSON.createObjectNode().put("model", "retry-loop");
    body.set("messages", messages.deepCopy());
    return body;
  }

  private record Answer(int status, JsonNode body, String text) {}

  private static Answer post(ObjectNode body) throws Exception {
    return send(post("/v1/chat/completions", body).header("Authorization", "Bearer " + KEY).build());
  }

  private static Answer sendRaw(String body, String unused) throws Exception {
    return send(HttpRequest.newBuilder(URI.create(server.baseUrl() + "/v1/chat/completions"))
        .header("Authorization", "Bearer " + KEY).POST(HttpRequest.BodyPublishers.ofString(body)).build());
  }

  private static HttpRequest.Builder post(String path, ObjectNode body) throws Exception {
    return HttpRequest.newBuilder(URI.create(server.baseUrl() + path)).header("Content-Type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofByteArray(JSON.writeValueAsBytes(body)));
  }

  private static HttpRequest.Builder get(String path) {
    return HttpRequest.newBuilder(URI.create(server.baseUrl() + path)).GET();
  }

  private static Answer send(HttpRequest request) throws Exception {
    HttpResponse<String> response = http.send(request, HttpResponse.BodyHandlers.ofString());
    String text = response.body();
    JsonNode body = null;
    if (response.headers().firstValue("Content-Type").orElse("").startsWith("application/json")) {
      body = JSON.readTree(text);
    }
    return new Answer(response.statusCode(), body, text);
  }

  private static void assertError(Answer answer, int status, String type, String param, String message) {
    assertThat(answer.status).as(answer.text).isEqualTo(status);
    JsonNode error = answer.body.path("error");
    assertThat(error.path("type").asText()).isEqualTo(type);
    assertThat(error.path("message").asText()).contains(message);
    if (param == null) {
      assertThat(error.path("param").isNull()).isTrue();
    } else {
      assertThat(error.path("param").asText()).isEqualTo(param);
    }
    assertThat(error.has("code")).isTrue();
  }

  private static List<String> stream(ObjectNode body) throws Exception {
    HttpResponse<InputStream> response = http.send(post("/v1/chat/completions", body)
        .header("Authorization", "Bearer " + KEY).build(), HttpResponse.BodyHandlers.ofInputStream());
    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(response.headers().firstValue("Content-Type").orElse("")).startsWith("text/event-stream");
    return events(response.body(), null);
  }

  private static List<String> readStream(ChatCompletionServer target, ObjectNode body, CountDownLatch first)
      throws Exception {
    HttpRequest request = HttpRequest.newBuilder(URI.create(target.baseUrl() + "/v1/chat/completions"))
        .POST(HttpRequest.BodyPublishers.ofByteArray(JSON.writeValueAsBytes(body))).build();
    HttpResponse<InputStream> response = http.send(request, HttpResponse.BodyHandlers.ofInputStream());
    assertThat(response.statusCode()).isEqualTo(200);
    return events(response.body(), first);
  }

  /** The {@code data:} payloads of a server-sent event stream, counting down {@code first} at the first one. */
  private static List<String> events(InputStream in, CountDownLatch first) throws Exception {
    List<String> events = new ArrayList<>();
    try (BufferedReader reader = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
      String line;
      while ((line = reader.readLine()) != null) {
        if (line.startsWith("data: ")) {
          events.add(line.substring("data: ".length()));
          if (first != null && events.size() == 1) {
            first.countDown();
          }
        } else if (!line.startsWith(":")) {
          // Lines starting with a colon are comments (the server's keep-alive), which SSE clients skip.
          assertThat(line).isEmpty();
        }
      }
    }
    return events;
  }
}

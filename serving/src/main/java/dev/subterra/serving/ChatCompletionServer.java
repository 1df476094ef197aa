package dev.subterra.serving;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.subterra.serving.protocol.ApiException;
import dev.subterra.serving.protocol.ChatCompletion;
import dev.subterra.serving.protocol.ChatCompletionChunk;
import dev.subterra.serving.protocol.ChatCompletionRequest;
import dev.subterra.serving.protocol.ModelList;
import dev.subterra.serving.protocol.SubterraExtension;
import dev.subterra.serving.protocol.ToolCall;
import dev.subterra.synthesis.Turn;
import dev.subterra.training.decode.DecodingConfig;
import dev.subterra.training.decode.Generation;
import dev.subterra.training.tokenizer.SpecialToken;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CancellationException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Serves a compiled student over the OpenAI chat-completions protocol, on the JDK's own HTTP server
 * ({@code com.sun.net.httpserver}): any OpenAI-compatible client talks to the student by changing its base URL.
 *
 * <ul>
 *   <li>{@code POST /v1/chat/completions}: the student's next turn, whole or streamed as server-sent events; the text
 *       without the node tag, tool calls in the standard {@code tool_calls} form, and the tag, kind and call in the
 *       {@code subterra} extension (see {@code docs/serving.md});
 *   <li>{@code GET /v1/models}: the one model served; {@code GET /health}: liveness and the model's hashes;
 *       {@code GET /metrics}: Prometheus text ({@link ServerMetrics}).
 * </ul>
 *
 * <p>Requests are decoded by a {@link BatchScheduler}: a request joins the running batch at its next step. Limits,
 * checked before any decoding: a bearer token on {@code /v1} and {@code /metrics} when a key is configured (401,
 * compared in constant time, never logged); bodies over {@link ServerConfig#maxBodyBytes()} (413); malformed JSON,
 * unknown fields and invalid values (400, with an OpenAI error object naming the field); an unknown model (404);
 * more than {@link ServerConfig#maxConcurrency()} conversations (429 with {@code Retry-After}); a shutdown under way
 * (503). A conversation longer than the context is cut by the training window rule (the head and the most recent
 * turns are kept) and the answer says so. The model is loaded at start-up and nothing in a request is a path, so no
 * client can make the server read or write a file.
 *
 * <p>{@link #close()} stops accepting connections, lets the requests in flight finish within the grace period, then
 * stops decoding.
 */
public final class ChatCompletionServer implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(ChatCompletionServer.class);
  private static final String CHAT = "/v1/chat/completions";
  private static final String MODELS = "/v1/models";
  private static final String HEALTH = "/health";
  private static final String METRICS = "/metrics";
  /** Handler threads beyond the concurrency limit, so health checks and refusals are answered under full load. */
  private static final int SPARE_THREADS = 4;
  private static final long POLL_MILLIS = 20;
  /** A stream silent this long gets a keep-alive comment (proxies close idle streams; see {@link #stream}). */
  private static final long KEEP_ALIVE_NANOS = TimeUnit.MILLISECONDS.toNanos(500);
  private static final byte[] KEEP_ALIVE = ": keep-alive\n\n".getBytes(StandardCharsets.UTF_8);
  private static final int TURN_MEMORY = 100_000;

  private static final ObjectMapper READ = new ObjectMapper()
      .setPropertyNamingStrategy(PropertyNamingStrategies.SNAKE_CASE)
      .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
      .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
      .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES);
  private static final ObjectMapper WRITE = new ObjectMapper()
      .setPropertyNamingStrategy(PropertyNamingStrategies.SNAKE_CASE);

  private final ServedModel model;
  private final ServerConfig config;
  private final ServerMetrics metrics = new ServerMetrics();
  private final BatchScheduler scheduler;
  private final TurnMemory memory = new TurnMemory(TURN_MEMORY);
  /** Requests to turns: reading, prompt, tag constraint, grounded calls and parsing, shared with in-process callers. */
  private final ChatTurns turns;
  private final HttpServer http;
  private final ExecutorService handlers;
  private final byte[] expectedAuthorization;
  private final long created = Instant.now().getEpochSecond();
  private final String fingerprint;
  private final AtomicLong seeds = new AtomicLong(ThreadLocalRandom.current().nextLong() & Long.MAX_VALUE);
  private final AtomicInteger inFlight = new AtomicInteger();
  private volatile boolean closing;

  private ChatCompletionServer(ServedModel model, ServerConfig config, HttpServer http, ExecutorService handlers) {
    this.model = model;
    this.config = config;
    this.http = http;
    this.handlers = handlers;
    this.turns = new ChatTurns(model, memory);
    this.expectedAuthorization = config.apiKey().map(k -> ("Bearer " + k).getBytes(StandardCharsets.UTF_8))
        .orElse(null);
    this.fingerprint = "subterra-" + model.artefact().provenance().weightsHash().substring(0, 12);
    this.scheduler = new BatchScheduler(turns.sessions(), metrics, config.maxBatch(), config.maxConcurrency());
  }

  /** Binds the address and starts serving. */
  public static ChatCompletionServer start(ServedModel model, ServerConfig config) throws IOException {
    int maxNew = config.maxNewTokens();
    if (maxNew > model.contextLength() / 2) {
      throw new IllegalArgumentException("Invalid maxNewTokens: " + maxNew + " (at most half the "
          + model.contextLength() + "-token context, to leave room for the conversation)");
    }
    HttpServer http = HttpServer.create(new InetSocketAddress(config.host(), config.port()), 0);
    ExecutorService handlers = Executors.newFixedThreadPool(config.maxConcurrency() + SPARE_THREADS, r -> {
      Thread t = new Thread(r, "subterra-http");
      t.setDaemon(true);
      return t;
    });
    ChatCompletionServer server = new ChatCompletionServer(model, config, http, handlers);
    http.createContext("/", server::handle);
    http.setExecutor(handlers);
    http.start();
    LOG.info("Serving {} on http://{}:{} ({})", model.id(), config.host(), server.port(), config);
    return server;
  }

  /** The bound port. */
  public int port() {
    return http.getAddress().getPort();
  }

  /** The base URL clients use, {@code http://host:port}, without {@code /v1}. */
  public String baseUrl() {
    return "http://" + config.host() + ":" + port();
  }

  /** The metrics, for tests and benchmarks. */
  public ServerMetrics metrics() {
    return metrics;
  }

  /** The batching loop, for tests. */
  BatchScheduler scheduler() {
    return scheduler;
  }

  /** Requests being answered now. */
  public int inFlight() {
    return inFlight.get();
  }

  @Override
  public void close() {
    if (closing) {
      return;
    }
    closing = true;
    LOG.info("Shutting down: finishing {} requests in flight", inFlight.get());
    // New chat requests are refused (503) from here on; the ones in flight keep decoding until they are answered.
    // The JDK server's own stop(delay) waits out the whole delay on Java 17 even when nothing is in flight, so the
    // wait is ours, and the listener is closed after it.
    long deadline = System.nanoTime() + config.shutdownGrace().toNanos();
    while (inFlight.get() > 0 && System.nanoTime() < deadline) {
      try {
        Thread.sleep(POLL_MILLIS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        break;
      }
    }
    http.stop(0);
    scheduler.close(java.time.Duration.ofNanos(Math.max(1_000_000, deadline - System.nanoTime())));
    handlers.shutdown();
    try {
      handlers.awaitTermination(1, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    LOG.info("Stopped serving {}", model.id());
  }

  private void handle(HttpExchange exchange) throws IOException {
    long start = System.nanoTime();
    String path = exchange.getRequestURI().getPath();
    String endpoint = switch (path) {
      case CHAT, MODELS, HEALTH, METRICS -> path;
      default -> "other";
    };
    inFlight.incrementAndGet();
    int status;
    try {
      status = route(exchange, path);
    } catch (ApiException e) {
      status = e.status();
      metrics.error(e.code());
      if (e.status() >= 500) {
        LOG.warn("{} {}: {}", exchange.getRequestMethod(), endpoint, e.getMessage());
      }
      sendError(exchange, e);
    } catch (IOException e) {
      // The client went away; nothing to answer.
      status = 499;
      metrics.error("client_disconnected");
    } catch (RuntimeException e) {
      status = 500;
      metrics.error("internal_error");
      LOG.error("{} {} failed: {}", exchange.getRequestMethod(), endpoint, e.toString());
      sendError(exchange, new ApiException(500, "server_error", "internal_error", null,
          "Cannot answer the request: " + e.getClass().getSimpleName()));
    } finally {
      exchange.close();
      inFlight.decrementAndGet();
    }
    metrics.request(endpoint, status);
    if (CHAT.equals(path) && status == 200) {
      metrics.latency((System.nanoTime() - start) / 1e9);
    }
  }

  private int route(HttpExchange exchange, String path) throws IOException {
    switch (path) {
      case HEALTH -> {
        requireMethod(exchange, "GET");
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("status", closing ? "shutting_down" : "ok");
        body.putAll(model.describe());
        return send(exchange, closing ? 503 : 200, body);
      }
      case METRICS -> {
        requireMethod(exchange, "GET");
        authenticate(exchange);
        byte[] text = metrics.scrape().getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().set("Content-Type", "text/plain; version=0.0.4; charset=utf-8");
        exchange.sendResponseHeaders(200, text.length);
        exchange.getResponseBody().write(text);
        return 200;
      }
      case MODELS -> {
        requireMethod(exchange, "GET");
        authenticate(exchange);
        return send(exchange, 200, new ModelList("list",
            List.of(new ModelList.Model(model.id(), "model", created, "subterra"))));
      }
      case CHAT -> {
        requireMethod(exchange, "POST");
        authenticate(exchange);
        return chat(exchange);
      }
      default -> throw new ApiException(404, "invalid_request_error", "not_found", null,
          "Invalid path: " + path + " (this server answers " + CHAT + ", " + MODELS + ", " + HEALTH + " and "
              + METRICS + ")");
    }
  }

  private static void requireMethod(HttpExchange exchange, String method) {
    if (!method.equals(exchange.getRequestMethod())) {
      exchange.getResponseHeaders().set("Allow", method);
      throw new ApiException(405, "invalid_request_error", "method_not_allowed", null,
          "Invalid method: " + exchange.getRequestMethod() + " " + exchange.getRequestURI().getPath() + " (use "
              + method + ")");
    }
  }

  private void authenticate(HttpExchange exchange) {
    if (expectedAuthorization == null) {
      return;
    }
    String given = exchange.getRequestHeaders().getFirst("Authorization");
    byte[] bytes = given == null ? new byte[0] : given.getBytes(StandardCharsets.UTF_8);
    if (!MessageDigest.isEqual(bytes, expectedAuthorization)) {
      exchange.getResponseHeaders().set("WWW-Authenticate", "Bearer");
      throw new ApiException(401, "invalid_request_error", "invalid_api_key", null, given == null
          ? "Cannot authenticate: no Authorization header (send Authorization: Bearer <key>)"
          : "Cannot authenticate: the bearer token is not this server's key");
    }
  }

  private int chat(HttpExchange exchange) throws IOException {
    if (closing) {
      throw new ApiException(503, "server_error", "shutting_down", null,
          "Cannot accept the request: the server is shutting down");
    }
    ChatCompletionRequest request = parse(readBody(exchange));
    request.validate();
    if (!model.id().equals(request.model())) {
      throw new ApiException(404, "invalid_request_error", "model_not_found", "model", "Invalid model: "
          + request.model() + " (this server serves " + model.id() + ")");
    }
    int maxNew = request.tokenLimit() == null ? config.maxNewTokens()
        : Math.min(request.tokenLimit(), config.maxNewTokens());
    ChatTurns.Prepared prepared = turns.prepare(request.messages(), request.tools(), request.toolChoice(), maxNew);
    double temperature = request.temperature() == null ? 0 : request.temperature();
    long seed = request.seed() != null ? request.seed() : seeds.getAndIncrement();
    DecodingConfig decoding = new DecodingConfig(maxNew, temperature, request.topP() == null ? 1 : request.topP(),
        seed);
    BatchScheduler.Ticket ticket;
    try {
      ticket = turns.submit(scheduler, prepared, decoding);
    } catch (BatchScheduler.Overloaded e) {
      exchange.getResponseHeaders().set("Retry-After", "1");
      throw new ApiException(429, "rate_limit_error", "overloaded", null, e.getMessage());
    } catch (BatchScheduler.ShuttingDown e) {
      throw new ApiException(503, "server_error", "shutting_down", null, e.getMessage());
    }
    String id = "chatcmpl-" + HexFormat.of().toHexDigits(ThreadLocalRandom.current().nextLong());
    long now = Instant.now().getEpochSecond();
    Reply reply = new Reply(prepared);
    if (request.streaming()) {
      boolean usage = request.streamOptions() != null && Boolean.TRUE.equals(request.streamOptions().includeUsage());
      stream(exchange, ticket, id, now, reply, usage);
      return 200;
    }
    Generation generation = await(ticket);
    reply.finish(generation);
    ChatCompletion body = new ChatCompletion(id, "chat.completion", now, model.id(), fingerprint,
        List.of(new ChatCompletion.Choice(0, new ChatCompletion.AssistantMessage("assistant", reply.content(),
            reply.toolCalls(), reply.extension()), reply.finishReason(), null)),
        ChatCompletion.Usage.of(prepared.prompt().length, generation.tokens().length));
    return send(exchange, 200, body);
  }

  private void stream(HttpExchange exchange, BatchScheduler.Ticket ticket, String id, long now, Reply reply,
      boolean usage) throws IOException {
    exchange.getResponseHeaders().set("Content-Type", "text/event-stream; charset=utf-8");
    exchange.getResponseHeaders().set("Cache-Control", "no-cache");
    exchange.sendResponseHeaders(200, 0);
    OutputStream out = exchange.getResponseBody();
    try {
      event(out, chunk(id, now, new ChatCompletionChunk.Delta("assistant", "", null, null), null));
      TextStream text = new TextStream();
      long lastWrite = System.nanoTime();
      while (true) {
        Integer token = ticket.tokens().poll(POLL_MILLIS, TimeUnit.MILLISECONDS);
        if (token == null) {
          if (ticket.result().isDone() && ticket.tokens().isEmpty()) {
            break;
          }
          if (System.nanoTime() - lastWrite > KEEP_ALIVE_NANOS) {
            // A comment line, which SSE clients skip. A conversation waiting for a place in the batch writes nothing
            // else, so this is how a client that went away meanwhile is noticed (the write fails) and its place freed.
            out.write(KEEP_ALIVE);
            out.flush();
            lastWrite = System.nanoTime();
          }
          continue;
        }
        String delta = text.add(token);
        if (!delta.isEmpty()) {
          event(out, chunk(id, now, new ChatCompletionChunk.Delta(null, delta, null, null), null));
          lastWrite = System.nanoTime();
        }
      }
      Generation generation = await(ticket);
      reply.finish(generation);
      // What the stream sent is the text the parser reads back; send any rest held back for a split character.
      String sent = text.sent();
      String content = reply.content() == null ? "" : reply.content();
      if (content.startsWith(sent) && content.length() > sent.length()) {
        event(out, chunk(id, now, new ChatCompletionChunk.Delta(null, content.substring(sent.length()), null, null),
            null));
      }
      if (reply.toolCalls() != null) {
        List<ToolCall> indexed = new ArrayList<>();
        for (ToolCall c : reply.toolCalls()) {
          indexed.add(new ToolCall(indexed.size(), c.id(), c.type(), c.function()));
        }
        event(out, chunk(id, now, new ChatCompletionChunk.Delta(null, null, indexed, null), null));
      }
      event(out, chunk(id, now, new ChatCompletionChunk.Delta(null, null, null, reply.extension()),
          reply.finishReason()));
      if (usage) {
        event(out, new ChatCompletionChunk(id, "chat.completion.chunk", now, model.id(), fingerprint, List.of(),
            ChatCompletion.Usage.of(reply.promptTokens, generation.tokens().length)));
      }
      out.write("data: [DONE]\n\n".getBytes(StandardCharsets.UTF_8));
      out.flush();
    } catch (IOException e) {
      ticket.cancel();
      throw e;
    } catch (ApiException e) {
      // Headers are gone: the error goes into the stream as an event, as OpenAI does.
      metrics.error(e.code());
      event(out, e.body());
      out.flush();
    } catch (InterruptedException e) {
      ticket.cancel();
      Thread.currentThread().interrupt();
      throw new IOException("interrupted");
    }
  }

  private ChatCompletionChunk chunk(String id, long now, ChatCompletionChunk.Delta delta, String finishReason) {
    return new ChatCompletionChunk(id, "chat.completion.chunk", now, model.id(), fingerprint,
        List.of(new ChatCompletionChunk.Choice(0, delta, finishReason, null)), null);
  }

  private static void event(OutputStream out, Object body) throws IOException {
    out.write(("data: " + WRITE.writeValueAsString(body) + "\n\n").getBytes(StandardCharsets.UTF_8));
    out.flush();
  }

  private Generation await(BatchScheduler.Ticket ticket) {
    try {
      return ticket.result().get();
    } catch (ExecutionException e) {
      Throwable cause = e.getCause();
      if (cause instanceof CancellationException) {
        throw new ApiException(503, "server_error", "shutting_down", null,
            "Cannot finish the turn: " + cause.getMessage());
      }
      throw new ApiException(500, "server_error", "decode_failed", null,
          "Cannot decode the turn: " + cause.getClass().getSimpleName());
    } catch (InterruptedException e) {
      ticket.cancel();
      Thread.currentThread().interrupt();
      throw new ApiException(503, "server_error", "shutting_down", null, "Cannot finish the turn: interrupted");
    }
  }

  private byte[] readBody(HttpExchange exchange) throws IOException {
    String length = exchange.getRequestHeaders().getFirst("Content-Length");
    if (length != null) {
      long declared;
      try {
        declared = Long.parseLong(length.trim());
      } catch (NumberFormatException e) {
        throw ApiException.invalid(null, "Invalid Content-Length: " + length);
      }
      if (declared > config.maxBodyBytes()) {
        throw tooLarge(declared);
      }
    }
    ByteArrayOutputStream body = new ByteArrayOutputStream();
    byte[] buffer = new byte[8192];
    try (InputStream in = exchange.getRequestBody()) {
      int n;
      while ((n = in.read(buffer)) > 0) {
        body.write(buffer, 0, n);
        if (body.size() > config.maxBodyBytes()) {
          throw tooLarge(body.size());
        }
      }
    }
    return body.toByteArray();
  }

  private ApiException tooLarge(long bytes) {
    return new ApiException(413, "invalid_request_error", "request_too_large", null, "Invalid request body: "
        + (bytes > config.maxBodyBytes() ? "more than " : "") + config.maxBodyBytes() + " bytes is the limit");
  }

  private static ChatCompletionRequest parse(byte[] body) {
    if (body.length == 0) {
      throw ApiException.invalid(null, "Invalid request body: empty (a JSON chat completion request)");
    }
    try {
      ChatCompletionRequest request = READ.readValue(body, ChatCompletionRequest.class);
      if (request == null) {
        throw ApiException.invalid(null, "Invalid request body: null (a JSON chat completion request)");
      }
      return request;
    } catch (UnrecognizedPropertyException e) {
      String field = fieldPath(e);
      throw ApiException.invalid(field, "Invalid request: unknown field " + field);
    } catch (MismatchedInputException e) {
      String field = fieldPath(e);
      throw ApiException.invalid(field.isEmpty() ? null : field, "Invalid request: "
          + (field.isEmpty() ? "the body is not a JSON object" : "field " + field + " has the wrong type"));
    } catch (JsonProcessingException e) {
      throw ApiException.invalid(null, "Invalid JSON body at line " + e.getLocation().getLineNr() + ", column "
          + e.getLocation().getColumnNr() + ": " + e.getOriginalMessage().lines().findFirst().orElse(""));
    } catch (IOException e) {
      throw ApiException.invalid(null, "Invalid request body: unreadable");
    }
  }

  private static String fieldPath(com.fasterxml.jackson.databind.JsonMappingException e) {
    StringBuilder out = new StringBuilder();
    for (com.fasterxml.jackson.databind.JsonMappingException.Reference ref : e.getPath()) {
      if (ref.getFieldName() != null) {
        out.append(out.length() == 0 ? "" : ".").append(ref.getFieldName());
      } else if (ref.getIndex() >= 0) {
        out.append('[').append(ref.getIndex()).append(']');
      }
    }
    return out.toString();
  }

  private int send(HttpExchange exchange, int status, Object body) throws IOException {
    byte[] bytes = WRITE.writeValueAsBytes(body);
    exchange.getResponseHeaders().set("Content-Type", "application/json");
    exchange.sendResponseHeaders(status, bytes.length);
    exchange.getResponseBody().write(bytes);
    return status;
  }

  private void sendError(HttpExchange exchange, ApiException e) {
    try {
      send(exchange, e.status(), e.body());
    } catch (IOException | RuntimeException ignored) {
      // Headers already sent or the client went away: nothing more to tell it.
    }
  }

  /** The answer being built for one turn: the parsed turn and what the protocol shows of it. */
  private final class Reply {
    final int promptTokens;
    final int dropped;
    final ChatTurns.Prepared prepared;
    Turn turn;
    Generation generation;
    String callId;

    Reply(ChatTurns.Prepared prepared) {
      this.promptTokens = prepared.prompt().length;
      this.dropped = prepared.droppedTokens();
      this.prepared = prepared;
    }

    void finish(Generation g) {
      generation = g;
      turn = turns.turn(g);
      callId = turn.call() == null ? null : TurnMemory.callId(turn.nodeId() == null ? "unknown" : turn.nodeId());
      memory.remember(content(), turn.call() == null ? null : turn.call().name(), turn.nodeId());
      metrics.tokens(promptTokens, g.tokens().length, dropped > 0);
    }

    String content() {
      String text = turn.text() == null ? "" : turn.text();
      return turn.call() != null && text.isEmpty() ? null : text;
    }

    List<ToolCall> toolCalls() {
      if (turn.call() == null) {
        return null;
      }
      String arguments;
      try {
        arguments = WRITE.writeValueAsString(turn.call().arguments());
      } catch (JsonProcessingException e) {
        throw new IllegalStateException("Cannot write tool arguments", e);
      }
      return List.of(new ToolCall(null, callId, "function", new ToolCall.Function(turn.call().name(), arguments)));
    }

    String finishReason() {
      if (generation.stop() != Generation.Stop.END_OF_TURN) {
        return "length";
      }
      return turn.call() != null ? "tool_calls" : "stop";
    }

    SubterraExtension extension() {
      String node = turn.nodeId();
      return new SubterraExtension(node, node == null ? null : model.kindOf(node).orElse(null),
          node == null ? null : SpecialToken.nodeTag(node),
          turn.call() == null ? null
              : new SubterraExtension.ToolCallExtension(callId, turn.call().name(), turn.call().arguments()),
          generation.firstTokenConstrained(), generation.stop().name().toLowerCase(java.util.Locale.ROOT),
          dropped > 0, dropped, prepared.untaggedTurns(), prepared.ignoredSystemMessages());
    }
  }

  /**
   * The visible text of a turn as its tokens arrive: nothing for the tag or a tool call, then the words, held back
   * while the last bytes are half a UTF-8 character.
   */
  private final class TextStream {
    private final List<Integer> tokens = new ArrayList<>();
    private int seen;
    private boolean tagged;
    private boolean inCall;
    private boolean textStarted;
    private String sent = "";

    String add(int token) {
      int at = seen++;
      if (token == SpecialToken.END.id()) {
        return "";
      }
      // The same reading as DialogueSerializer.parseAgentTurn: a tag first, then a call right after it, then words.
      if (!textStarted) {
        if (at == 0 && model.tokenizer().isNodeTag(token)) {
          tagged = true;
          return "";
        }
        if (!inCall && at == (tagged ? 1 : 0) && token == SpecialToken.CALL.id()) {
          inCall = true;
          return "";
        }
        if (inCall) {
          if (token == SpecialToken.CALL_END.id()) {
            inCall = false;
            textStarted = true;
          }
          return "";
        }
        textStarted = true;
      }
      tokens.add(token);
      String text = model.tokenizer().decodeText(tokens.stream().mapToInt(Integer::intValue).toArray());
      // The parser strips nothing but the tag and call, so the stream can send the decoded text as it grows.
      if (text.endsWith("\uFFFD") || !text.startsWith(sent)) {
        return "";
      }
      String delta = text.substring(sent.length());
      sent = text;
      return delta;
    }

    String sent() {
      return sent;
    }
  }
}

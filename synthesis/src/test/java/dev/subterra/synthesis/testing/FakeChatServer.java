package dev.subterra.synthesis.testing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Predicate;

/**
 * A chat-completions server for tests, on an ephemeral loopback port, that answers every request deterministically
 * from its body and injects scripted faults: each queued {@link Fault} answers one request, in arrival order; a
 * {@linkplain #failWhen persistent fault} answers every request whose body matches.
 */
public final class FakeChatServer implements AutoCloseable {
  /** What a request can go through. */
  public enum Fault {
    /** 429 with the configured {@code Retry-After}. */
    RATE_LIMITED,
    /** 500 with a JSON error body. */
    SERVER_ERROR,
    /** 503 without a body. */
    UNAVAILABLE,
    /** The connection is closed without any response. */
    DROP_CONNECTION,
    /** The answer comes after {@link #slowDelay}, past a short client timeout. */
    SLOW,
    /** 200 with a body that is not JSON. */
    BAD_JSON,
    /** 200 with an empty {@code choices} list. */
    NO_CHOICES,
    /** 200 with empty content. */
    EMPTY_CONTENT,
    /** 200 with {@code finish_reason=length}: cut off text. */
    CUT_OFF,
    /** 200 with a good answer but no {@code usage}. */
    NO_USAGE,
    /** 401 whose body quotes the request's Authorization header, as a careless gateway might. */
    UNAUTHORIZED_ECHO
  }

  private static final ObjectMapper JSON = new ObjectMapper();

  static {
    // Without TCP_NODELAY the JDK server's separate header and body writes meet the client's delayed ACK, and every
    // answer waits about 40 ms: a latency no real server has, which would swamp throughput measurements.
    System.setProperty("sun.net.httpserver.nodelay", "true");
  }

  private final HttpServer server;
  private final ExecutorService executor;
  private final ConcurrentLinkedQueue<Fault> script = new ConcurrentLinkedQueue<>();
  private final List<Predicate<String>> persistentMatchers = Collections.synchronizedList(new ArrayList<>());
  private final List<Fault> persistentFaults = Collections.synchronizedList(new ArrayList<>());
  private final List<String> bodies = Collections.synchronizedList(new ArrayList<>());
  private final List<String> authorizations = Collections.synchronizedList(new ArrayList<>());
  private final AtomicInteger hits = new AtomicInteger();
  private final AtomicInteger answered = new AtomicInteger();
  private final Object holding = new Object();
  private volatile int holdAfter = Integer.MAX_VALUE;
  private final AtomicInteger inFlight = new AtomicInteger();
  private final AtomicInteger peakInFlight = new AtomicInteger();
  /** Whether this handler thread's request is still counted in flight (exchange attributes are per context). */
  private final ThreadLocal<Boolean> counted = ThreadLocal.withInitial(() -> Boolean.FALSE);
  private volatile String retryAfter = "1";
  private volatile Duration slowDelay = Duration.ofSeconds(2);
  private volatile Duration latency = Duration.ZERO;

  private FakeChatServer(HttpServer server, ExecutorService executor) {
    this.server = server;
    this.executor = executor;
  }

  /** A server on {@code 127.0.0.1} with an ephemeral port, already listening. */
  public static FakeChatServer start() throws IOException {
    HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    ExecutorService executor = Executors.newFixedThreadPool(16);
    FakeChatServer fake = new FakeChatServer(server, executor);
    server.createContext("/v1/chat/completions", fake::handle);
    server.setExecutor(executor);
    server.start();
    return fake;
  }

  /** {@code http://127.0.0.1:<port>}, without {@code /v1}. */
  public URI baseUrl() {
    return URI.create("http://127.0.0.1:" + server.getAddress().getPort());
  }

  /** Queues faults that answer the next requests, one each, in order. */
  public FakeChatServer script(Fault... faults) {
    script.addAll(List.of(faults));
    return this;
  }

  /** Answers every request whose body contains {@code marker} with {@code fault}, for as long as the server runs. */
  public FakeChatServer failWhen(String marker, Fault fault) {
    persistentMatchers.add(body -> body.contains(marker));
    persistentFaults.add(fault);
    return this;
  }

  /** The {@code Retry-After} value sent with 429s (seconds or an HTTP-date). */
  public FakeChatServer retryAfter(String value) {
    this.retryAfter = value;
    return this;
  }

  /** How long a {@link Fault#SLOW} answer takes. */
  public FakeChatServer slowDelay(Duration delay) {
    this.slowDelay = delay;
    return this;
  }

  /** A delay before every answer, to measure throughput under a concurrency limit. */
  public FakeChatServer latency(Duration delay) {
    this.latency = delay;
    return this;
  }

  /**
   * Answers {@code answers} requests in all (counted from the server's start), then holds every further request
   * without an answer until {@link #release()}, when a held request's connection is closed unanswered: a client killed
   * while its calls are held has been answered exactly {@code answers} times, whatever was in flight.
   */
  public FakeChatServer holdAfter(int answers) {
    this.holdAfter = answers;
    return this;
  }

  /** Stops holding: held requests are dropped unanswered and later ones are answered again. */
  public FakeChatServer release() {
    synchronized (holding) {
      holdAfter = Integer.MAX_VALUE;
      holding.notifyAll();
    }
    return this;
  }

  /** Requests answered with a good completion so far: what a paying client was charged for. */
  public int answered() {
    return answered.get();
  }

  /** Requests received so far, faults included. */
  public int hits() {
    return hits.get();
  }

  /** The most requests that were in the server at once. */
  public int peakInFlight() {
    return peakInFlight.get();
  }

  /** The bodies of every request received, in order of arrival. */
  public List<String> bodies() {
    synchronized (bodies) {
      return List.copyOf(bodies);
    }
  }

  /** The {@code Authorization} header of every request (empty string when absent). */
  public List<String> authorizations() {
    synchronized (authorizations) {
      return List.copyOf(authorizations);
    }
  }

  /** The deterministic answer text the server gives to a body. */
  public static String answerFor(String body) {
    try {
      byte[] digest = MessageDigest.getInstance("SHA-256").digest(body.getBytes(StandardCharsets.UTF_8));
      return "Reply " + HexFormat.of().formatHex(digest, 0, 6) + ".";
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  private void handle(HttpExchange exchange) throws IOException {
    int now = inFlight.incrementAndGet();
    peakInFlight.accumulateAndGet(now, Math::max);
    counted.set(Boolean.TRUE);
    try {
      hits.incrementAndGet();
      String body = new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
      bodies.add(body);
      String authorization = exchange.getRequestHeaders().getFirst("Authorization");
      authorizations.add(authorization == null ? "" : authorization);
      if (answered.get() >= holdAfter) {
        hold();
        throw new IOException("dropping a held request on purpose");
      }
      pause(latency);
      Fault fault = script.poll();
      if (fault == null) {
        synchronized (persistentMatchers) {
          for (int i = 0; i < persistentMatchers.size() && fault == null; i++) {
            if (persistentMatchers.get(i).test(body)) {
              fault = persistentFaults.get(i);
            }
          }
        }
      }
      respond(exchange, body, authorization, fault);
    } finally {
      leave();
    }
  }

  /**
   * Counts a request out of the server before its answer is written: once the client has the answer it may send the
   * next request before this thread runs again, and counting out later would see two requests where there was one.
   */
  private void leave() {
    if (counted.get()) {
      counted.set(Boolean.FALSE);
      inFlight.decrementAndGet();
    }
  }

  private void respond(HttpExchange exchange, String body, String authorization, Fault fault) throws IOException {
    if (fault == null) {
      answered.incrementAndGet();
      send(exchange, 200, completion(body, answerFor(body), "stop", true));
      return;
    }
    switch (fault) {
      case RATE_LIMITED -> {
        exchange.getResponseHeaders().add("Retry-After", retryAfter);
        send(exchange, 429, "{\"error\":{\"message\":\"Rate limit reached\",\"type\":\"requests\"}}");
      }
      case SERVER_ERROR -> send(exchange, 500, "{\"error\":{\"message\":\"The server had an error\"}}");
      case UNAVAILABLE -> send(exchange, 503, "");
      case DROP_CONNECTION -> {
        // An exception out of the handler makes the JDK server close the connection without a response.
        throw new IOException("dropping the connection on purpose");
      }
      case SLOW -> {
        pause(slowDelay);
        send(exchange, 200, completion(body, answerFor(body), "stop", true));
      }
      case BAD_JSON -> send(exchange, 200, "{\"choices\": [ {\"message\": ");
      case NO_CHOICES -> send(exchange, 200, "{\"id\":\"x\",\"object\":\"chat.completion\",\"choices\":[]}");
      case EMPTY_CONTENT -> send(exchange, 200, completion(body, "", "stop", true));
      case CUT_OFF -> send(exchange, 200, completion(body, "I would be happy to help you with", "length", true));
      case NO_USAGE -> send(exchange, 200, completion(body, answerFor(body), "stop", false));
      case UNAUTHORIZED_ECHO -> send(exchange, 401,
          "{\"error\":{\"message\":\"Incorrect API key provided: " + authorization + "\"}}");
    }
  }

  private static String completion(String body, String content, String finishReason, boolean withUsage) {
    ObjectNode root = JSON.createObjectNode();
    root.put("id", "chatcmpl-test");
    root.put("object", "chat.completion");
    String model = "unknown";
    try {
      model = JSON.readTree(body).path("model").asText("unknown");
    } catch (IOException ignored) {
      // A garbled request still gets an answer; the client is what is under test.
    }
    root.put("model", model);
    ObjectNode choice = root.putArray("choices").addObject();
    choice.put("index", 0);
    choice.putObject("message").put("role", "assistant").put("content", content);
    choice.put("finish_reason", finishReason);
    if (withUsage) {
      ObjectNode usage = root.putObject("usage");
      usage.put("prompt_tokens", Math.max(1, body.length() / 4));
      usage.put("completion_tokens", Math.max(1, content.length() / 4));
      usage.put("total_tokens", Math.max(1, body.length() / 4) + Math.max(1, content.length() / 4));
    }
    return root.toString();
  }

  private void send(HttpExchange exchange, int status, String body) throws IOException {
    leave();
    byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
    exchange.getResponseHeaders().add("Content-Type", "application/json");
    exchange.sendResponseHeaders(status, bytes.length == 0 ? -1 : bytes.length);
    try (OutputStream out = exchange.getResponseBody()) {
      out.write(bytes);
    }
  }

  private void hold() {
    synchronized (holding) {
      while (answered.get() >= holdAfter) {
        try {
          holding.wait();
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          return;
        }
      }
    }
  }

  private static void pause(Duration delay) {
    if (delay.isZero()) {
      return;
    }
    try {
      Thread.sleep(delay.toMillis());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  @Override
  public void close() {
    server.stop(0);
    executor.shutdownNow();
    try {
      executor.awaitTermination(5, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}

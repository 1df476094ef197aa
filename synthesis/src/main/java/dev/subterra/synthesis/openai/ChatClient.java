package dev.subterra.synthesis.openai;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.subterra.synthesis.TeacherException;
import dev.subterra.synthesis.cost.TokenUsage;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A client of the OpenAI chat-completions protocol ({@code POST {base}/v1/chat/completions}) that OpenAI, vLLM, Ollama,
 * the llama.cpp server and compatible gateways speak. Thread-safe: share one per executor.
 *
 * <p>Reliability, in the order a call meets it:
 *
 * <ol>
 *   <li>a hard limit of {@code maxConcurrency} requests in flight (a semaphore), and inside it an adaptive AIMD limit
 *       ({@link AdaptiveLimiter}) that halves on a 429 and grows back on success;
 *   <li>a pause for every request while a server's {@code Retry-After} runs;
 *   <li>retries, at most {@code maxRetries}, with exponential backoff and full jitter, on 429, 408 and 5xx answers,
 *       timeouts and connection failures, waiting at least the {@code Retry-After} the server gave;
 *   <li>malformed answers (not JSON, no choices, empty content, cut off at {@code max_tokens}, filtered) are retried
 *       too, since a sampled answer may come out well next time, and then rejected with the reason.
 * </ol>
 *
 * <p>Every failure ends as a {@link TeacherException}: retryable when the server was overloaded or unreachable
 * throughout, not retryable when it answered but never usably, or refused the request (4xx). The API key is sent in
 * the {@code Authorization} header only, and is scrubbed from any server text quoted in an exception or log.
 */
public final class ChatClient {
  private static final Logger LOG = LoggerFactory.getLogger(ChatClient.class);
  private static final int EXCERPT_CHARS = 200;

  private final ChatClientConfig config;
  private final Optional<ApiKey> apiKey;
  private final URI endpoint;
  private final HttpClient http;
  private final Semaphore slots;
  private final AdaptiveLimiter limiter;
  private final Backoff backoff;
  private final Sleeper sleeper;
  private final ObjectMapper json = new ObjectMapper();

  private final AtomicLong requests = new AtomicLong();
  private final AtomicLong succeeded = new AtomicLong();
  private final AtomicLong retries = new AtomicLong();
  private final AtomicLong throttled = new AtomicLong();
  private final AtomicLong serverErrors = new AtomicLong();
  private final AtomicLong timeouts = new AtomicLong();
  private final AtomicLong connectionFailures = new AtomicLong();
  private final AtomicLong malformed = new AtomicLong();
  private final AtomicLong rejected = new AtomicLong();

  /** A client that sleeps for real between retries. */
  public ChatClient(ChatClientConfig config, Optional<ApiKey> apiKey) {
    this(config, apiKey, Sleeper.SYSTEM);
  }

  /** A client with its own way of waiting between retries (tests record the waits). */
  public ChatClient(ChatClientConfig config, Optional<ApiKey> apiKey, Sleeper sleeper) {
    this.config = Objects.requireNonNull(config, "config");
    this.apiKey = Objects.requireNonNull(apiKey, "apiKey");
    this.sleeper = Objects.requireNonNull(sleeper, "sleeper");
    this.endpoint = config.endpoint();
    // HTTP/1.1 because local servers do not speak h2c, and the upgrade attempt costs a round trip.
    this.http = HttpClient.newBuilder()
        .version(HttpClient.Version.HTTP_1_1)
        .connectTimeout(config.connectTimeout())
        .followRedirects(HttpClient.Redirect.NEVER)
        .build();
    this.slots = new Semaphore(config.maxConcurrency(), true);
    this.limiter = new AdaptiveLimiter(config.initialConcurrency(), config.maxConcurrency());
    this.backoff = new Backoff(config.initialBackoff(), config.maxBackoff(), config.jitterSeed());
    LOG.info("Teacher client for {} (API key {}, at most {} requests in flight, {} retries)", endpoint,
        apiKey.isPresent() ? "set" : "not set", config.maxConcurrency(), config.maxRetries());
  }

  /** The endpoint requests go to. */
  public URI endpoint() {
    return endpoint;
  }

  /**
   * Sends a request, retrying as the class comment describes, and returns the first usable answer.
   *
   * @throws TeacherException with the reason of the last failure once retries are spent, or at once for a 4xx
   */
  public ChatResponse complete(ChatRequest request) throws TeacherException {
    byte[] body = request.canonicalJson();
    int attempts = config.maxRetries() + 1;
    Outcome last = null;
    for (int attempt = 0; attempt < attempts; attempt++) {
      if (attempt > 0) {
        retries.incrementAndGet();
      }
      Outcome outcome;
      try {
        outcome = attempt(request, body);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new TeacherException("Cannot call teacher: interrupted", true, e);
      }
      if (outcome.response != null) {
        succeeded.incrementAndGet();
        return outcome.response;
      }
      last = outcome;
      if (outcome.kind == Failure.REFUSED) {
        break;
      }
      if (attempt + 1 < attempts) {
        Duration wait = backoff.delay(attempt);
        if (outcome.retryAfter != null) {
          Duration asked = min(outcome.retryAfter, config.maxRetryAfter());
          wait = asked.compareTo(wait) > 0 ? asked : wait;
        }
        LOG.debug("Teacher call to {} failed (attempt {} of {}): {}; retrying in {} ms", endpoint, attempt + 1,
            attempts, outcome.reason, wait.toMillis());
        try {
          sleeper.sleep(wait);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          throw new TeacherException("Cannot call teacher: interrupted", true, e);
        }
      }
    }
    rejected.incrementAndGet();
    Outcome failure = Objects.requireNonNull(last);
    LOG.debug("Teacher call to {} rejected: {}", endpoint, failure.reason);
    switch (failure.kind) {
      case REFUSED:
        throw new TeacherException("Cannot call teacher: " + failure.reason, false);
      case MALFORMED:
        throw new TeacherException(
            "Cannot use teacher answer after " + attempts + " attempts: " + failure.reason, false);
      default:
        throw new TeacherException("Cannot call teacher after " + attempts + " attempts: " + failure.reason, true);
    }
  }

  /** What the client has done so far. */
  public ChatClientStats stats() {
    return new ChatClientStats(requests.get(), succeeded.get(), retries.get(), throttled.get(), serverErrors.get(),
        timeouts.get(), connectionFailures.get(), malformed.get(), rejected.get(), limiter.limit());
  }

  private Outcome attempt(ChatRequest request, byte[] body) throws InterruptedException {
    Duration pause = limiter.pauseRemaining();
    if (!pause.isZero()) {
      // Another call was told to come back later; so are we.
      sleeper.sleep(min(pause, config.maxRetryAfter()));
    }
    slots.acquire();
    try {
      AdaptiveLimiter.Permit permit = limiter.acquire();
      HttpResponse<byte[]> response;
      try {
        requests.incrementAndGet();
        response = http.send(httpRequest(body), HttpResponse.BodyHandlers.ofByteArray());
      } catch (HttpTimeoutException e) {
        limiter.onFailure(permit);
        timeouts.incrementAndGet();
        return Outcome.failure(Failure.TRANSIENT, "timed out (" + e.getMessage() + ")", null);
      } catch (IOException e) {
        limiter.onFailure(permit);
        connectionFailures.incrementAndGet();
        return Outcome.failure(Failure.TRANSIENT,
            "connection failed (" + e.getClass().getSimpleName() + ": " + redact(e.getMessage()) + ")", null);
      } catch (InterruptedException | RuntimeException e) {
        limiter.onFailure(permit);
        throw e;
      }
      int status = response.statusCode();
      Optional<Duration> retryAfter =
          RetryAfter.parse(response.headers().firstValue("Retry-After").orElse(null), Instant.now());
      if (status == 429) {
        throttled.incrementAndGet();
        limiter.onThrottle(permit, retryAfter.map(d -> min(d, config.maxRetryAfter())).orElse(null));
        return Outcome.failure(Failure.TRANSIENT, "HTTP 429" + excerpt(response.body()), retryAfter.orElse(null));
      }
      if (status >= 500 || status == 408) {
        limiter.onFailure(permit);
        serverErrors.incrementAndGet();
        return Outcome.failure(Failure.TRANSIENT, "HTTP " + status + excerpt(response.body()), retryAfter.orElse(null));
      }
      limiter.onSuccess(permit);
      if (status < 200 || status >= 300) {
        return Outcome.failure(Failure.REFUSED, "HTTP " + status + excerpt(response.body()), null);
      }
      Outcome parsed = parse(request, response.body());
      if (parsed.response == null) {
        malformed.incrementAndGet();
      }
      return parsed;
    } finally {
      slots.release();
    }
  }

  private HttpRequest httpRequest(byte[] body) {
    HttpRequest.Builder builder = HttpRequest.newBuilder(endpoint)
        .timeout(config.requestTimeout())
        .header("Content-Type", "application/json")
        .header("Accept", "application/json")
        .POST(HttpRequest.BodyPublishers.ofByteArray(body));
    apiKey.ifPresent(key -> builder.header("Authorization", key.authorization()));
    return builder.build();
  }

  private Outcome parse(ChatRequest request, byte[] body) {
    JsonNode root;
    try {
      root = json.readTree(body);
    } catch (JsonProcessingException e) {
      return Outcome.failure(Failure.MALFORMED, "answer is not JSON" + excerpt(body), null);
    } catch (IOException e) {
      return Outcome.failure(Failure.MALFORMED, "answer is unreadable (" + e.getClass().getSimpleName() + ")", null);
    }
    if (root == null || !root.isObject()) {
      return Outcome.failure(Failure.MALFORMED, "answer is not a JSON object" + excerpt(body), null);
    }
    JsonNode choices = root.path("choices");
    if (!choices.isArray() || choices.isEmpty()) {
      return Outcome.failure(Failure.MALFORMED, "answer has no choices" + excerpt(body), null);
    }
    JsonNode choice = choices.get(0);
    String finishReason = choice.path("finish_reason").isTextual() ? choice.path("finish_reason").asText() : null;
    if ("length".equals(finishReason)) {
      return Outcome.failure(Failure.MALFORMED,
          "answer was cut off at max_tokens=" + request.maxTokens() + " (finish_reason=length)", null);
    }
    if ("content_filter".equals(finishReason)) {
      return Outcome.failure(Failure.MALFORMED, "answer was withheld (finish_reason=content_filter)", null);
    }
    JsonNode content = choice.path("message").path("content");
    if (!content.isTextual() || content.asText().isBlank()) {
      return Outcome.failure(Failure.MALFORMED, "answer has empty content", null);
    }
    String text = content.asText();
    return Outcome.success(new ChatResponse(text, finishReason, usage(root.path("usage"), request, text)));
  }

  private static TokenUsage usage(JsonNode usage, ChatRequest request, String completion) {
    JsonNode in = usage.path("prompt_tokens");
    JsonNode out = usage.path("completion_tokens");
    if (in.canConvertToLong() && out.canConvertToLong() && in.asLong() >= 0 && out.asLong() >= 0) {
      return new TokenUsage(in.asLong(), out.asLong(), false);
    }
    return TokenUsage.estimate(request.promptChars(), completion.length());
  }

  private String excerpt(byte[] body) {
    if (body == null || body.length == 0) {
      return "";
    }
    String text = new String(body, StandardCharsets.UTF_8).replaceAll("\\s+", " ").trim();
    if (text.length() > EXCERPT_CHARS) {
      text = text.substring(0, EXCERPT_CHARS) + "...";
    }
    return text.isEmpty() ? "" : ": " + redact(text);
  }

  private String redact(String text) {
    return apiKey.map(key -> key.redact(text)).orElse(text);
  }

  private static Duration min(Duration a, Duration b) {
    return a.compareTo(b) <= 0 ? a : b;
  }

  private enum Failure {
    /** Overloaded or unreachable: worth trying again later. */
    TRANSIENT,
    /** Answered, but not usably. */
    MALFORMED,
    /** Refused the request itself (4xx): the same request will be refused again. */
    REFUSED
  }

  private static final class Outcome {
    final ChatResponse response;
    final Failure kind;
    final String reason;
    final Duration retryAfter;

    private Outcome(ChatResponse response, Failure kind, String reason, Duration retryAfter) {
      this.response = response;
      this.kind = kind;
      this.reason = reason;
      this.retryAfter = retryAfter;
    }

    static Outcome success(ChatResponse response) {
      return new Outcome(response, null, null, null);
    }

    static Outcome failure(Failure kind, String reason, Duration retryAfter) {
      return new Outcome(null, kind, reason, retryAfter);
    }
  }
}

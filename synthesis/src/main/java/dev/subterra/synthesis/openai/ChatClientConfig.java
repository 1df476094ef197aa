package dev.subterra.synthesis.openai;

import java.net.URI;
import java.time.Duration;
import java.util.Locale;

/**
 * How a {@link ChatClient} reaches its server and how hard it tries.
 *
 * <ul>
 *   <li>{@code baseUrl}: the server, with or without a trailing {@code /v1} ({@code https://api.openai.com},
 *       {@code http://localhost:8000/v1}, {@code http://localhost:11434}).
 *   <li>{@code connectTimeout}, {@code requestTimeout}: a request past its timeout counts as a failure and is retried.
 *   <li>{@code maxConcurrency}: the hard limit of requests in flight from this client (one client per executor).
 *   <li>{@code initialConcurrency}: where the adaptive limit starts; it grows by one per window of successes up to
 *       {@code maxConcurrency} and halves on a 429.
 *   <li>{@code maxRetries}: retries after the first attempt, for 429, 5xx, timeouts, resets and malformed answers.
 *   <li>{@code initialBackoff}, {@code maxBackoff}: retry {@code n} waits a uniformly random time in
 *       {@code [0, min(maxBackoff, initialBackoff * 2^n)]} ("full jitter").
 *   <li>{@code maxRetryAfter}: the longest a server's {@code Retry-After} is honoured; longer asks are cut to it.
 *   <li>{@code jitterSeed}: seeds the jitter, so that a test sees the same waits on every run.
 * </ul>
 */
public record ChatClientConfig(
    URI baseUrl,
    Duration connectTimeout,
    Duration requestTimeout,
    int maxConcurrency,
    int initialConcurrency,
    int maxRetries,
    Duration initialBackoff,
    Duration maxBackoff,
    Duration maxRetryAfter,
    long jitterSeed) {

  public ChatClientConfig {
    if (baseUrl == null || baseUrl.getHost() == null) {
      throw new IllegalArgumentException("Invalid baseUrl: " + baseUrl);
    }
    String scheme = baseUrl.getScheme() == null ? "" : baseUrl.getScheme().toLowerCase(Locale.ROOT);
    if (!scheme.equals("http") && !scheme.equals("https")) {
      throw new IllegalArgumentException("Invalid baseUrl: " + baseUrl);
    }
    if (baseUrl.getUserInfo() != null) {
      // Credentials in a URL end up in logs and manifests; the key belongs in the environment.
      throw new IllegalArgumentException("Invalid baseUrl: credentials must come from " + ApiKey.VARIABLE);
    }
    requirePositive("connectTimeout", connectTimeout);
    requirePositive("requestTimeout", requestTimeout);
    if (maxConcurrency < 1) {
      throw new IllegalArgumentException("Invalid maxConcurrency: " + maxConcurrency);
    }
    if (initialConcurrency < 1 || initialConcurrency > maxConcurrency) {
      throw new IllegalArgumentException("Invalid initialConcurrency: " + initialConcurrency);
    }
    if (maxRetries < 0) {
      throw new IllegalArgumentException("Invalid maxRetries: " + maxRetries);
    }
    requirePositive("initialBackoff", initialBackoff);
    requirePositive("maxBackoff", maxBackoff);
    if (maxBackoff.compareTo(initialBackoff) < 0) {
      throw new IllegalArgumentException("Invalid maxBackoff: " + maxBackoff);
    }
    if (maxRetryAfter == null || maxRetryAfter.isNegative()) {
      throw new IllegalArgumentException("Invalid maxRetryAfter: " + maxRetryAfter);
    }
  }

  /**
   * Settings for a production server: 10 s to connect, 120 s per request, 8 requests in flight (starting at 4), 5
   * retries with backoff from 500 ms to 30 s, and {@code Retry-After} honoured up to 120 s.
   */
  public static ChatClientConfig defaults(URI baseUrl, long jitterSeed) {
    return new ChatClientConfig(baseUrl, Duration.ofSeconds(10), Duration.ofSeconds(120), 8, 4, 5,
        Duration.ofMillis(500), Duration.ofSeconds(30), Duration.ofSeconds(120), jitterSeed);
  }

  /** The chat-completions endpoint, whether or not {@code baseUrl} ends in {@code /v1}. */
  public URI endpoint() {
    String base = baseUrl.toString();
    while (base.endsWith("/")) {
      base = base.substring(0, base.length() - 1);
    }
    if (base.endsWith("/chat/completions")) {
      return URI.create(base);
    }
    if (!base.endsWith("/v1")) {
      base = base + "/v1";
    }
    return URI.create(base + "/chat/completions");
  }

  public ChatClientConfig withTimeouts(Duration connect, Duration request) {
    return new ChatClientConfig(baseUrl, connect, request, maxConcurrency, initialConcurrency, maxRetries,
        initialBackoff, maxBackoff, maxRetryAfter, jitterSeed);
  }

  public ChatClientConfig withConcurrency(int initial, int max) {
    return new ChatClientConfig(baseUrl, connectTimeout, requestTimeout, max, initial, maxRetries, initialBackoff,
        maxBackoff, maxRetryAfter, jitterSeed);
  }

  public ChatClientConfig withRetries(int retries, Duration initial, Duration max, Duration retryAfterCap) {
    return new ChatClientConfig(baseUrl, connectTimeout, requestTimeout, maxConcurrency, initialConcurrency, retries,
        initial, max, retryAfterCap, jitterSeed);
  }

  private static void requirePositive(String field, Duration value) {
    if (value == null || value.isNegative() || value.isZero()) {
      throw new IllegalArgumentException("Invalid " + field + ": " + value);
    }
  }
}

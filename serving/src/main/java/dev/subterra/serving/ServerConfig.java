package dev.subterra.serving;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.Optional;

/**
 * How the server listens and what it accepts.
 *
 * @param host the address to bind; loopback ({@code 127.0.0.1}) unless told otherwise
 * @param port the port; 0 picks a free one
 * @param apiKey the bearer token every {@code /v1} and {@code /metrics} request must carry; empty for none
 * @param maxBatch the most conversations in one decode step (1: no batching)
 * @param maxConcurrency the most conversations queued or decoding at once; more get a 429
 * @param maxBodyBytes the largest request body; larger ones get a 413
 * @param maxNewTokens the most tokens of one turn, whatever a request asks; at most half the context
 * @param shutdownGrace how long a shutdown waits for requests in flight
 */
public record ServerConfig(String host, int port, Optional<String> apiKey, int maxBatch, int maxConcurrency,
    int maxBodyBytes, int maxNewTokens, Duration shutdownGrace) {

  /** The loopback address, the default bind address. */
  public static final String LOOPBACK = "127.0.0.1";
  /** The default largest request body: 1 MiB. */
  public static final int DEFAULT_MAX_BODY_BYTES = 1 << 20;

  public ServerConfig {
    if (host == null || host.isBlank()) {
      throw new IllegalArgumentException("Invalid host: " + host);
    }
    try {
      InetAddress.getByName(host);
    } catch (UnknownHostException e) {
      throw new IllegalArgumentException("Invalid host: " + host + " (unknown)");
    }
    if (port < 0 || port > 65535) {
      throw new IllegalArgumentException("Invalid port: " + port);
    }
    if (apiKey == null || apiKey.filter(String::isBlank).isPresent()) {
      throw new IllegalArgumentException("Invalid apiKey: empty");
    }
    if (maxBatch < 1) {
      throw new IllegalArgumentException("Invalid maxBatch: " + maxBatch);
    }
    if (maxConcurrency < 1) {
      throw new IllegalArgumentException("Invalid maxConcurrency: " + maxConcurrency);
    }
    if (maxBodyBytes < 1024) {
      throw new IllegalArgumentException("Invalid maxBodyBytes: " + maxBodyBytes + " (at least 1024)");
    }
    if (maxNewTokens < 1) {
      throw new IllegalArgumentException("Invalid maxNewTokens: " + maxNewTokens);
    }
    if (shutdownGrace == null || shutdownGrace.isNegative()) {
      throw new IllegalArgumentException("Invalid shutdownGrace: " + shutdownGrace);
    }
  }

  /** Loopback, a free port, no key, batches of 32, 128 conversations, 1 MiB bodies, 64-token turns, 30 s grace. */
  public static ServerConfig defaults() {
    return new ServerConfig(LOOPBACK, 0, Optional.empty(), 32, 128, DEFAULT_MAX_BODY_BYTES, 64,
        Duration.ofSeconds(30));
  }

  public ServerConfig withPort(int p) {
    return new ServerConfig(host, p, apiKey, maxBatch, maxConcurrency, maxBodyBytes, maxNewTokens, shutdownGrace);
  }

  public ServerConfig withHost(String h) {
    return new ServerConfig(h, port, apiKey, maxBatch, maxConcurrency, maxBodyBytes, maxNewTokens, shutdownGrace);
  }

  public ServerConfig withApiKey(String key) {
    return new ServerConfig(host, port, Optional.of(key), maxBatch, maxConcurrency, maxBodyBytes, maxNewTokens,
        shutdownGrace);
  }

  public ServerConfig withBatching(int batch, int concurrency) {
    return new ServerConfig(host, port, apiKey, batch, concurrency, maxBodyBytes, maxNewTokens, shutdownGrace);
  }

  public ServerConfig withMaxBodyBytes(int bytes) {
    return new ServerConfig(host, port, apiKey, maxBatch, maxConcurrency, bytes, maxNewTokens, shutdownGrace);
  }

  public ServerConfig withMaxNewTokens(int tokens) {
    return new ServerConfig(host, port, apiKey, maxBatch, maxConcurrency, maxBodyBytes, tokens, shutdownGrace);
  }

  public ServerConfig withShutdownGrace(Duration grace) {
    return new ServerConfig(host, port, apiKey, maxBatch, maxConcurrency, maxBodyBytes, maxNewTokens, grace);
  }

  /** Never shows the key. */
  @Override
  public String toString() {
    return "ServerConfig[host=" + host + ", port=" + port + ", apiKey=" + (apiKey.isPresent() ? "(set)" : "(none)")
        + ", maxBatch=" + maxBatch + ", maxConcurrency=" + maxConcurrency + ", maxBodyBytes=" + maxBodyBytes
        + ", maxNewTokens=" + maxNewTokens + ", shutdownGrace=" + shutdownGrace + "]";
  }
}

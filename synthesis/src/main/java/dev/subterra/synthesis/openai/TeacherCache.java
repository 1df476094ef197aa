package dev.subterra.synthesis.openai;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.subterra.synthesis.TeacherException;
import java.io.IOException;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Objects;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A content-addressed cache of teacher answers: the key is the SHA-256 of the full canonical request (model,
 * temperature, {@code max_tokens}, seed and every message), so a rerun or a resumed run asks the server nothing it was
 * already answered, and a changed prompt or parameter is a new key rather than a stale answer.
 *
 * <p>The endpoint is deliberately not part of the key: the same model behind another gateway answers the same
 * request. Entries hold the answer, its usage and what it cost, never the API key or the request headers.
 *
 * <p>A read that fails is an error (rather than a miss that would pay for the call again); a write that fails is
 * logged and the answer still used, since it was already paid for.
 */
public final class TeacherCache {
  private static final Logger LOG = LoggerFactory.getLogger(TeacherCache.class);
  /** Changes whenever the key or the entry format changes, so that old entries are never misread. */
  static final String FORMAT = "subterra-teacher-cache/1";

  private final CacheStore store;
  private final ObjectMapper json = new ObjectMapper();

  public TeacherCache(CacheStore store) {
    this.store = Objects.requireNonNull(store, "store");
  }

  /** The key of a request: lowercase hex SHA-256 of the cache format and the request's canonical JSON. */
  public static String key(ChatRequest request) {
    try {
      MessageDigest sha = MessageDigest.getInstance("SHA-256");
      sha.update((FORMAT + "\n").getBytes(StandardCharsets.UTF_8));
      return HexFormat.of().formatHex(sha.digest(request.canonicalJson()));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("Every JVM provides SHA-256", e);
    }
  }

  /**
   * The cached answer for a key, if there is a readable one. An unreadable entry is reported and treated as absent, so
   * that the call is made again and overwrites it.
   *
   * @throws TeacherException when the store itself cannot be read
   */
  public Optional<Entry> get(String key) throws TeacherException {
    Optional<byte[]> bytes;
    try {
      bytes = store.get(key);
    } catch (IOException e) {
      throw new TeacherException("Cannot read teacher cache entry " + key + ": " + e.getMessage(), true, e);
    }
    if (bytes.isEmpty()) {
      return Optional.empty();
    }
    try {
      Entry entry = json.readValue(bytes.get(), Entry.class);
      if (!FORMAT.equals(entry.format()) || !key.equals(entry.key())) {
        LOG.warn("Ignoring teacher cache entry {}: it is of format {} for key {}", key, entry.format(), entry.key());
        return Optional.empty();
      }
      return Optional.of(entry);
    } catch (IOException | IllegalArgumentException e) {
      LOG.warn("Ignoring unreadable teacher cache entry {}: {}", key, e.getMessage());
      return Optional.empty();
    }
  }

  /** Stores an answer; a failure is logged, not thrown, because the answer was already paid for and is still good. */
  public void put(String key, String model, ChatResponse response, BigDecimal costUsd) {
    try {
      store.put(key, json.writeValueAsBytes(new Entry(FORMAT, key, model, response, costUsd)));
    } catch (IOException | RuntimeException e) {
      LOG.warn("Cannot write teacher cache entry {}: {}", key, e.getMessage());
    }
  }

  /** One cached answer: the request's key and model, the answer with its usage, and what it cost when made. */
  @JsonPropertyOrder({"format", "key", "model", "response", "cost_usd"})
  public record Entry(
      @JsonProperty("format") String format,
      @JsonProperty("key") String key,
      @JsonProperty("model") String model,
      @JsonProperty("response") ChatResponse response,
      @JsonProperty("cost_usd") BigDecimal costUsd) {

    public Entry {
      Objects.requireNonNull(response, "response");
      costUsd = costUsd == null ? BigDecimal.ZERO : costUsd;
    }
  }
}

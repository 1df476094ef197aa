package dev.subterra.synthesis.openai;

import dev.subterra.synthesis.TeacherException;
import dev.subterra.synthesis.cost.CostLedger;
import dev.subterra.synthesis.cost.TokenUsage;
import java.math.BigDecimal;
import java.util.Objects;

/**
 * Chat completions through the cache and the ledger, in the order that makes a rerun free and a budget hard: a cached
 * answer is returned without asking the ledger (it costs nothing now); otherwise the ledger reserves the call's worst
 * case or refuses it, the client makes it, the ledger settles it, and the answer is cached.
 *
 * <p>Two executors that miss on the same key at the same moment both pay for it; the cache then keeps one answer.
 * That is rare (requests differ by scenario seed) and cheaper than a distributed lock.
 */
public final class CachedCompletions {
  private final ChatClient client;
  private final TeacherCache cache;
  private final CostLedger ledger;

  public CachedCompletions(ChatClient client, TeacherCache cache, CostLedger ledger) {
    this.client = Objects.requireNonNull(client, "client");
    this.cache = Objects.requireNonNull(cache, "cache");
    this.ledger = Objects.requireNonNull(ledger, "ledger");
  }

  /** The answer to a request, from the cache or the server. */
  public Completion complete(ChatRequest request) throws TeacherException {
    String key = TeacherCache.key(request);
    var cached = cache.get(key);
    if (cached.isPresent()) {
      TeacherCache.Entry entry = cached.get();
      ledger.recordCacheHit(key, entry.response().usage(), entry.costUsd());
      return new Completion(entry.response(), true, entry.costUsd());
    }
    CostLedger.Reservation reservation = ledger.reserve(request.promptTokenBound(), request.maxTokens());
    ChatResponse response;
    try {
      response = client.complete(request);
    } catch (TeacherException | RuntimeException e) {
      ledger.release(reservation);
      throw e;
    }
    BigDecimal cost = ledger.settle(reservation, key, response.usage());
    cache.put(key, request.model(), response, cost);
    return new Completion(response, false, cost);
  }

  /** The client, for its statistics. */
  public ChatClient client() {
    return client;
  }

  /** The ledger, for the run's cost summary. */
  public CostLedger ledger() {
    return ledger;
  }

  /** One answer: whether it came from the cache, and what it cost when it was made. */
  public record Completion(ChatResponse response, boolean cacheHit, BigDecimal costUsd) {
    /** The answer's tokens. */
    public TokenUsage usage() {
      return response.usage();
    }
  }
}

package dev.subterra.synthesis.cost;

import dev.subterra.synthesis.TeacherException;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.Optional;
import java.util.HashSet;
import java.util.Objects;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Counts the tokens and dollars of teacher calls and keeps them under a budget. Thread-safe.
 *
 * <p>A call first {@linkplain #reserve reserves} the most it could cost: its prompt bound at the input price plus its
 * {@code max_tokens} at the output price. The reservation is refused, fast and before any request is sent, when the
 * spend so far plus every reservation in flight plus this one would pass the budget. The call then
 * {@linkplain #settle settles} at the cost its {@code usage} reports, or is {@linkplain #release released} if it
 * failed. Reserving the worst case is what lets concurrent calls never overshoot the budget together; the price is that
 * the last few cents of a budget may go unspent.
 *
 * <p>Answers served from the cache cost nothing now; they are counted separately, and the cost they had when first
 * made is {@linkplain CostSummary#replayedUsd replayed} once per cache key, and counts against the budget. A run killed
 * half way and resumed therefore reports, and is limited by, its whole spend, with nothing counted twice.
 *
 * <p>A failed call (timeout, 5xx) is recorded as free. Some providers do bill a request that timed out on the client
 * side; such spend is invisible here and is one more reason to keep a margin in the budget.
 */
public final class CostLedger {
  private static final Logger LOG = LoggerFactory.getLogger(CostLedger.class);
  private static final int REPORT_SCALE = 6;

  private final ModelPrice price;
  private final String priceTableVersion;
  private final Budget budget;

  // Guarded by this.
  private long calls;
  private long estimatedCalls;
  private TokenUsage tokens = TokenUsage.ZERO;
  private BigDecimal spent = BigDecimal.ZERO;
  private long cacheHits;
  private TokenUsage cachedTokens = TokenUsage.ZERO;
  private BigDecimal replayed = BigDecimal.ZERO;
  private BigDecimal reserved = BigDecimal.ZERO;
  private long refusedCalls;
  private final Set<String> countedKeys = new HashSet<>();

  /**
   * A ledger for one model.
   *
   * @param price the model's price; a self-hosted model may be given a zero price
   * @param priceTableVersion the version of the table the price came from, or a note such as {@code "explicit"}
   * @param budget the limit, or {@link Budget#unlimited()}
   */
  public CostLedger(ModelPrice price, String priceTableVersion, Budget budget) {
    this.price = Objects.requireNonNull(price, "price");
    this.priceTableVersion = Objects.requireNonNull(priceTableVersion, "priceTableVersion");
    this.budget = Objects.requireNonNull(budget, "budget");
  }

  /**
   * A ledger for {@code model} priced from {@code table}. A model the table lacks is charged nothing, with a warning,
   * unless there is a budget, which cannot be kept without a price.
   *
   * @throws IllegalArgumentException when the budget is limited and the model has no price
   */
  public static CostLedger forModel(PriceTable table, String model, Budget budget) {
    Optional<ModelPrice> price = table.price(model);
    if (price.isPresent()) {
      return new CostLedger(price.get(), table.version(), budget);
    }
    if (budget.limited()) {
      throw new IllegalArgumentException("Cannot enforce budget: model " + model + " has no price in price table "
          + table.version() + " (" + table.origin() + "); add it to a price table file");
    }
    LOG.warn("Model {} has no price in price table {}; its calls are recorded as free", model, table.version());
    return new CostLedger(new ModelPrice(model, BigDecimal.ZERO, BigDecimal.ZERO, LocalDate.now(ZoneOffset.UTC),
        "unpriced: not in price table " + table.version()), table.version(), budget);
  }

  /** The price this ledger charges. */
  public ModelPrice price() {
    return price;
  }

  /** What a call with this usage costs at this ledger's price. */
  public BigDecimal cost(TokenUsage usage) {
    return price.cost(usage);
  }

  /**
   * Reserves the most a call could cost, or refuses it.
   *
   * @param maxInputTokens an upper bound of the prompt's tokens
   * @param maxOutputTokens the call's {@code max_tokens}
   * @throws TeacherException when the call could pass the budget; retryable, since a run with a larger budget may make it
   */
  public synchronized Reservation reserve(long maxInputTokens, long maxOutputTokens) throws TeacherException {
    BigDecimal worst = price.cost(maxInputTokens, maxOutputTokens);
    if (budget.limited()) {
      BigDecimal limit = budget.usd().orElseThrow();
      BigDecimal committed = spent.add(replayed).add(reserved);
      if (committed.add(worst).compareTo(limit) > 0) {
        refusedCalls++;
        throw new TeacherException(
            "Cannot call teacher: budget of $" + plain(limit) + " spent ($" + dollars(committed)
                + " spent or in flight; the next call may cost up to $" + dollars(worst) + ")",
            true);
      }
    }
    reserved = reserved.add(worst);
    return new Reservation(worst);
  }

  /**
   * Records a call that succeeded, at the cost its usage reports, and frees its reservation.
   *
   * @param key the cache key of the request, so that a later cache hit on it is not counted again
   * @return the call's cost
   */
  public synchronized BigDecimal settle(Reservation reservation, String key, TokenUsage usage) {
    free(reservation);
    BigDecimal cost = price.cost(usage);
    if (cost.compareTo(reservation.amount) > 0) {
      // The prompt bound is conservative, so this means a provider counted more than it could have.
      LOG.warn("Teacher call cost ${} but had reserved only ${}; the budget may be passed by the difference",
          dollars(cost), dollars(reservation.amount));
    }
    calls++;
    if (usage.estimated()) {
      estimatedCalls++;
    }
    tokens = tokens.plus(usage);
    spent = spent.add(cost);
    countedKeys.add(key);
    return cost;
  }

  /** Frees the reservation of a call that failed; it is recorded as free. */
  public synchronized void release(Reservation reservation) {
    free(reservation);
  }

  /**
   * Records an answer served from the cache: free now, and its original cost replayed once per key.
   *
   * @param originalCost what the answer cost when it was first made
   */
  public synchronized void recordCacheHit(String key, TokenUsage usage, BigDecimal originalCost) {
    cacheHits++;
    cachedTokens = cachedTokens.plus(usage);
    if (countedKeys.add(key)) {
      replayed = replayed.add(originalCost);
    }
  }

  /** A snapshot of the counts. */
  public synchronized CostSummary summary() {
    return new CostSummary(price.model(), priceTableVersion, calls, estimatedCalls, tokens, spent, cacheHits,
        cachedTokens, replayed, refusedCalls, budget.usd().orElse(null));
  }

  private void free(Reservation reservation) {
    if (reservation.settled) {
      throw new IllegalStateException("Cannot settle a reservation twice");
    }
    reservation.settled = true;
    reserved = reserved.subtract(reservation.amount);
  }

  private static String dollars(BigDecimal amount) {
    return amount.setScale(REPORT_SCALE, RoundingMode.HALF_UP).stripTrailingZeros().toPlainString();
  }

  private static String plain(BigDecimal amount) {
    return amount.stripTrailingZeros().toPlainString();
  }

  /** Money set aside for one call in flight. */
  public static final class Reservation {
    private final BigDecimal amount;
    // Guarded by the ledger.
    private boolean settled;

    private Reservation(BigDecimal amount) {
      this.amount = amount;
    }

    /** The most the call may cost. */
    public BigDecimal amount() {
      return amount;
    }
  }
}

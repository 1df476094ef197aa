package dev.subterra.synthesis.cost;

import java.math.BigDecimal;

/**
 * What a ledger has recorded, for the run summary and the manifest.
 *
 * <ul>
 *   <li>{@code calls}, {@code tokens} and {@code spentUsd}: calls made to the provider by this ledger.
 *   <li>{@code estimatedCalls}: how many of those had no {@code usage} in the answer and were estimated.
 *   <li>{@code cacheHits}, {@code cachedTokens}: answers served from the cache, which cost nothing now.
 *   <li>{@code replayedUsd}: what those cached answers cost when they were first made (each counted once), so that a
 *       resumed run reports, and budgets, its whole spend without paying or counting it twice.
 *   <li>{@code refusedCalls}: calls refused because the budget would have been passed.
 *   <li>{@code budgetUsd}: the limit, or {@code null} when there is none.
 * </ul>
 */
public record CostSummary(
    String model,
    String priceTableVersion,
    long calls,
    long estimatedCalls,
    TokenUsage tokens,
    BigDecimal spentUsd,
    long cacheHits,
    TokenUsage cachedTokens,
    BigDecimal replayedUsd,
    long refusedCalls,
    BigDecimal budgetUsd) {

  /** Spend of this run and the runs it resumes: fresh calls plus the first cost of every cached answer used. */
  public BigDecimal totalUsd() {
    return spentUsd.add(replayedUsd);
  }
}

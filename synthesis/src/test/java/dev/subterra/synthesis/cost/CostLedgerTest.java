package dev.subterra.synthesis.cost;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.subterra.synthesis.TeacherException;
import java.math.BigDecimal;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(value = 10, unit = TimeUnit.SECONDS)
class CostLedgerTest {
  /** $1 per million tokens in and out: one token costs a millionth of a dollar. */
  private static final ModelPrice ONE_DOLLAR = new ModelPrice("m", BigDecimal.ONE, BigDecimal.ONE,
      LocalDate.parse("2025-01-01"), "test");

  @Test
  void chargesSettledCallsAtTheirUsage() throws Exception {
    CostLedger ledger = new CostLedger(ONE_DOLLAR, "test", Budget.unlimited());

    CostLedger.Reservation reservation = ledger.reserve(1000, 1000);
    BigDecimal cost = ledger.settle(reservation, "k1", new TokenUsage(300, 100, false));

    assertThat(cost).isEqualByComparingTo("0.0004");
    CostSummary summary = ledger.summary();
    assertThat(summary.calls()).isEqualTo(1);
    assertThat(summary.tokens()).isEqualTo(new TokenUsage(300, 100, false));
    assertThat(summary.spentUsd()).isEqualByComparingTo("0.0004");
    assertThat(summary.budgetUsd()).isNull();
  }

  @Test
  void countsCacheHitsSeparatelyAtNoCostAndReplaysTheirFirstCostOnce() throws Exception {
    CostLedger ledger = new CostLedger(ONE_DOLLAR, "test", Budget.unlimited());

    ledger.recordCacheHit("k1", new TokenUsage(300, 100, false), new BigDecimal("0.0004"));
    ledger.recordCacheHit("k1", new TokenUsage(300, 100, false), new BigDecimal("0.0004"));
    ledger.settle(ledger.reserve(10, 10), "k2", new TokenUsage(10, 10, true));
    ledger.recordCacheHit("k2", new TokenUsage(10, 10, true), new BigDecimal("0.00002"));

    CostSummary summary = ledger.summary();
    assertThat(summary.cacheHits()).isEqualTo(3);
    assertThat(summary.cachedTokens()).isEqualTo(new TokenUsage(610, 210, true));
    assertThat(summary.calls()).isEqualTo(1);
    assertThat(summary.estimatedCalls()).isEqualTo(1);
    assertThat(summary.spentUsd()).isEqualByComparingTo("0.00002");
    assertThat(summary.replayedUsd()).isEqualByComparingTo("0.0004");
    assertThat(summary.totalUsd()).isEqualByComparingTo("0.00042");
  }

  @Test
  void refusesACallThatCouldPassTheBudgetBeforeItIsMade() throws Exception {
    CostLedger ledger = new CostLedger(ONE_DOLLAR, "test", Budget.of("0.001"));
    ledger.settle(ledger.reserve(400, 400), "k1", new TokenUsage(400, 400, false));

    assertThatThrownBy(() -> ledger.reserve(100, 200))
        .isInstanceOfSatisfying(TeacherException.class, e -> assertThat(e.retryable()).isTrue())
        .hasMessage("Cannot call teacher: budget of $0.001 spent ($0.0008 spent or in flight; "
            + "the next call may cost up to $0.0003)");
    assertThat(ledger.summary().refusedCalls()).isEqualTo(1);
    // A smaller call still fits.
    ledger.release(ledger.reserve(100, 100));
  }

  @Test
  void countsReplayedSpendAgainstTheBudget() {
    CostLedger ledger = new CostLedger(ONE_DOLLAR, "test", Budget.of("0.001"));
    ledger.recordCacheHit("k1", new TokenUsage(900, 100, false), new BigDecimal("0.001"));

    assertThatThrownBy(() -> ledger.reserve(1, 1)).hasMessageStartingWith("Cannot call teacher: budget of $0.001");
  }

  @Test
  void concurrentCallsNeverPassTheBudgetTogether() throws Exception {
    CostLedger ledger = new CostLedger(ONE_DOLLAR, "test", Budget.of("0.01"));
    AtomicInteger refused = new AtomicInteger();
    ExecutorService pool = Executors.newFixedThreadPool(8);
    try {
      List<Future<?>> calls = new ArrayList<>();
      for (int i = 0; i < 200; i++) {
        String key = "k" + i;
        calls.add(pool.submit(() -> {
          try {
            CostLedger.Reservation reservation = ledger.reserve(100, 100);
            Thread.onSpinWait();
            ledger.settle(reservation, key, new TokenUsage(100, 100, false));
          } catch (TeacherException e) {
            refused.incrementAndGet();
          }
        }));
      }
      for (Future<?> call : calls) {
        call.get(5, TimeUnit.SECONDS);
      }
    } finally {
      pool.shutdownNow();
    }
    CostSummary summary = ledger.summary();
    assertThat(summary.calls()).isEqualTo(50);
    assertThat(refused).hasValue(150);
    assertThat(summary.spentUsd()).isEqualByComparingTo("0.01");
  }

  @Test
  void needsAPriceToKeepABudget() {
    PriceTable table = PriceTable.bundled();

    assertThatThrownBy(() -> CostLedger.forModel(table, "llama3.1:8b", Budget.of("5")))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("Cannot enforce budget: model llama3.1:8b has no price in price table "
            + table.version());
    assertThat(CostLedger.forModel(table, "llama3.1:8b", Budget.unlimited()).price().inputPerMillion()).isZero();
    assertThat(CostLedger.forModel(table, "gpt-4o-mini", Budget.of("5")).price().model()).isEqualTo("gpt-4o-mini");
  }

  @Test
  void validatesItsRecords() {
    assertThatThrownBy(() -> Budget.of("-1")).hasMessage("Invalid usd: -1");
    assertThatThrownBy(() -> Budget.of("lots")).hasMessage("Invalid budget: lots");
    assertThatThrownBy(() -> new TokenUsage(-1, 0, false)).hasMessage("Invalid inputTokens: -1");
  }
}

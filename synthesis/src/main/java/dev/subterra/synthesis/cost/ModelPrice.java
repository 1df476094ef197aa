package dev.subterra.synthesis.cost;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.time.LocalDate;
import java.util.Objects;

/**
 * The list price of one model in US dollars per million tokens, with the date it was read and where from.
 *
 * <p>Prices are {@link BigDecimal} so that a budget check adds up exactly what the price table says. A self-hosted
 * teacher (vLLM, Ollama) that is not in the table can be given a price of its own, zero included.
 */
public record ModelPrice(
    String model, BigDecimal inputPerMillion, BigDecimal outputPerMillion, LocalDate date, String source) {

  private static final BigDecimal MILLION = BigDecimal.valueOf(1_000_000L);
  /** Enough decimals for a single token of the cheapest model, in dollars. */
  private static final int SCALE = 12;

  public ModelPrice {
    if (model == null || model.isBlank()) {
      throw new IllegalArgumentException("Invalid model: " + model);
    }
    if (inputPerMillion == null || inputPerMillion.signum() < 0) {
      throw new IllegalArgumentException("Invalid input_usd_per_million for " + model + ": " + inputPerMillion);
    }
    if (outputPerMillion == null || outputPerMillion.signum() < 0) {
      throw new IllegalArgumentException("Invalid output_usd_per_million for " + model + ": " + outputPerMillion);
    }
    Objects.requireNonNull(date, () -> "Invalid date for " + model + ": null");
    if (source == null || source.isBlank()) {
      throw new IllegalArgumentException("Invalid source for " + model + ": " + source);
    }
  }

  /** What a call with this usage costs, in dollars. */
  public BigDecimal cost(TokenUsage usage) {
    return cost(usage.inputTokens(), usage.outputTokens());
  }

  /** What {@code inputTokens} in and {@code outputTokens} out cost, in dollars. */
  public BigDecimal cost(long inputTokens, long outputTokens) {
    return inputPerMillion
        .multiply(BigDecimal.valueOf(inputTokens))
        .add(outputPerMillion.multiply(BigDecimal.valueOf(outputTokens)))
        .divide(MILLION, SCALE, RoundingMode.UP)
        .stripTrailingZeros();
  }
}

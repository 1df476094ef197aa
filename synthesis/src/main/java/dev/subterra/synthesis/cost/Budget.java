package dev.subterra.synthesis.cost;

import java.math.BigDecimal;
import java.util.Optional;

/**
 * A spending limit in US dollars for teacher calls, or none. Absent means unlimited, which is only sensible for a free
 * local teacher.
 */
public record Budget(Optional<BigDecimal> usd) {

  public Budget {
    if (usd == null) {
      throw new IllegalArgumentException("Invalid usd: null");
    }
    usd.ifPresent(limit -> {
      if (limit.signum() < 0) {
        throw new IllegalArgumentException("Invalid usd: " + limit.toPlainString());
      }
    });
  }

  /** No limit. */
  public static Budget unlimited() {
    return new Budget(Optional.empty());
  }

  /** A limit of {@code usd} dollars, as given on the command line ({@code --budget 25}). */
  public static Budget of(String usd) {
    try {
      return new Budget(Optional.of(new BigDecimal(usd.trim())));
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("Invalid budget: " + usd, e);
    }
  }

  /** A limit of {@code usd} dollars. */
  public static Budget of(BigDecimal usd) {
    return new Budget(Optional.of(usd));
  }

  /** Whether there is a limit. */
  public boolean limited() {
    return usd.isPresent();
  }
}

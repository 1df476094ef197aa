package dev.subterra.evaluation.cost;

import java.math.BigDecimal;
import java.time.LocalDate;
import java.util.Locale;
import java.util.Objects;

/**
 * The hourly price of one machine type that could serve the student, with the date it was read and where from.
 *
 * @param name the instance type, prefixed with its provider ({@code aws-g6.xlarge})
 * @param kind {@code cpu} or {@code gpu}
 * @param description what the machine has: accelerators, vCPUs, memory
 * @param usdPerHour the on-demand price in US dollars per hour
 * @param date when the price was read
 * @param source where it was read
 */
public record HardwarePrice(
    String name, String kind, String description, BigDecimal usdPerHour, LocalDate date, String source) {

  public HardwarePrice {
    if (name == null || name.isBlank()) {
      throw new IllegalArgumentException("Invalid name: " + name);
    }
    if (kind == null || !(kind.toLowerCase(Locale.ROOT).equals("cpu") || kind.toLowerCase(Locale.ROOT).equals("gpu"))) {
      throw new IllegalArgumentException("Invalid kind for " + name + ": " + kind + " (cpu or gpu)");
    }
    if (usdPerHour == null || usdPerHour.signum() <= 0) {
      throw new IllegalArgumentException("Invalid usd_per_hour for " + name + ": " + usdPerHour);
    }
    Objects.requireNonNull(date, () -> "Invalid date for " + name + ": null");
    if (source == null || source.isBlank()) {
      throw new IllegalArgumentException("Invalid source for " + name + ": " + source);
    }
    kind = kind.toLowerCase(Locale.ROOT);
  }
}

package dev.subterra.evaluation.cost;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A versioned table of hourly machine prices, read from a JSON data file so that prices are never constants in code.
 *
 * <p>The bundled table is {@value #BUNDLED} on the classpath: on-demand list prices of a few CPU and GPU instance
 * types, each with the date it was read and its source, which must be checked before a cost report is trusted. A
 * table of one's own (reserved prices, one's own hardware amortised per hour) is read with {@link #load}.
 */
public final class HardwarePriceTable {
  /** The classpath resource of the bundled table. */
  public static final String BUNDLED = "prices/hardware-prices.json";

  private final String version;
  private final String origin;
  private final Map<String, HardwarePrice> prices;

  private HardwarePriceTable(String version, String origin, Map<String, HardwarePrice> prices) {
    this.version = version;
    this.origin = origin;
    this.prices = Collections.unmodifiableMap(prices);
  }

  /** The table bundled with Subterra. */
  public static HardwarePriceTable bundled() {
    try (InputStream in = HardwarePriceTable.class.getClassLoader().getResourceAsStream(BUNDLED)) {
      if (in == null) {
        throw new IllegalStateException("Cannot load hardware prices: " + BUNDLED + " is not on the classpath");
      }
      return read(in, "classpath:" + BUNDLED);
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot load hardware prices: " + BUNDLED, e);
    }
  }

  /** A table from a file. */
  public static HardwarePriceTable load(Path file) throws IOException {
    try (InputStream in = Files.newInputStream(file)) {
      return read(in, file.toString());
    }
  }

  /**
   * Reads a table: {@code version} and a list {@code instances} of entries with {@code name}, {@code kind}
   * ({@code cpu} or {@code gpu}), {@code description}, {@code usd_per_hour}, {@code date} (ISO) and {@code source}.
   *
   * @throws IllegalArgumentException naming the entry and field that is missing or invalid
   */
  public static HardwarePriceTable read(InputStream in, String origin) throws IOException {
    JsonNode root = new ObjectMapper().readTree(in);
    if (root == null || !root.isObject()) {
      throw new IllegalArgumentException("Invalid hardware price table " + origin + ": not a JSON object");
    }
    String version = text(root, "version", origin);
    JsonNode instances = root.path("instances");
    if (!instances.isArray() || instances.isEmpty()) {
      throw new IllegalArgumentException("Invalid instances in hardware price table " + origin + ": " + instances);
    }
    Map<String, HardwarePrice> prices = new LinkedHashMap<>();
    for (JsonNode entry : instances) {
      String name = text(entry, "name", origin);
      String where = origin + " entry " + name;
      JsonNode hourly = entry.get("usd_per_hour");
      if (hourly == null || !hourly.isNumber()) {
        throw new IllegalArgumentException("Invalid usd_per_hour in " + where + ": " + hourly);
      }
      LocalDate date;
      try {
        date = LocalDate.parse(text(entry, "date", where));
      } catch (DateTimeParseException e) {
        throw new IllegalArgumentException("Invalid date in " + where + ": " + entry.get("date"), e);
      }
      HardwarePrice price = new HardwarePrice(name, text(entry, "kind", where), text(entry, "description", where),
          new BigDecimal(hourly.asText()), date, text(entry, "source", where));
      if (prices.put(name, price) != null) {
        throw new IllegalArgumentException("Invalid hardware price table " + origin + ": " + name + " appears twice");
      }
    }
    return new HardwarePriceTable(version, origin, prices);
  }

  /** The price of an instance type by its exact name. */
  public Optional<HardwarePrice> price(String name) {
    return Optional.ofNullable(prices.get(name));
  }

  /** The table's version, recorded with every cost report. */
  public String version() {
    return version;
  }

  /** Where the table was read from. */
  public String origin() {
    return origin;
  }

  /** Every entry, in file order. */
  public List<HardwarePrice> entries() {
    return new ArrayList<>(prices.values());
  }

  private static String text(JsonNode node, String field, String where) {
    JsonNode value = node.get(field);
    if (value == null || !value.isTextual() || value.asText().isBlank()) {
      throw new IllegalArgumentException("Invalid " + field + " in " + where + ": " + value);
    }
    return value.asText();
  }
}

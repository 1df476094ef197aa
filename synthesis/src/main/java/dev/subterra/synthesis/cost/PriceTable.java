package dev.subterra.synthesis.cost;

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
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * A versioned table of model prices, read from a JSON data file so that prices are never constants in code.
 *
 * <p>The bundled table is {@code prices/frontier-prices.json} on the classpath; its entries are list prices that must
 * be checked against their sources before a budget is trusted. A model is found by its exact name, without a gateway
 * prefix such as {@code openai/}, and without a dated snapshot suffix such as {@code -2024-07-18} or
 * {@code -20241022}: {@code openai/gpt-4o-mini-2024-07-18} is priced as {@code gpt-4o-mini}. Any other suffix is a
 * different model and is not guessed at.
 */
public final class PriceTable {
  /** The classpath resource of the bundled table. */
  public static final String BUNDLED = "prices/frontier-prices.json";

  private static final Pattern SNAPSHOT_SUFFIX = Pattern.compile("-(\\d{4}-\\d{2}-\\d{2}|\\d{8}|latest)$");

  private final String version;
  private final String origin;
  private final Map<String, ModelPrice> prices;

  private PriceTable(String version, String origin, Map<String, ModelPrice> prices) {
    this.version = version;
    this.origin = origin;
    this.prices = Collections.unmodifiableMap(prices);
  }

  /** The table bundled with Subterra. */
  public static PriceTable bundled() {
    try (InputStream in = PriceTable.class.getClassLoader().getResourceAsStream(BUNDLED)) {
      if (in == null) {
        throw new IllegalStateException("Cannot load price table: " + BUNDLED + " is not on the classpath");
      }
      return read(in, "classpath:" + BUNDLED);
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot load price table: " + BUNDLED, e);
    }
  }

  /** A table from a file, for prices negotiated or checked more recently than the bundled ones. */
  public static PriceTable load(Path file) throws IOException {
    try (InputStream in = Files.newInputStream(file)) {
      return read(in, file.toString());
    }
  }

  /**
   * Reads a table: {@code version} and a list {@code models} of entries with {@code model},
   * {@code input_usd_per_million}, {@code output_usd_per_million}, {@code date} (ISO) and {@code source}.
   *
   * @throws IllegalArgumentException naming the entry and field that is missing or invalid
   */
  public static PriceTable read(InputStream in, String origin) throws IOException {
    JsonNode root = new ObjectMapper().readTree(in);
    if (root == null || !root.isObject()) {
      throw new IllegalArgumentException("Invalid price table " + origin + ": not a JSON object");
    }
    String version = text(root, "version", origin);
    JsonNode models = root.path("models");
    if (!models.isArray() || models.isEmpty()) {
      throw new IllegalArgumentException("Invalid models in price table " + origin + ": " + models);
    }
    Map<String, ModelPrice> prices = new LinkedHashMap<>();
    for (JsonNode entry : models) {
      String model = text(entry, "model", origin);
      String where = origin + " entry " + model;
      ModelPrice price = new ModelPrice(
          model,
          decimal(entry, "input_usd_per_million", where),
          decimal(entry, "output_usd_per_million", where),
          date(entry, "date", where),
          text(entry, "source", where));
      if (prices.put(key(model), price) != null) {
        throw new IllegalArgumentException("Invalid price table " + origin + ": model " + model + " appears twice");
      }
    }
    return new PriceTable(version, origin, prices);
  }

  /** The price of a model, if the table has it (see the class comment for how names are matched). */
  public Optional<ModelPrice> price(String model) {
    if (model == null) {
      return Optional.empty();
    }
    String name = key(model);
    ModelPrice exact = prices.get(name);
    if (exact != null) {
      return Optional.of(exact);
    }
    int slash = name.lastIndexOf('/');
    if (slash >= 0) {
      return price(name.substring(slash + 1));
    }
    String undated = SNAPSHOT_SUFFIX.matcher(name).replaceFirst("");
    return undated.equals(name) ? Optional.empty() : Optional.ofNullable(prices.get(undated));
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
  public List<ModelPrice> entries() {
    return new ArrayList<>(prices.values());
  }

  private static String key(String model) {
    return model.trim().toLowerCase(Locale.ROOT);
  }

  private static String text(JsonNode node, String field, String where) {
    JsonNode value = node.get(field);
    if (value == null || !value.isTextual() || value.asText().isBlank()) {
      throw new IllegalArgumentException("Invalid " + field + " in " + where + ": " + value);
    }
    return value.asText();
  }

  private static BigDecimal decimal(JsonNode node, String field, String where) {
    JsonNode value = node.get(field);
    if (value == null || !value.isNumber()) {
      throw new IllegalArgumentException("Invalid " + field + " in " + where + ": " + value);
    }
    // From the text, not the double, so 0.15 stays exactly 0.15.
    return new BigDecimal(value.asText());
  }

  private static LocalDate date(JsonNode node, String field, String where) {
    String value = text(node, field, where);
    try {
      return LocalDate.parse(value);
    } catch (DateTimeParseException e) {
      throw new IllegalArgumentException("Invalid " + field + " in " + where + ": " + value, e);
    }
  }
}

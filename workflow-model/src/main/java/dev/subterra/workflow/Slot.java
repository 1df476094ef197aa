package dev.subterra.workflow;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import java.util.List;

/**
 * A scenario variable: a typed value that the user provides or a tool returns, with a pool that synthesis draws from.
 *
 * <p>A number slot may give {@code min} and {@code max} instead of a pool. A slot is <em>closed</em> when its
 * {@code values} are every value it can take (an {@code enum}), and <em>open</em> otherwise: a {@code string} or
 * {@code text} slot's values are examples, and {@code generate} names the generator that synthesis draws most of its
 * values from (names, emails, places, codes, descriptions), so many that a student can be right only by copying.
 * {@code format} says how a value written the way people write it ("a week", "1.5k", "March 14th", "lisbon") is
 * brought to the canonical value a tool call carries; without it, the slot's type decides ({@link #normalisation()}).
 * {@code phrasings} are the workflow's own ways of saying the value, each with the slot's placeholder ("{travellers} of
 * us"), which the template teacher mixes into user turns.
 *
 * <p>Validation, not this constructor, checks that the pool fits the type, so that every problem of a file is reported
 * at once.
 */
@JsonInclude(JsonInclude.Include.NON_EMPTY)
@JsonPropertyOrder({"type", "description", "values", "min", "max", "generate", "format", "phrasings"})
public record Slot(SlotType type, String description, List<String> values, Double min, Double max,
    ValueGenerator generate, ValueFormat format, List<String> phrasings) {

  @JsonCreator
  public Slot(
      @JsonProperty("type") SlotType type,
      @JsonProperty("description") String description,
      @JsonProperty("values") List<String> values,
      @JsonProperty("min") Double min,
      @JsonProperty("max") Double max,
      @JsonProperty("generate") ValueGenerator generate,
      @JsonProperty("format") ValueFormat format,
      @JsonProperty("phrasings") List<String> phrasings) {
    this.type = type;
    this.description = description;
    this.values = values == null ? List.of() : List.copyOf(values);
    this.min = min;
    this.max = max;
    this.generate = generate;
    this.format = format;
    this.phrasings = phrasings == null ? List.of() : List.copyOf(phrasings);
  }

  /** A slot with neither generator, format nor phrasings. */
  public Slot(SlotType type, String description, List<String> values, Double min, Double max) {
    this(type, description, values, min, max, null, null, null);
  }

  /** A slot whose values come from a pool. */
  public static Slot pool(SlotType type, String description, List<String> values) {
    return new Slot(type, description, values, null, null);
  }

  /** A number slot drawn uniformly from {@code [min, max]}. */
  public static Slot range(String description, double min, double max) {
    return new Slot(SlotType.NUMBER, description, List.of(), min, max);
  }

  /** Whether the slot's values are examples of an open set (a string or text), rather than its every value. */
  @JsonIgnore
  public boolean isOpen() {
    return type == SlotType.STRING || type == SlotType.TEXT;
  }

  /**
   * How values of this slot are normalised: its {@code format}, or by its type (a number, a date, an enum's
   * canonical spelling, and text as written otherwise).
   */
  @JsonIgnore
  public ValueFormat normalisation() {
    if (format != null) {
      return format;
    }
    return switch (type == null ? SlotType.STRING : type) {
      case NUMBER -> ValueFormat.NUMBER;
      case DATE -> ValueFormat.DATE;
      case ENUM -> ValueFormat.ENUM;
      case STRING, TEXT -> ValueFormat.TEXT;
    };
  }
}

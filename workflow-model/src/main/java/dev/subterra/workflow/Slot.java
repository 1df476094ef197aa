package dev.subterra.workflow;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import java.util.List;

/**
 * A scenario variable: a typed value that the user provides or a tool returns, with a pool that synthesis draws from.
 *
 * <p>A number slot may give {@code min} and {@code max} instead of a pool. Validation, not this constructor, checks
 * that the pool fits the type, so that every problem of a file is reported at once.
 */
@JsonInclude(JsonInclude.Include.NON_EMPTY)
@JsonPropertyOrder({"type", "description", "values", "min", "max"})
public record Slot(SlotType type, String description, List<String> values, Double min, Double max) {

  @JsonCreator
  public Slot(
      @JsonProperty("type") SlotType type,
      @JsonProperty("description") String description,
      @JsonProperty("values") List<String> values,
      @JsonProperty("min") Double min,
      @JsonProperty("max") Double max) {
    this.type = type;
    this.description = description;
    this.values = values == null ? List.of() : List.copyOf(values);
    this.min = min;
    this.max = max;
  }

  /** A slot whose values come from a pool. */
  public static Slot pool(SlotType type, String description, List<String> values) {
    return new Slot(type, description, values, null, null);
  }

  /** A number slot drawn uniformly from {@code [min, max]}. */
  public static Slot range(String description, double min, double max) {
    return new Slot(SlotType.NUMBER, description, List.of(), min, max);
  }
}

package dev.subterra.workflow;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import com.fasterxml.jackson.annotation.JsonValue;
import java.util.List;
import java.util.Locale;

/**
 * A structured condition on a slot value, attached to an edge beside its natural-language {@code when}.
 *
 * <p>Synthesis uses guards to draw slot values that agree with the branch a path takes; {@code value} is compared as a
 * number when both sides parse as numbers, as text otherwise.
 */
@JsonInclude(JsonInclude.Include.NON_EMPTY)
@JsonPropertyOrder({"slot", "op", "value", "values"})
public record Guard(String slot, Op op, String value, List<String> values) {

  /** The comparison a guard makes. */
  public enum Op {
    EQ, NE, LT, LE, GT, GE, IN, NOT_IN, PRESENT, ABSENT;

    @JsonValue
    public String wireName() {
      return name().toLowerCase(Locale.ROOT);
    }

    /** Whether this operator compares with a list ({@code values}) rather than one {@code value}. */
    public boolean takesList() {
      return this == IN || this == NOT_IN;
    }

    /** Whether this operator needs no operand at all. */
    public boolean takesNothing() {
      return this == PRESENT || this == ABSENT;
    }

    /** Whether this operator orders its operands, which only makes sense for numbers and dates. */
    public boolean isOrdering() {
      return this == LT || this == LE || this == GT || this == GE;
    }
  }

  @JsonCreator
  public Guard(
      @JsonProperty("slot") String slot,
      @JsonProperty("op") Op op,
      @JsonProperty("value") String value,
      @JsonProperty("values") List<String> values) {
    this.slot = slot;
    this.op = op;
    this.value = value;
    this.values = values == null ? List.of() : List.copyOf(values);
  }

  /** Whether a slot value satisfies this guard; {@code null} means the slot has no value. */
  public boolean test(String actual) {
    return switch (op) {
      case PRESENT -> actual != null;
      case ABSENT -> actual == null;
      case IN -> actual != null && values.contains(actual);
      case NOT_IN -> actual == null || !values.contains(actual);
      case EQ -> actual != null && compare(actual, value) == 0;
      case NE -> actual == null || compare(actual, value) != 0;
      case LT -> actual != null && compare(actual, value) < 0;
      case LE -> actual != null && compare(actual, value) <= 0;
      case GT -> actual != null && compare(actual, value) > 0;
      case GE -> actual != null && compare(actual, value) >= 0;
    };
  }

  private static int compare(String a, String b) {
    try {
      return Double.compare(Double.parseDouble(a), Double.parseDouble(b));
    } catch (NumberFormatException notNumbers) {
      // ISO dates and plain text both order correctly as strings.
      return a.compareTo(b);
    }
  }

  @Override
  public String toString() {
    if (op == null) {
      return slot + " ?";
    }
    if (op.takesNothing()) {
      return slot + " " + op.wireName();
    }
    return slot + " " + op.wireName() + " " + (op.takesList() ? values : value);
  }
}

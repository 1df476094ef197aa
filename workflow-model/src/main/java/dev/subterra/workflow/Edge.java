package dev.subterra.workflow;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;

/**
 * A directed edge to another node.
 *
 * <p>{@code when} is the natural-language condition a teacher must satisfy when a path takes this edge (at a decision
 * hub, or where a user turn branches); {@code guard} optionally says the same about slot values; {@code outcome} labels
 * the result of a tool call ({@code success}, {@code not_found}, {@code error}, ...). In a file, an edge with only a
 * target may be written as the bare node id.
 */
@JsonInclude(JsonInclude.Include.NON_EMPTY)
@JsonPropertyOrder({"to", "when", "outcome", "guard"})
public record Edge(String to, String when, String outcome, Guard guard) {

  @JsonCreator(mode = JsonCreator.Mode.PROPERTIES)
  public Edge(
      @JsonProperty("to") String to,
      @JsonProperty("when") String when,
      @JsonProperty("outcome") String outcome,
      @JsonProperty("guard") Guard guard) {
    this.to = to;
    this.when = when;
    this.outcome = outcome;
    this.guard = guard;
  }

  /** An unconditional edge, as written by a bare id in a file. */
  @JsonCreator(mode = JsonCreator.Mode.DELEGATING)
  public static Edge to(String target) {
    return new Edge(target, null, null, null);
  }

  /** A conditional edge, as leaves a decision hub. */
  public static Edge when(String target, String condition) {
    return new Edge(target, condition, null, null);
  }

  /** An edge taken on one outcome of a tool call. */
  public static Edge onOutcome(String target, String outcome) {
    return new Edge(target, null, outcome, null);
  }

  /** A short label for renderings and hub choices: the outcome, the condition, the guard, or nothing. */
  public String label() {
    if (outcome != null) {
      return outcome;
    }
    if (when != null) {
      return when;
    }
    return guard == null ? "" : guard.toString();
  }
}

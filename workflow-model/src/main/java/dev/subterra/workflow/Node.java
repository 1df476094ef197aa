package dev.subterra.workflow;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import com.fasterxml.jackson.annotation.JsonFormat;
import java.util.List;

/**
 * One step of a procedure.
 *
 * <ul>
 *   <li>{@code agent}: the student speaks. {@code prompt} instructs a teacher model; {@code templates} are utterances
 *       with {@code {slot}} placeholders for the offline teacher; {@code cites} names knowledge-base facts.
 *   <li>{@code user}: the user speaks, with a prompt and templates likewise.
 *   <li>{@code decision}: a hub with at least two conditional edges.
 *   <li>{@code tool}: the student calls {@code tool}; each edge is labelled with an outcome.
 *   <li>{@code terminal}: the end, with an {@code outcome}; it has no edges.
 * </ul>
 *
 * <p>Which fields a kind may carry is checked by {@link WorkflowValidator}, so that a file with many mistakes gets them
 * all reported at once.
 */
@JsonInclude(JsonInclude.Include.NON_EMPTY)
@JsonPropertyOrder({"id", "kind", "description", "prompt", "templates", "cites", "tool", "next", "outcome"})
public record Node(
    String id,
    NodeKind kind,
    String description,
    String prompt,
    List<String> templates,
    List<String> cites,
    ToolCall tool,
    List<Edge> next,
    TerminalOutcome outcome) {

  @JsonCreator
  public Node(
      @JsonProperty("id") String id,
      @JsonProperty("kind") NodeKind kind,
      @JsonProperty("description") String description,
      @JsonProperty("prompt") String prompt,
      @JsonProperty("templates") @JsonFormat(with = JsonFormat.Feature.ACCEPT_SINGLE_VALUE_AS_ARRAY)
          List<String> templates,
      @JsonProperty("cites") @JsonFormat(with = JsonFormat.Feature.ACCEPT_SINGLE_VALUE_AS_ARRAY) List<String> cites,
      @JsonProperty("tool") ToolCall tool,
      @JsonProperty("next") @JsonFormat(with = JsonFormat.Feature.ACCEPT_SINGLE_VALUE_AS_ARRAY) List<Edge> next,
      @JsonProperty("outcome") TerminalOutcome outcome) {
    this.id = id;
    this.kind = kind;
    this.description = description;
    this.prompt = prompt;
    this.templates = templates == null ? List.of() : List.copyOf(templates);
    this.cites = cites == null ? List.of() : List.copyOf(cites);
    this.tool = tool;
    this.next = next == null ? List.of() : List.copyOf(next);
    this.outcome = outcome;
  }

  /** An agent turn. */
  public static Node agent(String id, String prompt, List<String> templates, List<Edge> next) {
    return new Node(id, NodeKind.AGENT, null, prompt, templates, List.of(), null, next, null);
  }

  /** A user turn. */
  public static Node user(String id, String prompt, List<String> templates, List<Edge> next) {
    return new Node(id, NodeKind.USER, null, prompt, templates, List.of(), null, next, null);
  }

  /** A decision hub. */
  public static Node decision(String id, String description, List<Edge> next) {
    return new Node(id, NodeKind.DECISION, description, null, List.of(), List.of(), null, next, null);
  }

  /** A tool call whose edges are labelled with outcomes. */
  public static Node tool(String id, String description, ToolCall call, List<Edge> outcomes) {
    return new Node(id, NodeKind.TOOL, description, null, List.of(), List.of(), call, outcomes, null);
  }

  /** An end of the conversation. */
  public static Node terminal(String id, TerminalOutcome outcome) {
    return new Node(id, NodeKind.TERMINAL, null, null, List.of(), List.of(), null, List.of(), outcome);
  }

  /** Whether this node ends the conversation. */
  @JsonIgnore
  public boolean isTerminal() {
    return kind == NodeKind.TERMINAL;
  }

  /** Whether a path through this node chooses among several edges. */
  @JsonIgnore
  public boolean isBranching() {
    return next.size() > 1;
  }
}

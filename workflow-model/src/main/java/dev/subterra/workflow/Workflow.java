package dev.subterra.workflow;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A procedure as a graph: the unit that Subterra compiles into a student model.
 *
 * <p>{@code slots} are the scenario variables that synthesis draws values for; {@code personas} are user styles it
 * varies; {@code knowledge} is the knowledge base that agent nodes cite. Nodes keep their file order, which is also
 * the order of edges in path enumeration, so that path ids and orders are stable.
 *
 * <p>A {@code Workflow} built in code is not checked: pass it to {@link WorkflowValidator} (the loader does).
 */
@JsonInclude(JsonInclude.Include.NON_EMPTY)
@JsonPropertyOrder({"id", "name", "description", "start", "personas", "slots", "knowledge", "nodes"})
public record Workflow(
    String id,
    String name,
    String description,
    String start,
    List<String> personas,
    Map<String, Slot> slots,
    List<Fact> knowledge,
    List<Node> nodes) {

  @JsonCreator
  public Workflow(
      @JsonProperty("id") String id,
      @JsonProperty("name") String name,
      @JsonProperty("description") String description,
      @JsonProperty("start") String start,
      @JsonProperty("personas") List<String> personas,
      @JsonProperty("slots") Map<String, Slot> slots,
      @JsonProperty("knowledge") List<Fact> knowledge,
      @JsonProperty("nodes") List<Node> nodes) {
    this.id = id;
    this.name = name;
    this.description = description;
    this.start = start;
    this.personas = personas == null ? List.of() : List.copyOf(personas);
    this.slots = slots == null ? Map.of() : Collections.unmodifiableMap(new LinkedHashMap<>(slots));
    this.knowledge = knowledge == null ? List.of() : List.copyOf(knowledge);
    this.nodes = nodes == null ? List.of() : List.copyOf(nodes);
  }

  /** The node with this id, if there is one. */
  public Optional<Node> node(String nodeId) {
    return nodes.stream().filter(n -> n.id() != null && n.id().equals(nodeId)).findFirst();
  }

  /** The number of nodes of one kind. */
  public long count(NodeKind kind) {
    return nodes.stream().filter(n -> n.kind() == kind).count();
  }

  /** A name for people: {@code name} when given, the id otherwise. */
  public String displayName() {
    return name != null && !name.isBlank() ? name : id;
  }
}

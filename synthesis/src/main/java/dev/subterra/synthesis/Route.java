package dev.subterra.synthesis;

import dev.subterra.workflow.Edge;
import dev.subterra.workflow.Node;
import dev.subterra.workflow.NodeKind;
import dev.subterra.workflow.Workflow;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * A path's node sequence resolved against its workflow: the node at every step and the edge taken out of it. Shared by
 * the planner, the teachers and the conformance checker so that all three read a path the same way.
 *
 * <p>Where two edges of a node lead to the same target, the first in file order is the one taken, as in path
 * enumeration, which merges such parallel edges into the first.
 */
public final class Route {
  private final Workflow workflow;
  private final List<Node> nodes;
  private final List<Edge> edges;

  private Route(Workflow workflow, List<Node> nodes, List<Edge> edges) {
    this.workflow = workflow;
    this.nodes = nodes;
    this.edges = edges;
  }

  /**
   * Resolves a node sequence.
   *
   * @throws IllegalArgumentException naming the first node or step that is not in the workflow
   */
  public static Route of(Workflow workflow, List<String> nodeIds) {
    if (nodeIds.isEmpty()) {
      throw new IllegalArgumentException("Invalid path: it has no nodes");
    }
    Map<String, Node> byId = new HashMap<>();
    for (Node node : workflow.nodes()) {
      byId.put(node.id(), node);
    }
    List<Node> nodes = new ArrayList<>(nodeIds.size());
    for (String id : nodeIds) {
      Node node = byId.get(id);
      if (node == null) {
        throw new IllegalArgumentException(
            "Invalid path node: '" + id + "' is not a node of workflow " + workflow.id());
      }
      nodes.add(node);
    }
    List<Edge> edges = new ArrayList<>(nodes.size());
    for (int i = 0; i + 1 < nodes.size(); i++) {
      Edge taken = firstEdge(nodes.get(i), nodes.get(i + 1).id());
      if (taken == null) {
        throw new IllegalArgumentException("Invalid path step: no edge from '" + nodes.get(i).id() + "' to '"
            + nodes.get(i + 1).id() + "' in workflow " + workflow.id());
      }
      edges.add(taken);
    }
    edges.add(null);
    return new Route(workflow, List.copyOf(nodes), java.util.Collections.unmodifiableList(edges));
  }

  private static Edge firstEdge(Node from, String to) {
    for (Edge edge : from.next()) {
      if (to.equals(edge.to())) {
        return edge;
      }
    }
    return null;
  }

  public Workflow workflow() {
    return workflow;
  }

  /** The number of steps, terminal included. */
  public int size() {
    return nodes.size();
  }

  /** The node at step {@code i}. */
  public Node node(int i) {
    return nodes.get(i);
  }

  /** The edge taken out of step {@code i}; {@code null} at the last step. */
  public Edge edge(int i) {
    return edges.get(i);
  }

  /** The other edges the node at step {@code i} offered and the path did not take. */
  public List<Edge> siblings(int i) {
    Edge taken = edges.get(i);
    List<Edge> others = new ArrayList<>();
    if (taken == null) {
      return others;
    }
    for (Edge edge : nodes.get(i).next()) {
      if (!edge.to().equals(taken.to())) {
        others.add(edge);
      }
    }
    return others;
  }

  /** Whether the node at step {@code i} is one where someone speaks or a tool is called. */
  public boolean isTurn(int i) {
    NodeKind kind = nodes.get(i).kind();
    return kind == NodeKind.AGENT || kind == NodeKind.USER || kind == NodeKind.TOOL;
  }
}

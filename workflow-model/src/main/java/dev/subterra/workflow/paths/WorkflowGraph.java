package dev.subterra.workflow.paths;

import dev.subterra.workflow.Edge;
import dev.subterra.workflow.Guard;
import dev.subterra.workflow.Node;
import dev.subterra.workflow.Workflow;
import dev.subterra.workflow.WorkflowCodec;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * A validated workflow compiled to arrays, the form that enumeration walks and that Spark ships to executors.
 *
 * <p>Nodes and edges are numbered in file order, so enumeration order is stable. A path is written as the sequence of
 * edges it takes from the start: two outcomes of a tool that lead to the same node are two paths, since the tool's
 * result, and so the conversation, differs. A path whose guards contradict each other (see {@link PathConstraints}) is
 * not a path: no scenario can act it out.
 */
public final class WorkflowGraph implements Serializable {
  private static final long serialVersionUID = 2L;

  private final String workflowId;
  private final String contentHash;
  private final String[] ids;
  private final boolean[] terminal;
  private final int[][] outEdges;
  private final int[] edgeFrom;
  private final int[] edgeTo;
  private final int[] edgePosition;
  private final String[] edgeLabel;
  private final int start;
  private final PathConstraints constraints;

  private WorkflowGraph(Workflow workflow) {
    this.workflowId = workflow.id();
    this.contentHash = WorkflowCodec.contentHash(workflow);
    int n = workflow.nodes().size();
    this.ids = new String[n];
    this.terminal = new boolean[n];
    this.outEdges = new int[n][];
    Map<String, Integer> index = new HashMap<>();
    for (int i = 0; i < n; i++) {
      Node node = workflow.nodes().get(i);
      ids[i] = node.id();
      terminal[i] = node.isTerminal();
      index.put(node.id(), i);
    }
    List<int[]> edges = new ArrayList<>();
    List<String> labels = new ArrayList<>();
    List<Guard> guards = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      List<Edge> next = workflow.nodes().get(i).next();
      outEdges[i] = new int[next.size()];
      for (int position = 0; position < next.size(); position++) {
        Integer target = index.get(next.get(position).to());
        if (target == null) {
          throw new IllegalArgumentException("Cannot compile workflow " + workflowId + ": node '" + ids[i]
              + "' points to unknown node '" + next.get(position).to() + "'; validate it first");
        }
        outEdges[i][position] = edges.size();
        edges.add(new int[] {i, target, position});
        labels.add(next.get(position).label());
        guards.add(next.get(position).guard());
      }
    }
    this.edgeFrom = edges.stream().mapToInt(e -> e[0]).toArray();
    this.edgeTo = edges.stream().mapToInt(e -> e[1]).toArray();
    this.edgePosition = edges.stream().mapToInt(e -> e[2]).toArray();
    this.edgeLabel = labels.toArray(String[]::new);
    Integer startIndex = index.get(workflow.start());
    if (startIndex == null) {
      throw new IllegalArgumentException("Cannot compile workflow " + workflowId + ": unknown start node '"
          + workflow.start() + "'; validate it first");
    }
    this.start = startIndex;
    this.constraints = PathConstraints.of(workflow, guards);
  }

  /** The guards on the edges, which decide whether a path can be acted out. */
  PathConstraints constraints() {
    return constraints;
  }

  /** Compiles a workflow that has passed validation. */
  public static WorkflowGraph of(Workflow workflow) {
    return new WorkflowGraph(workflow);
  }

  public String workflowId() {
    return workflowId;
  }

  /** The content hash of the workflow this graph was compiled from; part of every path id. */
  public String contentHash() {
    return contentHash;
  }

  /** The number of nodes. */
  public int size() {
    return ids.length;
  }

  public int start() {
    return start;
  }

  public String id(int node) {
    return ids[node];
  }

  public boolean isTerminal(int node) {
    return terminal[node];
  }

  /** The edges leaving a node, in file order; callers must not modify the array. */
  int[] outEdges(int node) {
    return outEdges[node];
  }

  public int degree(int node) {
    return outEdges[node].length;
  }

  /** The number of edges. */
  public int edgeCount() {
    return edgeFrom.length;
  }

  public int from(int edge) {
    return edgeFrom[edge];
  }

  public int to(int edge) {
    return edgeTo[edge];
  }

  /** The edge's position among the edges of its source node. */
  public int position(int edge) {
    return edgePosition[edge];
  }

  /** The edge's label: its outcome, condition or guard. */
  public String label(int edge) {
    return edgeLabel[edge];
  }

  /** A readable name: {@code from -> to}, with the label when another edge joins the same two nodes. */
  public String edgeName(int edge) {
    String name = ids[edgeFrom[edge]] + " -> " + ids[edgeTo[edge]];
    for (int other : outEdges[edgeFrom[edge]]) {
      if (other != edge && edgeTo[other] == edgeTo[edge]) {
        return name + " [" + edgeLabel[edge] + "]";
      }
    }
    return name;
  }

  /** The node a path of edges ends at. */
  public int last(int[] edges) {
    return edges.length == 0 ? start : edgeTo[edges[edges.length - 1]];
  }

  /** The nodes a path of edges visits, the start included. */
  public int[] nodesOf(int[] edges) {
    int[] nodes = new int[edges.length + 1];
    nodes[0] = start;
    for (int i = 0; i < edges.length; i++) {
      nodes[i + 1] = edgeTo[edges[i]];
    }
    return nodes;
  }
}

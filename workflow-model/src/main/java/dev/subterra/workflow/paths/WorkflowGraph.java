package dev.subterra.workflow.paths;

import dev.subterra.workflow.Edge;
import dev.subterra.workflow.Node;
import dev.subterra.workflow.Workflow;
import dev.subterra.workflow.WorkflowCodec;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A validated workflow compiled to arrays of node indices, the form that enumeration walks and that Spark ships to
 * executors.
 *
 * <p>Edges keep the order of the file, so the enumeration order is stable. Parallel edges (two conditions leading to
 * the same node) are merged into the first: a path is its node sequence, and two such edges give the same one.
 */
public final class WorkflowGraph implements Serializable {
  private static final long serialVersionUID = 1L;

  private final String workflowId;
  private final String contentHash;
  private final String[] ids;
  private final boolean[] terminal;
  private final int[][] successors;
  private final String[][] labels;
  private final int start;

  private WorkflowGraph(Workflow workflow) {
    this.workflowId = workflow.id();
    this.contentHash = WorkflowCodec.contentHash(workflow);
    int n = workflow.nodes().size();
    this.ids = new String[n];
    this.terminal = new boolean[n];
    this.successors = new int[n][];
    this.labels = new String[n][];
    Map<String, Integer> index = new HashMap<>();
    for (int i = 0; i < n; i++) {
      Node node = workflow.nodes().get(i);
      ids[i] = node.id();
      terminal[i] = node.isTerminal();
      index.put(node.id(), i);
    }
    for (int i = 0; i < n; i++) {
      Set<Integer> targets = new LinkedHashSet<>();
      List<String> edgeLabels = new ArrayList<>();
      for (Edge edge : workflow.nodes().get(i).next()) {
        Integer target = index.get(edge.to());
        if (target == null) {
          throw new IllegalArgumentException("Cannot compile workflow " + workflowId + ": node '" + ids[i]
              + "' points to unknown node '" + edge.to() + "'; validate it first");
        }
        if (targets.add(target)) {
          edgeLabels.add(edge.label());
        }
      }
      successors[i] = targets.stream().mapToInt(Integer::intValue).toArray();
      labels[i] = edgeLabels.toArray(String[]::new);
    }
    Integer startIndex = index.get(workflow.start());
    if (startIndex == null) {
      throw new IllegalArgumentException("Cannot compile workflow " + workflowId + ": unknown start node '"
          + workflow.start() + "'; validate it first");
    }
    this.start = startIndex;
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

  /** The successors of a node, in file order; callers must not modify the array. */
  int[] successorsOf(int node) {
    return successors[node];
  }

  public int degree(int node) {
    return successors[node].length;
  }

  public int successor(int node, int edge) {
    return successors[node][edge];
  }

  /** The label of the {@code edge}-th edge of a node: its outcome, condition or guard. */
  public String label(int node, int edge) {
    return labels[node][edge];
  }

  /** The position of the edge from {@code from} to {@code to}, or -1. */
  public int edgeIndex(int from, int to) {
    int[] next = successors[from];
    for (int e = 0; e < next.length; e++) {
      if (next[e] == to) {
        return e;
      }
    }
    return -1;
  }

  /** The number of edges, after merging parallel ones. */
  public int edgeCount() {
    int count = 0;
    for (int[] next : successors) {
      count += next.length;
    }
    return count;
  }
}

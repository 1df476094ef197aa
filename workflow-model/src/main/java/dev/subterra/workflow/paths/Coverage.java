package dev.subterra.workflow.paths;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * How many paths pass through each node and each edge of a workflow, in file order. A node or edge with zero paths can
 * never be trained on: either the loop bound is too low to reach it, or sampling could not.
 */
public record Coverage(Map<String, Long> nodes, Map<String, Long> edges) {
  public Coverage {
    nodes = Collections.unmodifiableMap(new LinkedHashMap<>(nodes));
    edges = Collections.unmodifiableMap(new LinkedHashMap<>(edges));
  }

  /** The coverage of a graph from counts per node index and per edge index. */
  public static Coverage of(WorkflowGraph graph, long[] nodePaths, Map<Long, Long> edgePaths) {
    Map<String, Long> nodes = new LinkedHashMap<>();
    for (int i = 0; i < graph.size(); i++) {
      nodes.put(graph.id(i), nodePaths[i]);
    }
    Map<String, Long> edges = new LinkedHashMap<>();
    for (int e = 0; e < graph.edgeCount(); e++) {
      edges.put(graph.edgeName(e), edgePaths.getOrDefault((long) e, 0L));
    }
    return new Coverage(nodes, edges);
  }

  public List<String> uncoveredNodes() {
    return zeros(nodes);
  }

  public List<String> uncoveredEdges() {
    return zeros(edges);
  }

  /** Whether every node and every edge lies on some path. */
  public boolean complete() {
    return uncoveredNodes().isEmpty() && uncoveredEdges().isEmpty();
  }

  private static List<String> zeros(Map<String, Long> counts) {
    List<String> zero = new ArrayList<>();
    counts.forEach((key, count) -> {
      if (count == 0) {
        zero.add(key);
      }
    });
    return zero;
  }
}

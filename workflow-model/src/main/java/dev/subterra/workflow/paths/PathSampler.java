package dev.subterra.workflow.paths;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.function.IntPredicate;

/**
 * Draws a seeded sample of paths when the path space exceeds the cap, stratified by edge: first one path through every
 * edge that a path can take within the visit bound (shortest way in, the edge, shortest way out), then random walks
 * until the cap is reached.
 *
 * <p>The sample depends only on the graph, the configuration and the seed, so the single-threaded enumerator and the
 * Spark job draw the same one.
 */
public final class PathSampler {
  /** Walks that die in a corner (every successor used up) are retried; give up after this many tries per path. */
  private static final int ATTEMPTS_PER_PATH = 20;

  private final WorkflowGraph graph;
  private final EnumerationConfig config;

  public PathSampler(WorkflowGraph graph, EnumerationConfig config) {
    this.graph = graph;
    this.config = config;
  }

  /** Up to {@code config.maxPaths()} distinct paths covering every coverable edge, in the order they were drawn. */
  public List<int[]> sample() {
    Map<String, int[]> drawn = new LinkedHashMap<>();
    for (int edge = 0; edge < graph.edgeCount() && drawn.size() < config.maxPaths(); edge++) {
      keep(drawn, through(edge));
    }
    SplittableRandom random = new SplittableRandom(config.seed());
    long attempts = config.maxPaths() * ATTEMPTS_PER_PATH;
    for (long a = 0; a < attempts && drawn.size() < config.maxPaths(); a++) {
      keep(drawn, walk(random));
    }
    return new ArrayList<>(drawn.values());
  }

  private void keep(Map<String, int[]> drawn, int[] path) {
    if (path != null && graph.constraints().feasible(path)) {
      drawn.putIfAbsent(Arrays.toString(path), path);
    }
  }

  /** The shortest path through one edge, or null when none fits the visit bound. */
  private int[] through(int edge) {
    int[] in = bfs(graph.start(), node -> node == graph.from(edge));
    int[] out = graph.isTerminal(graph.to(edge)) ? new int[0] : bfs(graph.to(edge), graph::isTerminal);
    if (in == null || out == null) {
      return null;
    }
    int[] path = new int[in.length + 1 + out.length];
    System.arraycopy(in, 0, path, 0, in.length);
    path[in.length] = edge;
    System.arraycopy(out, 0, path, in.length + 1, out.length);
    int[] visits = new int[graph.size()];
    int[] nodes = graph.nodesOf(path);
    for (int i = 0; i < nodes.length; i++) {
      if (++visits[nodes[i]] > config.maxVisits() || (i + 1 < nodes.length && graph.isTerminal(nodes[i]))) {
        return null;
      }
    }
    return path;
  }

  /** The edges of a shortest path from {@code from} to a node that satisfies {@code goal}, or null. */
  private int[] bfs(int from, IntPredicate goal) {
    int[] parentEdge = new int[graph.size()];
    Arrays.fill(parentEdge, -2);
    parentEdge[from] = -1;
    Deque<Integer> queue = new ArrayDeque<>(List.of(from));
    while (!queue.isEmpty()) {
      int node = queue.poll();
      if (goal.test(node)) {
        List<Integer> reversed = new ArrayList<>();
        for (int at = node; parentEdge[at] != -1; at = graph.from(parentEdge[at])) {
          reversed.add(parentEdge[at]);
        }
        int[] edges = new int[reversed.size()];
        for (int i = 0; i < edges.length; i++) {
          edges[i] = reversed.get(edges.length - 1 - i);
        }
        return edges;
      }
      if (graph.isTerminal(node)) {
        continue;
      }
      for (int edge : graph.outEdges(node)) {
        if (parentEdge[graph.to(edge)] == -2) {
          parentEdge[graph.to(edge)] = edge;
          queue.add(graph.to(edge));
        }
      }
    }
    return null;
  }

  /** A uniform random walk within the visit bound, or null when it runs into a corner. */
  private int[] walk(SplittableRandom random) {
    int[] visits = new int[graph.size()];
    int[] path = new int[graph.size() * config.maxVisits()];
    int length = 0;
    int node = graph.start();
    visits[node]++;
    while (!graph.isTerminal(node)) {
      int[] out = graph.outEdges(node);
      int allowed = 0;
      for (int edge : out) {
        if (visits[graph.to(edge)] < config.maxVisits()) {
          allowed++;
        }
      }
      if (allowed == 0) {
        return null;
      }
      int pick = random.nextInt(allowed);
      for (int edge : out) {
        if (visits[graph.to(edge)] < config.maxVisits() && pick-- == 0) {
          path[length++] = edge;
          node = graph.to(edge);
          visits[node]++;
          break;
        }
      }
    }
    return Arrays.copyOf(path, length);
  }
}

package dev.subterra.workflow.paths;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

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
    for (int from = 0; from < graph.size(); from++) {
      for (int edge = 0; edge < graph.degree(from) && drawn.size() < config.maxPaths(); edge++) {
        int[] path = through(from, graph.successor(from, edge));
        if (path != null) {
          drawn.putIfAbsent(Arrays.toString(path), path);
        }
      }
    }
    SplittableRandom random = new SplittableRandom(config.seed());
    long attempts = config.maxPaths() * ATTEMPTS_PER_PATH;
    for (long a = 0; a < attempts && drawn.size() < config.maxPaths(); a++) {
      int[] path = walk(random);
      if (path != null) {
        drawn.putIfAbsent(Arrays.toString(path), path);
      }
    }
    return new ArrayList<>(drawn.values());
  }

  private int[] through(int from, int to) {
    int[] in = shortest(graph.start(), from);
    int[] out = graph.isTerminal(to) ? new int[] {to} : shortestToTerminal(to);
    if (in == null || out == null) {
      return null;
    }
    int[] path = Arrays.copyOf(in, in.length + out.length);
    System.arraycopy(out, 0, path, in.length, out.length);
    int[] visits = new int[graph.size()];
    for (int node : path) {
      if (++visits[node] > config.maxVisits()) {
        return null;
      }
    }
    for (int i = 0; i < path.length - 1; i++) {
      if (graph.isTerminal(path[i])) {
        return null;
      }
    }
    return path;
  }

  private int[] shortest(int from, int to) {
    return bfs(from, node -> node == to);
  }

  private int[] shortestToTerminal(int from) {
    return bfs(from, graph::isTerminal);
  }

  private int[] bfs(int from, java.util.function.IntPredicate goal) {
    int[] parent = new int[graph.size()];
    Arrays.fill(parent, -2);
    parent[from] = -1;
    Deque<Integer> queue = new ArrayDeque<>(List.of(from));
    while (!queue.isEmpty()) {
      int node = queue.poll();
      if (goal.test(node)) {
        List<Integer> reversed = new ArrayList<>();
        for (int at = node; at != -1; at = parent[at]) {
          reversed.add(at);
        }
        int[] path = new int[reversed.size()];
        for (int i = 0; i < path.length; i++) {
          path[i] = reversed.get(path.length - 1 - i);
        }
        return path;
      }
      if (graph.isTerminal(node)) {
        continue;
      }
      for (int next : graph.successorsOf(node)) {
        if (parent[next] == -2) {
          parent[next] = node;
          queue.add(next);
        }
      }
    }
    return null;
  }

  private int[] walk(SplittableRandom random) {
    int[] visits = new int[graph.size()];
    int[] path = new int[graph.size() * config.maxVisits() + 1];
    int length = 0;
    int node = graph.start();
    while (true) {
      visits[node]++;
      path[length++] = node;
      if (graph.isTerminal(node)) {
        return Arrays.copyOf(path, length);
      }
      int[] next = graph.successorsOf(node);
      int allowed = 0;
      for (int candidate : next) {
        if (visits[candidate] < config.maxVisits()) {
          allowed++;
        }
      }
      if (allowed == 0) {
        return null;
      }
      int pick = random.nextInt(allowed);
      for (int candidate : next) {
        if (visits[candidate] < config.maxVisits() && pick-- == 0) {
          node = candidate;
          break;
        }
      }
    }
  }
}

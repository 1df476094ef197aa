package dev.subterra.workflow.paths;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.Predicate;

/**
 * Enumerates every path from the start to a terminal, depth first in file order, visiting each node at most
 * {@link EnumerationConfig#maxVisits()} times and never taking edges whose guards contradict each other. A path is
 * the array of edges it takes (see {@link WorkflowGraph}).
 *
 * <p>The work splits cleanly: {@link #frontier(int)} expands prefixes breadth first into an ordered list, and
 * {@link #extend(int[], Predicate)} finishes one prefix. Concatenating the extensions of the frontier, in order, gives
 * exactly the paths and order of extending the empty prefix alone; the Spark job relies on this.
 */
public final class PathEnumerator {
  private final WorkflowGraph graph;
  private final int maxVisits;

  public PathEnumerator(WorkflowGraph graph, EnumerationConfig config) {
    this.graph = graph;
    this.maxVisits = config.maxVisits();
  }

  /** The empty prefix: at the start node, no edge taken yet. */
  public int[] root() {
    return new int[0];
  }

  /**
   * Expands prefixes level by level until at least {@code target} of them are unfinished or none can grow. Finished
   * paths met on the way stay in the list, in order; prefixes that cannot grow within the visit bound drop out.
   */
  public List<int[]> frontier(int target) {
    List<int[]> level = List.of(root());
    while (true) {
      long open = level.stream().filter(p -> !graph.isTerminal(graph.last(p))).count();
      if (open == 0 || open >= target) {
        return level;
      }
      List<int[]> next = new ArrayList<>();
      for (int[] prefix : level) {
        int last = graph.last(prefix);
        if (graph.isTerminal(last)) {
          next.add(prefix);
          continue;
        }
        int[] visits = visits(prefix);
        PathConstraints.Admissible state = admissible(prefix);
        for (int edge : graph.outEdges(last)) {
          if (visits[graph.to(edge)] < maxVisits && graph.constraints().take(state, edge) != null) {
            int[] grown = Arrays.copyOf(prefix, prefix.length + 1);
            grown[prefix.length] = edge;
            next.add(grown);
          }
        }
      }
      level = next;
    }
  }

  /**
   * Hands every complete path that starts with {@code prefix} to {@code sink}, depth first in edge order, until the
   * sink returns {@code false}. Returns the number of paths handed over.
   */
  public long extend(int[] prefix, Predicate<int[]> sink) {
    int[] visits = visits(prefix);
    PathConstraints constraints = graph.constraints();
    PathConstraints.Admissible initial = admissible(prefix);
    if (initial == null) {
      return 0;
    }
    if (graph.isTerminal(graph.last(prefix))) {
      sink.test(prefix.clone());
      return 1;
    }
    int capacity = Math.max(graph.size() * maxVisits, prefix.length + 1);
    int[] path = Arrays.copyOf(prefix, capacity);
    // cursor[d] is the next out-edge to try from the node reached after d edges.
    int[] cursor = new int[capacity + 1];
    // state[d] is what the guards of the first d edges still allow; unguarded edges share it.
    PathConstraints.Admissible[] state = new PathConstraints.Admissible[capacity + 1];
    int base = prefix.length;
    int depth = prefix.length;
    state[depth] = initial;
    long emitted = 0;
    while (true) {
      int at = depth == 0 ? graph.start() : graph.to(path[depth - 1]);
      int[] out = graph.outEdges(at);
      if (cursor[depth] >= out.length) {
        if (depth == base) {
          return emitted;
        }
        cursor[depth] = 0;
        visits[at]--;
        depth--;
        continue;
      }
      int edge = out[cursor[depth]++];
      int next = graph.to(edge);
      if (visits[next] >= maxVisits) {
        continue;
      }
      PathConstraints.Admissible after = constraints.take(state[depth], edge);
      if (after == null) {
        continue;
      }
      path[depth] = edge;
      if (graph.isTerminal(next)) {
        emitted++;
        if (!sink.test(Arrays.copyOf(path, depth + 1))) {
          return emitted;
        }
        continue;
      }
      visits[next]++;
      depth++;
      state[depth] = after;
    }
  }

  /** All paths, or the first {@code limit} in enumeration order. */
  public List<int[]> enumerate(long limit) {
    List<int[]> paths = new ArrayList<>();
    extend(root(), p -> {
      paths.add(p);
      return paths.size() < limit;
    });
    return paths;
  }

  private PathConstraints.Admissible admissible(int[] prefix) {
    PathConstraints.Admissible state = graph.constraints().unconstrained();
    for (int i = 0; i < prefix.length && state != null; i++) {
      state = graph.constraints().take(state, prefix[i]);
    }
    return state;
  }

  private int[] visits(int[] prefix) {
    int[] visits = new int[graph.size()];
    for (int node : graph.nodesOf(prefix)) {
      if (++visits[node] > maxVisits) {
        throw new IllegalArgumentException("Invalid prefix: node '" + graph.id(node) + "' appears more than "
            + maxVisits + " times");
      }
    }
    return visits;
  }
}

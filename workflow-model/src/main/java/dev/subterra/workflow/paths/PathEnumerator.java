package dev.subterra.workflow.paths;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.Predicate;

/**
 * Enumerates every path from the start to a terminal, depth first in file order, visiting each node at most
 * {@link EnumerationConfig#maxVisits()} times.
 *
 * <p>The work splits cleanly: {@link #frontier(int)} expands prefixes breadth first into an ordered list, and
 * {@link #extend(int[], Predicate)} finishes one prefix. Concatenating the extensions of the frontier, in order, gives
 * exactly the paths and order of extending the start alone; the Spark job relies on this.
 */
public final class PathEnumerator {
  private final WorkflowGraph graph;
  private final int maxVisits;

  public PathEnumerator(WorkflowGraph graph, EnumerationConfig config) {
    this.graph = graph;
    this.maxVisits = config.maxVisits();
  }

  /** The one-node prefix every path starts with. */
  public int[] root() {
    return new int[] {graph.start()};
  }

  /**
   * Expands prefixes level by level until at least {@code target} of them are unfinished or none can grow. Finished
   * paths met on the way stay in the list, in order; prefixes that cannot reach a terminal within the visit bound drop
   * out.
   */
  public List<int[]> frontier(int target) {
    List<int[]> level = List.of(root());
    while (true) {
      long open = level.stream().filter(p -> !graph.isTerminal(p[p.length - 1])).count();
      if (open == 0 || open >= target) {
        return level;
      }
      List<int[]> next = new ArrayList<>();
      for (int[] prefix : level) {
        int last = prefix[prefix.length - 1];
        if (graph.isTerminal(last)) {
          next.add(prefix);
          continue;
        }
        int[] visits = visits(prefix);
        for (int successor : graph.successorsOf(last)) {
          if (visits[successor] < maxVisits) {
            int[] grown = Arrays.copyOf(prefix, prefix.length + 1);
            grown[prefix.length] = successor;
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
    if (graph.isTerminal(prefix[prefix.length - 1])) {
      sink.test(prefix.clone());
      return 1;
    }
    int capacity = graph.size() * maxVisits + 1;
    int[] path = Arrays.copyOf(prefix, Math.max(capacity, prefix.length + 1));
    int[] cursor = new int[path.length];
    int base = prefix.length - 1;
    int depth = prefix.length;
    long emitted = 0;
    while (depth > base) {
      int top = path[depth - 1];
      int edge = cursor[depth - 1];
      if (edge >= graph.degree(top)) {
        if (depth - 1 == base) {
          break;
        }
        visits[top]--;
        depth--;
        continue;
      }
      cursor[depth - 1]++;
      int next = graph.successor(top, edge);
      if (visits[next] >= maxVisits) {
        continue;
      }
      path[depth] = next;
      if (graph.isTerminal(next)) {
        emitted++;
        if (!sink.test(Arrays.copyOf(path, depth + 1))) {
          return emitted;
        }
        continue;
      }
      visits[next]++;
      cursor[depth] = 0;
      depth++;
    }
    return emitted;
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

  private int[] visits(int[] prefix) {
    int[] visits = new int[graph.size()];
    for (int node : prefix) {
      if (++visits[node] > maxVisits) {
        throw new IllegalArgumentException("Invalid prefix: node '" + graph.id(node) + "' appears more than "
            + maxVisits + " times");
      }
    }
    return visits;
  }
}

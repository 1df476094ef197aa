package dev.subterra.workflow.paths;

import java.io.Serializable;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;

/**
 * What the split and the weights need to know about one edge across all paths: how many paths take it, how many of
 * them train, and the non-training path with the lowest draw, which is moved back to training if no other path through
 * the edge trains. Tallies merge associatively, so Spark can reduce them by key.
 */
public record EdgeTally(long paths, long trainPaths, double rescueUnit, String rescueId) implements Serializable {

  /** The tally of one path's contribution to one edge. */
  public static EdgeTally of(String pathId, double unit, PathSplit proposed) {
    boolean train = proposed == PathSplit.TRAIN;
    return new EdgeTally(1, train ? 1 : 0, train ? Double.POSITIVE_INFINITY : unit, train ? null : pathId);
  }

  /** The tally of both sets of paths. */
  public EdgeTally merge(EdgeTally other) {
    boolean mine = rescueId != null && (other.rescueId == null || rescueUnit < other.rescueUnit
        || (rescueUnit == other.rescueUnit && rescueId.compareTo(other.rescueId) < 0));
    return new EdgeTally(paths + other.paths, trainPaths + other.trainPaths,
        mine ? rescueUnit : other.rescueUnit, mine ? rescueId : other.rescueId);
  }

  /** The path to move back to training so that this edge is trained on, or null when one already is. */
  public String rescue() {
    return trainPaths == 0 ? rescueId : null;
  }

  /** What the tallies of all edges decide: how many paths take each edge, and which paths move back to training. */
  public record Decision(Map<Long, Long> edgePaths, Set<String> rescued) implements Serializable {}

  /** The decision of the tallies of every edge, keyed by edge index. */
  public static Decision decide(Map<Long, EdgeTally> tallies) {
    Map<Long, Long> edgePaths = new HashMap<>();
    Set<String> rescued = new HashSet<>();
    tallies.forEach((edge, tally) -> {
      edgePaths.put(edge, tally.paths());
      if (tally.rescue() != null) {
        rescued.add(tally.rescue());
      }
    });
    return new Decision(edgePaths, rescued);
  }
}

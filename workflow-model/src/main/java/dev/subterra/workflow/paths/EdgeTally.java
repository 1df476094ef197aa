package dev.subterra.workflow.paths;

import java.io.Serializable;

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
}

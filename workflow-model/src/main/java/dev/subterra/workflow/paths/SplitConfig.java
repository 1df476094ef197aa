package dev.subterra.workflow.paths;

/**
 * The share of paths that go to validation, test and held-out; the rest train. Shares are targets: a path is moved
 * back to training when it is the only one through some edge, so that training covers every edge that any path does.
 */
public record SplitConfig(double validation, double test, double heldout) implements java.io.Serializable {
  public static final SplitConfig DEFAULT = new SplitConfig(0.05, 0.10, 0.10);

  public SplitConfig {
    check("validation", validation);
    check("test", test);
    check("heldout", heldout);
    if (validation + test + heldout >= 1.0) {
      throw new IllegalArgumentException("Invalid split: validation + test + heldout = " + (validation + test + heldout)
          + ", which leaves nothing to train on");
    }
  }

  /** The split a path gets from its unit draw {@code u} in [0, 1), before coverage is restored. */
  public PathSplit propose(double u) {
    if (u < heldout) {
      return PathSplit.HELDOUT;
    }
    if (u < heldout + test) {
      return PathSplit.TEST;
    }
    if (u < heldout + test + validation) {
      return PathSplit.VALIDATION;
    }
    return PathSplit.TRAIN;
  }

  private static void check(String field, double share) {
    if (!(share >= 0.0 && share < 1.0)) {
      throw new IllegalArgumentException("Invalid " + field + " share: " + share + " (expected 0 <= share < 1)");
    }
  }
}

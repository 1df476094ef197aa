package dev.subterra.synthesis;

/**
 * How many scenarios to plan and from which seed: either {@code perPath} scenarios for every path, or a {@code total}
 * shared out among the paths with more going to long and rare ones (see {@link ScenarioPlanner#allocate}). Exactly one
 * of the two is positive; the other is 0.
 *
 * <p>{@code seed} has no default: it is recorded with the scenarios, and the same seed gives the same scenarios.
 */
public record ScenarioConfig(int perPath, long total, long seed) implements java.io.Serializable {

  public ScenarioConfig {
    if (perPath < 0) {
      throw new IllegalArgumentException("Invalid perPath: " + perPath + " (expected 0 or more)");
    }
    if (total < 0) {
      throw new IllegalArgumentException("Invalid total: " + total + " (expected 0 or more)");
    }
    if ((perPath > 0) == (total > 0)) {
      throw new IllegalArgumentException("Invalid scenario count: perPath=" + perPath + ", total=" + total
          + " (give exactly one of them, above 0)");
    }
  }

  /** {@code n} scenarios for every path. */
  public static ScenarioConfig perPath(int n, long seed) {
    return new ScenarioConfig(n, 0, seed);
  }

  /** {@code n} scenarios in all, weighted toward long and rare paths. */
  public static ScenarioConfig total(long n, long seed) {
    return new ScenarioConfig(0, n, seed);
  }
}

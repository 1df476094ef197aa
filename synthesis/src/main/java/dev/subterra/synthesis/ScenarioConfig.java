package dev.subterra.synthesis;

import dev.subterra.synthesis.values.ValueShare;

/**
 * How many scenarios to plan, from which seed, and from which share of generated values: either {@code perPath}
 * scenarios for every path, or a {@code total} shared out among the paths with more going to long and rare ones (see
 * {@link ScenarioPlanner#allocate}). Exactly one of the two is positive; the other is 0.
 *
 * <p>{@code seed} has no default: it is recorded with the scenarios, and the same seed gives the same scenarios.
 * {@code values} is the share open slots with a generator draw from: {@link ValueShare#TRAINING} (the default of the
 * factories) for training data, {@link ValueShare#HELDOUT} to evaluate a student on values it never saw.
 * {@code refinements}: whether a scenario whose path comes back to a user node may have the user change one or two
 * values there (see {@link Scenario}); off by default, on for the template teacher and evaluation, whose users act
 * refinements out.
 */
public record ScenarioConfig(int perPath, long total, long seed, ValueShare values, boolean refinements)
    implements java.io.Serializable {

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
    if (values == null) {
      throw new IllegalArgumentException("Invalid values: null (expected TRAINING or HELDOUT)");
    }
  }

  /** Scenarios of training values, without refinements. */
  public ScenarioConfig(int perPath, long total, long seed) {
    this(perPath, total, seed, ValueShare.TRAINING, false);
  }

  /** Scenarios of this share of values, without refinements. */
  public ScenarioConfig(int perPath, long total, long seed, ValueShare values) {
    this(perPath, total, seed, values, false);
  }

  /** {@code n} scenarios for every path, of training values. */
  public static ScenarioConfig perPath(int n, long seed) {
    return new ScenarioConfig(n, 0, seed);
  }

  /** {@code n} scenarios in all, weighted toward long and rare paths, of training values. */
  public static ScenarioConfig total(long n, long seed) {
    return new ScenarioConfig(0, n, seed);
  }

  /** This configuration with open slots drawn from the given share. */
  public ScenarioConfig withValues(ValueShare share) {
    return new ScenarioConfig(perPath, total, seed, share, refinements);
  }

  /** This configuration with refinements planned, or not. */
  public ScenarioConfig withRefinements(boolean value) {
    return new ScenarioConfig(perPath, total, seed, values, value);
  }
}

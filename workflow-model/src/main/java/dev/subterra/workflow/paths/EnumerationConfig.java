package dev.subterra.workflow.paths;

/**
 * How paths are enumerated.
 *
 * <p>{@code maxLoops} bounds how often a path may come back to a node it has visited: 0 gives simple (acyclic)
 * paths, 1 unrolls every loop once, and so on. {@code maxPaths} caps the path set: past it, enumeration gives way to a
 * seeded sample that still covers every edge, drawn with {@code seed}.
 */
public record EnumerationConfig(int maxLoops, long maxPaths, long seed) implements java.io.Serializable {
  /** Loops unrolled once: retry and refine loops appear in training, and the path count stays bounded. */
  public static final int DEFAULT_MAX_LOOPS = 1;
  /** Large enough for the bundled workflows to be enumerated in full. */
  public static final long DEFAULT_MAX_PATHS = 200_000;

  public EnumerationConfig {
    if (maxLoops < 0 || maxLoops > 16) {
      throw new IllegalArgumentException("Invalid maxLoops: " + maxLoops + " (expected 0 to 16)");
    }
    if (maxPaths < 1) {
      throw new IllegalArgumentException("Invalid maxPaths: " + maxPaths + " (expected at least 1)");
    }
  }

  /** The defaults with an explicit seed. */
  public static EnumerationConfig withSeed(long seed) {
    return new EnumerationConfig(DEFAULT_MAX_LOOPS, DEFAULT_MAX_PATHS, seed);
  }

  /** The most times one node may appear in a path. */
  public int maxVisits() {
    return maxLoops + 1;
  }
}

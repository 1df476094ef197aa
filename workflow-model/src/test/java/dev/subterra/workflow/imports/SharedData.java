package dev.subterra.workflow.imports;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The shared data directory beside the project (sample flowcharts, STAR schemas), which a fresh clone does not have:
 * tests that need it are skipped, with a message saying where it was looked for.
 */
final class SharedData {

  private SharedData() {}

  /**
   * The shared directory: the {@code subterra.shared} system property (the parent POM's Surefire configuration sets
   * it), else {@code ../shared} beside the project root.
   */
  static Path sharedDir() {
    String property = System.getProperty("subterra.shared");
    if (property != null && !property.isBlank()) {
      return Path.of(property).toAbsolutePath().normalize();
    }
    return projectRoot().resolve("../shared").toAbsolutePath().normalize();
  }

  /** A path under {@code shared/data}, or a skipped test when it is not there. */
  static Path require(String relative) {
    Path path = sharedDir().resolve("data").resolve(relative);
    assumeTrue(Files.exists(path), () -> "Skipped: shared test data " + path + " is absent (set -Dsubterra.shared to"
        + " the directory that holds data/" + relative + ")");
    return path;
  }

  private static Path projectRoot() {
    String root = System.getProperty("subterra.root");
    if (root != null && !root.isBlank()) {
      return Path.of(root);
    }
    // Run from the module directory or from the root: the root is where the modules are.
    Path dir = Path.of("").toAbsolutePath();
    for (Path p = dir; p != null; p = p.getParent()) {
      if (Files.isDirectory(p.resolve("workflow-model")) && Files.isRegularFile(p.resolve("pom.xml"))) {
        return p;
      }
    }
    return dir;
  }
}

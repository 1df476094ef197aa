package dev.subterra.jobs;

import java.nio.file.Path;
import org.apache.spark.sql.SparkSession;

/** What the Spark tests share: one local session per test class, bound to loopback, and the bundled workflows. */
public final class TestSpark {
  /** The workflows that ship in the repository. */
  public static final Path WORKFLOWS = Path.of(System.getProperty("subterra.root", "..")).resolve("workflows");

  private TestSpark() {}

  /** A {@code local[2]} session with the UI off and few shuffle partitions; stop it in {@code @AfterAll}. */
  public static SparkSession start(Class<?> testClass) {
    return SparkSession.builder().master("local[2]").appName(testClass.getSimpleName())
        .config("spark.ui.enabled", "false")
        .config("spark.driver.bindAddress", "127.0.0.1")
        .config("spark.driver.host", "127.0.0.1")
        .config("spark.sql.shuffle.partitions", "4")
        .getOrCreate();
  }
}

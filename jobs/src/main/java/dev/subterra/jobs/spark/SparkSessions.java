package dev.subterra.jobs.spark;

import org.apache.spark.SparkConf;
import org.apache.spark.sql.SparkSession;

/**
 * Starts the Spark session a job runs in, and is the one place that decides its master.
 *
 * <p>Precedence, highest first: the command's {@code --master} option; {@code spark.master} as set by
 * {@code spark-submit} (or {@code -Dspark.master}); the embedded default {@code local[*]}. On the embedded default the
 * web UI is off and the driver binds to loopback, since nobody else should reach a laptop's Spark.
 */
public final class SparkSessions {
  /** The embedded default: every core of this machine. */
  public static final String EMBEDDED_MASTER = "local[*]";

  private SparkSessions() {}

  /** The master a job will use, given the command's option (null when absent). */
  public static String resolveMaster(String masterOption) {
    if (masterOption != null && !masterOption.isBlank()) {
      return masterOption;
    }
    String submitted = new SparkConf().get("spark.master", null);
    return submitted != null ? submitted : EMBEDDED_MASTER;
  }

  /** A session for {@code appName} on the resolved master. */
  public static SparkSession start(String appName, String masterOption) {
    String master = resolveMaster(masterOption);
    SparkSession.Builder builder = SparkSession.builder().appName(appName).master(master);
    if (master.startsWith("local")) {
      builder.config("spark.ui.enabled", "false")
          .config("spark.driver.bindAddress", "127.0.0.1")
          .config("spark.driver.host", "127.0.0.1")
          .config("spark.sql.shuffle.partitions", "8");
    }
    return builder.getOrCreate();
  }
}

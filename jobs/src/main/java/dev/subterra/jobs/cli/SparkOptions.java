package dev.subterra.jobs.cli;

import dev.subterra.jobs.spark.SparkSessions;
import org.apache.spark.sql.SparkSession;
import picocli.CommandLine.Option;

/** The {@code --master} option of every Spark command; {@link SparkSessions} decides what it falls back to. */
final class SparkOptions {
  @Option(names = "--master", paramLabel = "URL",
      description = "Spark master. Default: the one spark-submit sets, else the embedded local[*].")
  String master;

  SparkSession start(String appName) {
    return SparkSessions.start(appName, master);
  }
}

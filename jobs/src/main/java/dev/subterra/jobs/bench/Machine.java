package dev.subterra.jobs.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** A one-line description of the machine a benchmark ran on. */
public final class Machine {
  private Machine() {}

  public static String describe() {
    return String.format("%s, %d cores, JVM max heap %.1f GiB, Java %s (%s), %s %s",
        cpuModel(), Runtime.getRuntime().availableProcessors(), Runtime.getRuntime().maxMemory() / (double) (1L << 30),
        System.getProperty("java.version"), System.getProperty("java.vendor"), System.getProperty("os.name"),
        System.getProperty("os.arch"));
  }

  private static String cpuModel() {
    try {
      return Files.readAllLines(Path.of("/proc/cpuinfo")).stream()
          .filter(line -> line.startsWith("model name"))
          .map(line -> line.substring(line.indexOf(':') + 1).trim())
          .findFirst().orElse("unknown CPU");
    } catch (IOException e) {
      return "unknown CPU";
    }
  }
}

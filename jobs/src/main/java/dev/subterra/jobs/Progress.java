package dev.subterra.jobs;

import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.apache.spark.util.LongAccumulator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Logs a long job's progress on the driver every few seconds: done of total, rate and an ETA. Executors count into a
 * Spark accumulator, which reaches the driver as tasks finish, so the job splits its work into enough partitions for
 * the count to move.
 */
public final class Progress implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(Progress.class);
  private static final Duration EVERY = Duration.ofSeconds(10);

  private final ScheduledExecutorService timer;

  private Progress(String label, long total, LongAccumulator done) {
    long started = System.nanoTime();
    this.timer = Executors.newSingleThreadScheduledExecutor(runnable -> {
      Thread thread = new Thread(runnable, "subterra-progress");
      thread.setDaemon(true);
      return thread;
    });
    timer.scheduleAtFixedRate(() -> report(label, total, done.value(), started), EVERY.toMillis(), EVERY.toMillis(),
        TimeUnit.MILLISECONDS);
  }

  /** Starts reporting; close it when the work is done. */
  public static Progress start(String label, long total, LongAccumulator done) {
    return new Progress(label, total, done);
  }

  private static void report(String label, long total, long done, long started) {
    double seconds = (System.nanoTime() - started) / 1e9;
    double rate = done / Math.max(seconds, 1e-9);
    String eta = done == 0 ? "unknown" : format(Duration.ofSeconds((long) ((total - done) / rate)));
    LOG.info("{}: {} of {} ({}%), {}/s, ETA {}", label, done, total, total == 0 ? 100 : done * 100 / total,
        String.format("%.1f", rate), eta);
  }

  private static String format(Duration d) {
    return d.toHours() > 0 ? String.format("%dh%02dm", d.toHours(), d.toMinutesPart())
        : String.format("%dm%02ds", d.toMinutes(), d.toSecondsPart());
  }

  @Override
  public void close() {
    timer.shutdownNow();
  }
}

package dev.subterra.evaluation.loop;

import java.time.Duration;
import java.util.Objects;
import java.util.function.Consumer;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Logs a closed-loop play's progress at INFO, at most once per interval: conversations and agent turns done of
 * total, the rate in turns per second and an ETA. Hand it to {@link ClosedLoopRunner#run(
 * dev.subterra.evaluation.policy.Policy, java.util.List, int, Consumer)}.
 *
 * <p>Rounds of a batched student take from milliseconds (a few short conversations) to seconds (hundreds of
 * conversations with long prompts), so it reports by time, not by round: the first line once an interval has passed,
 * then one per interval, and none for a play that is over sooner. The runner logs its own line when the play ends.
 * The ETA assumes the turns still to play cost what the played ones did; a batch shrinks as conversations finish, so
 * it errs long near the end.
 */
public final class ProgressLog implements Consumer<PlayProgress> {
  private static final Logger LOG = LoggerFactory.getLogger(ProgressLog.class);
  /** As often as the synthesis and training jobs report. */
  public static final Duration DEFAULT_INTERVAL = Duration.ofSeconds(10);

  private final String label;
  private final long intervalNanos;
  private final LongSupplier clock;
  private final Consumer<String> sink;
  private final long started;
  private long lastLine;

  private ProgressLog(String label, Duration interval, LongSupplier clock, Consumer<String> sink) {
    this.label = Objects.requireNonNull(label, "label");
    if (interval.isNegative() || interval.isZero()) {
      throw new IllegalArgumentException("Invalid progress interval: " + interval + " (expected a positive duration)");
    }
    this.intervalNanos = interval.toNanos();
    this.clock = clock;
    this.sink = sink;
    this.started = clock.getAsLong();
    this.lastLine = started;
  }

  /** Logs to this class's logger every {@link #DEFAULT_INTERVAL}, labelled (e.g. {@code evaluate student x}). */
  public static ProgressLog every(String label) {
    return new ProgressLog(label, DEFAULT_INTERVAL, System::nanoTime, LOG::info);
  }

  /** Writes its lines to {@code sink}, timed by {@code nanoClock} (tests give both). */
  public static ProgressLog every(String label, Duration interval, LongSupplier nanoClock, Consumer<String> sink) {
    return new ProgressLog(label, interval, nanoClock, sink);
  }

  @Override
  public void accept(PlayProgress progress) {
    long now = clock.getAsLong();
    if (progress.finished() || now - lastLine < intervalNanos) {
      return;
    }
    lastLine = now;
    sink.accept(line(progress, now - started));
  }

  /** The line for {@code progress} after {@code elapsedNanos} of play. */
  String line(PlayProgress progress, long elapsedNanos) {
    double seconds = Math.max(elapsedNanos / 1e9, 1e-9);
    double rate = progress.turnsDone() / seconds;
    long remaining = progress.turnsPlanned() - progress.turnsDone();
    String eta = progress.turnsDone() == 0 ? "unknown" : format(Duration.ofSeconds((long) Math.ceil(remaining / rate)));
    long percent = progress.turnsPlanned() == 0 ? 100 : progress.turnsDone() * 100 / progress.turnsPlanned();
    return String.format("%s: %d of %d conversations, %d of %d agent turns (%d%%) in %d rounds, %.1f turns/s, ETA %s",
        label, progress.conversationsDone(), progress.conversations(), progress.turnsDone(),
        progress.turnsPlanned(), percent, progress.rounds(), rate, eta);
  }

  private static String format(Duration d) {
    return d.toHours() > 0 ? String.format("%dh%02dm", d.toHours(), d.toMinutesPart())
        : String.format("%dm%02ds", d.toMinutes(), d.toSecondsPart());
  }
}

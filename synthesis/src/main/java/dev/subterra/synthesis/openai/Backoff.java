package dev.subterra.synthesis.openai;

import java.time.Duration;
import java.util.Random;

/**
 * Exponential backoff with full jitter: the wait before retry {@code n} (from 0) is uniform in
 * {@code [0, min(max, initial * 2^n)]}. Full jitter spreads the retries of many executors that failed together, so
 * they do not return together (Brooker, "Exponential Backoff And Jitter", AWS Architecture Blog, 2015).
 */
final class Backoff {
  private static final int MAX_DOUBLINGS = 30;

  private final long initialMillis;
  private final long maxMillis;
  private final Random random;

  Backoff(Duration initial, Duration max, long seed) {
    this.initialMillis = initial.toMillis();
    this.maxMillis = max.toMillis();
    this.random = new Random(seed);
  }

  /** The wait before retry {@code retry}, counted from 0. */
  Duration delay(int retry) {
    long ceiling = Math.min(maxMillis, initialMillis << Math.min(retry, MAX_DOUBLINGS));
    synchronized (random) {
      return Duration.ofMillis(random.nextLong(ceiling + 1));
    }
  }

  /** The largest wait retry {@code retry} can draw. */
  Duration ceiling(int retry) {
    return Duration.ofMillis(Math.min(maxMillis, initialMillis << Math.min(retry, MAX_DOUBLINGS)));
  }
}

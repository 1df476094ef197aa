package dev.subterra.synthesis.openai;

import java.time.Duration;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * An additive-increase, multiplicative-decrease (AIMD) limit on requests in flight, as TCP congestion control does.
 *
 * <p>Each success adds {@code 1 / limit}, so the limit grows by about one per window of successful requests, up to the
 * maximum; each 429 halves it, down to one. Requests already in flight when the limit was cut carry the old generation,
 * and their 429s do not cut it again: one burst of throttling halves the limit once, not once per request. A 429 with
 * {@code Retry-After} also pauses new requests until the server said to come back.
 */
final class AdaptiveLimiter {
  private static final double DECREASE_FACTOR = 0.5;
  private static final double MIN_LIMIT = 1;

  private final double maxLimit;
  private final ReentrantLock lock = new ReentrantLock();
  private final Condition changed = lock.newCondition();

  // Guarded by lock.
  private double limit;
  private int inFlight;
  private long generation;
  private long pausedUntilNanos = System.nanoTime();

  AdaptiveLimiter(int initialLimit, int maxLimit) {
    this.limit = initialLimit;
    this.maxLimit = maxLimit;
  }

  /** Waits until a request may start, and returns its permit. */
  Permit acquire() throws InterruptedException {
    lock.lockInterruptibly();
    try {
      while (inFlight >= (int) limit) {
        changed.await();
      }
      inFlight++;
      return new Permit(generation);
    } finally {
      lock.unlock();
    }
  }

  /** Ends a request that the server answered (well or not) without throttling it. */
  void onSuccess(Permit permit) {
    finish(permit, () -> limit = Math.min(maxLimit, limit + 1 / limit));
  }

  /** Ends a request that the server throttled, pausing new requests for {@code retryAfter} if it said so. */
  void onThrottle(Permit permit, Duration retryAfter) {
    finish(permit, () -> {
      if (permit.generation == generation) {
        limit = Math.max(MIN_LIMIT, limit * DECREASE_FACTOR);
        generation++;
      }
      if (retryAfter != null && !retryAfter.isZero()) {
        long until = System.nanoTime() + retryAfter.toNanos();
        if (until - pausedUntilNanos > 0) {
          pausedUntilNanos = until;
        }
      }
    });
  }

  /** Ends a request that failed for another reason (timeout, reset, 5xx): the limit stays. */
  void onFailure(Permit permit) {
    finish(permit, () -> { });
  }

  /** How long new requests should still wait because of a {@code Retry-After}; zero when they need not. */
  Duration pauseRemaining() {
    lock.lock();
    try {
      long remaining = pausedUntilNanos - System.nanoTime();
      return remaining > 0 ? Duration.ofNanos(remaining) : Duration.ZERO;
    } finally {
      lock.unlock();
    }
  }

  /** The current limit, possibly fractional. */
  double limit() {
    lock.lock();
    try {
      return limit;
    } finally {
      lock.unlock();
    }
  }

  /** Requests in flight now. */
  int inFlight() {
    lock.lock();
    try {
      return inFlight;
    } finally {
      lock.unlock();
    }
  }

  private void finish(Permit permit, Runnable adjust) {
    lock.lock();
    try {
      if (permit.done) {
        throw new IllegalStateException("Cannot release a permit twice");
      }
      permit.done = true;
      inFlight--;
      adjust.run();
      changed.signalAll();
    } finally {
      lock.unlock();
    }
  }

  /** The right to have one request in flight. */
  static final class Permit {
    private final long generation;
    // Guarded by the limiter's lock.
    private boolean done;

    private Permit(long generation) {
      this.generation = generation;
    }
  }
}

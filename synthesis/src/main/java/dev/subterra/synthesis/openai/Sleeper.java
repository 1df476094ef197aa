package dev.subterra.synthesis.openai;

import java.time.Duration;
import java.util.concurrent.TimeUnit;

/** Waits between retries; tests substitute one that records the waits instead of sitting through them. */
@FunctionalInterface
public interface Sleeper {
  /** The clock's own sleep. */
  Sleeper SYSTEM = duration -> TimeUnit.NANOSECONDS.sleep(duration.toNanos());

  void sleep(Duration duration) throws InterruptedException;
}

package dev.subterra.evaluation.loop;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class ProgressLogTest {
  private static final long SECOND = 1_000_000_000L;

  @Test
  void logsAtMostOncePerIntervalWithTheRateAndEtaAndNotOnceThePlayIsOver() {
    AtomicLong now = new AtomicLong(5 * SECOND);
    List<String> lines = new ArrayList<>();
    ProgressLog log = ProgressLog.every("evaluate student x", Duration.ofSeconds(10), now::get, lines::add);

    // Fast rounds: many within one interval give no line.
    for (int round = 1; round <= 50; round++) {
      now.addAndGet(SECOND / 10);
      log.accept(new PlayProgress("student", round, round * 4L, 1000, 0, 100));
    }
    assertThat(lines).isEmpty();

    now.set(25 * SECOND);
    log.accept(new PlayProgress("student", 51, 400, 1000, 10, 100));
    now.addAndGet(SECOND);
    log.accept(new PlayProgress("student", 52, 404, 1000, 10, 100));
    // 400 turns in 20 s: 20 turns/s, 600 to go, 30 s.
    assertThat(lines).containsExactly("evaluate student x: 10 of 100 conversations, 400 of 1000 agent turns (40%) in "
        + "51 rounds, 20.0 turns/s, ETA 0m30s");

    now.addAndGet(60 * SECOND);
    log.accept(new PlayProgress("student", 60, 1000, 1000, 100, 100));
    assertThat(lines).hasSize(1);
  }

  @Test
  void rejectsProgressPastItsTotal() {
    assertThatThrownBy(() -> new PlayProgress("student", 1, 11, 10, 0, 1))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("Invalid progress: round 1, 11 of 10 turns, 0 of 1 conversations");
  }
}

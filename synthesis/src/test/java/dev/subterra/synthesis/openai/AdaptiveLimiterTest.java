package dev.subterra.synthesis.openai;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(value = 10, unit = TimeUnit.SECONDS)
class AdaptiveLimiterTest {
  private static final double TOLERANCE = 1e-9;

  @Test
  void growsByAboutOnePerWindowOfSuccesses() throws Exception {
    AdaptiveLimiter limiter = new AdaptiveLimiter(2, 8);

    for (int i = 0; i < 2; i++) {
      limiter.onSuccess(limiter.acquire());
    }
    assertThat(limiter.limit()).isBetween(2.9, 3.0);

    for (int i = 0; i < 200; i++) {
      limiter.onSuccess(limiter.acquire());
    }
    assertThat(limiter.limit()).isEqualTo(8.0);
  }

  @Test
  void halvesOnceForABurstOfThrottlesAndNeverGoesBelowOne() throws Exception {
    AdaptiveLimiter limiter = new AdaptiveLimiter(8, 8);
    List<AdaptiveLimiter.Permit> burst = new ArrayList<>();
    for (int i = 0; i < 4; i++) {
      burst.add(limiter.acquire());
    }

    for (AdaptiveLimiter.Permit permit : burst) {
      limiter.onThrottle(permit, null);
    }
    assertThat(limiter.limit()).isEqualTo(4.0);

    for (int i = 0; i < 10; i++) {
      limiter.onThrottle(limiter.acquire(), null);
    }
    assertThat(limiter.limit()).isEqualTo(1.0, org.assertj.core.data.Offset.offset(TOLERANCE));
    assertThat(limiter.inFlight()).isZero();
  }

  @Test
  void blocksRequestsBeyondTheLimitUntilOneFinishes() throws Exception {
    AdaptiveLimiter limiter = new AdaptiveLimiter(1, 4);
    AdaptiveLimiter.Permit first = limiter.acquire();
    AtomicBoolean secondStarted = new AtomicBoolean();
    CountDownLatch done = new CountDownLatch(1);
    Thread second = new Thread(() -> {
      try {
        AdaptiveLimiter.Permit permit = limiter.acquire();
        secondStarted.set(true);
        limiter.onSuccess(permit);
        done.countDown();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    });
    second.start();

    Thread.sleep(100);
    assertThat(secondStarted).isFalse();
    limiter.onFailure(first);
    assertThat(done.await(5, TimeUnit.SECONDS)).isTrue();
    second.join(5000);
  }

  @Test
  void pausesNewRequestsForTheRetryAfter() throws Exception {
    AdaptiveLimiter limiter = new AdaptiveLimiter(2, 2);

    limiter.onThrottle(limiter.acquire(), Duration.ofSeconds(30));

    assertThat(limiter.pauseRemaining()).isBetween(Duration.ofSeconds(29), Duration.ofSeconds(30));
  }

  @Test
  void refusesToReleaseAPermitTwice() throws Exception {
    AdaptiveLimiter limiter = new AdaptiveLimiter(2, 2);
    AdaptiveLimiter.Permit permit = limiter.acquire();
    limiter.onSuccess(permit);

    assertThatThrownBy(() -> limiter.onFailure(permit)).hasMessage("Cannot release a permit twice");
  }
}

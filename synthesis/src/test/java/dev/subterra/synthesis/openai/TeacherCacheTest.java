package dev.subterra.synthesis.openai;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.subterra.synthesis.TeacherException;
import dev.subterra.synthesis.cost.TokenUsage;
import dev.subterra.synthesis.testing.CapturingLoggerProvider;
import java.io.IOException;
import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

@Timeout(value = 20, unit = TimeUnit.SECONDS)
class TeacherCacheTest {
  private static final int WRITERS = 3;
  private static final int READERS = 3;
  private static final int WRITES_EACH = 40;
  private static final int MAX_READS_EACH = 5000;

  @TempDir Path dir;

  private static ChatRequest request(String model, double temperature, int maxTokens, long seed, String role,
      String text) {
    return new ChatRequest(model, List.of(ChatMessage.system("sys"), new ChatMessage(role, text)), temperature,
        maxTokens, seed);
  }

  private static ChatResponse response(String text) {
    return new ChatResponse(text, "stop", new TokenUsage(12, 3, false));
  }

  @Test
  void keyIsTheSameForTheSameRequestAndDiffersForAnyChange() {
    String key = TeacherCache.key(request("m", 0.7, 64, 1, "user", "hi"));

    assertThat(key).matches("[0-9a-f]{64}").isEqualTo(TeacherCache.key(request("m", 0.7, 64, 1, "user", "hi")));
    Set<String> keys = new HashSet<>(List.of(
        key,
        TeacherCache.key(request("m2", 0.7, 64, 1, "user", "hi")),
        TeacherCache.key(request("m", 0.8, 64, 1, "user", "hi")),
        TeacherCache.key(request("m", 0.7, 65, 1, "user", "hi")),
        TeacherCache.key(request("m", 0.7, 64, 2, "user", "hi")),
        TeacherCache.key(request("m", 0.7, 64, 1, "assistant", "hi")),
        TeacherCache.key(request("m", 0.7, 64, 1, "user", "hi "))));
    assertThat(keys).hasSize(7);
  }

  @Test
  void storesOneShardedFilePerKeyAndReadsItBack() throws Exception {
    TeacherCache cache = new TeacherCache(new LocalDirectoryCacheStore(dir));
    String key = TeacherCache.key(request("m", 0.7, 64, 1, "user", "hi"));

    assertThat(cache.get(key)).isEmpty();
    cache.put(key, "m", response("Hello there."), new BigDecimal("0.000123"));

    TeacherCache.Entry entry = new TeacherCache(new LocalDirectoryCacheStore(dir)).get(key).orElseThrow();
    assertThat(entry.response()).isEqualTo(response("Hello there."));
    assertThat(entry.costUsd()).isEqualByComparingTo("0.000123");
    assertThat(entry.model()).isEqualTo("m");
    try (Stream<Path> files = Files.walk(dir)) {
      assertThat(files.filter(Files::isRegularFile).map(dir::relativize).map(Path::toString))
          .containsExactly(key.substring(0, 2) + "/" + key + ".json");
    }
  }

  @Test
  void concurrentWritersNeverLetAReaderSeeHalfAnEntry() throws Exception {
    LocalDirectoryCacheStore store = new LocalDirectoryCacheStore(dir);
    TeacherCache cache = new TeacherCache(store);
    String key = TeacherCache.key(request("m", 0.7, 64, 1, "user", "shared"));
    cache.put(key, "m", response("First."), BigDecimal.ONE);
    AtomicInteger writersLeft = new AtomicInteger(WRITERS);
    AtomicInteger reads = new AtomicInteger();
    ExecutorService pool = Executors.newFixedThreadPool(WRITERS + READERS);
    try {
      List<Future<?>> tasks = new ArrayList<>();
      for (int writer = 0; writer < WRITERS; writer++) {
        // Entries of different sizes, so that a torn read would show as unparseable JSON.
        String text = ("Answer " + writer + " ").repeat(2000 * (writer + 1));
        tasks.add(pool.submit(() -> {
          try {
            for (int i = 0; i < WRITES_EACH; i++) {
              cache.put(key, "m", response(text), BigDecimal.ONE);
            }
          } finally {
            writersLeft.decrementAndGet();
          }
          return null;
        }));
      }
      for (int reader = 0; reader < READERS; reader++) {
        tasks.add(pool.submit(() -> {
          for (int i = 0; i < MAX_READS_EACH && writersLeft.get() > 0; i++) {
            assertThat(cache.get(key)).isPresent();
            reads.incrementAndGet();
          }
          return null;
        }));
      }
      for (Future<?> task : tasks) {
        task.get(15, TimeUnit.SECONDS);
      }
    } finally {
      pool.shutdownNow();
    }
    assertThat(reads).hasPositiveValue();
    assertThat(CapturingLoggerProvider.text()).doesNotContain("Ignoring unreadable teacher cache entry " + key);
    try (Stream<Path> files = Files.walk(dir)) {
      assertThat(files.filter(Files::isRegularFile).map(p -> p.getFileName().toString()))
          .containsExactly(key + ".json");
    }
  }

  @Test
  void treatsAnUnreadableEntryAsAMissAndOverwritesIt() throws Exception {
    LocalDirectoryCacheStore store = new LocalDirectoryCacheStore(dir);
    TeacherCache cache = new TeacherCache(store);
    String key = TeacherCache.key(request("m", 0.7, 64, 1, "user", "hi"));
    store.put(key, "{\"format\": \"subterra-teacher-cache/1\", \"key\": ".getBytes(java.nio.charset.StandardCharsets.UTF_8));

    assertThat(cache.get(key)).isEmpty();
    cache.put(key, "m", response("Fine."), BigDecimal.ZERO);
    assertThat(cache.get(key)).isPresent();
  }

  @Test
  void failsRatherThanPayingAgainWhenTheStoreCannotBeRead() {
    TeacherCache cache = new TeacherCache(new CacheStore() {
      @Override
      public Optional<byte[]> get(String key) throws IOException {
        throw new IOException("disk gone");
      }

      @Override
      public void put(String key, byte[] value) {}
    });
    String key = TeacherCache.key(request("m", 0.7, 64, 1, "user", "hi"));

    assertThatThrownBy(() -> cache.get(key))
        .isInstanceOfSatisfying(TeacherException.class, e -> assertThat(e.retryable()).isTrue())
        .hasMessage("Cannot read teacher cache entry " + key + ": disk gone");
  }

  @Test
  void rejectsAKeyThatIsNotADigest() {
    LocalDirectoryCacheStore store = new LocalDirectoryCacheStore(dir);

    assertThatThrownBy(() -> store.put("../../etc/passwd", new byte[0]))
        .hasMessage("Invalid cache key: ../../etc/passwd");
  }
}

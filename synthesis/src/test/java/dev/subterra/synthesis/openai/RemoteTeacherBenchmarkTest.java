package dev.subterra.synthesis.openai;

import dev.subterra.synthesis.testing.FakeChatServer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;

/**
 * Remote-teacher throughput against a local chat server with a fixed latency, as a fraction of what the concurrency
 * limit allows at best ({@code limit / latency}); skipped unless {@code -Dsubterra.benchmark=true}. Prints a Markdown
 * table for docs/benchmarks.md with the machine it ran on.
 */
@EnabledIfSystemProperty(named = "subterra.benchmark", matches = "true")
class RemoteTeacherBenchmarkTest {
  private static final int REQUESTS = 400;
  private static final int CALLERS = 16;

  @Test
  void throughputAsAFractionOfTheIdeal() throws Exception {
    System.out.printf("Machine: %d cores, Java %s, %s %s%n", Runtime.getRuntime().availableProcessors(),
        System.getProperty("java.version"), System.getProperty("os.name"), System.getProperty("os.arch"));
    System.out.println("| concurrency limit | server latency | requests/s | ideal (limit / latency) | fraction of ideal |");
    System.out.println("|---|---|---|---|---|");
    for (int limit : new int[] {1, 4, 8}) {
      for (int latency : new int[] {20, 50}) {
        try (FakeChatServer server = FakeChatServer.start()) {
          server.latency(Duration.ofMillis(latency));
          ChatClient client = new ChatClient(
              ChatClientTest.fastConfig(server.baseUrl()).withConcurrency(limit, limit), Optional.empty());
          client.complete(request(-1));
          ExecutorService callers = Executors.newFixedThreadPool(CALLERS);
          long start = System.nanoTime();
          try {
            List<Future<ChatResponse>> answers = new ArrayList<>();
            for (int i = 0; i < REQUESTS; i++) {
              int n = i;
              answers.add(callers.submit(() -> client.complete(request(n))));
            }
            for (Future<ChatResponse> answer : answers) {
              answer.get(60, TimeUnit.SECONDS);
            }
          } finally {
            callers.shutdownNow();
          }
          double rate = REQUESTS / ((System.nanoTime() - start) / 1e9);
          double ideal = limit * 1000.0 / latency;
          System.out.printf("| %d | %d ms | %.1f | %.0f | %.2f |%n", limit, latency, rate, ideal, rate / ideal);
        }
      }
    }
  }

  private static ChatRequest request(int n) {
    return new ChatRequest("m", List.of(ChatMessage.user("question " + n)), 0.7, 16, 1);
  }
}

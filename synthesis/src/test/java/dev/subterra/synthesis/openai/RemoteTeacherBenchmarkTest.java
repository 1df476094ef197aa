package dev.subterra.synthesis.openai;

import dev.subterra.synthesis.testing.FakeChatServer;
import java.time.Duration;
import java.util.Optional;
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
          client.complete(Load.question(-1));
          long start = System.nanoTime();
          Load.run(client, REQUESTS, CALLERS);
          double rate = REQUESTS / ((System.nanoTime() - start) / 1e9);
          double ideal = limit * 1000.0 / latency;
          System.out.printf("| %d | %d ms | %.1f | %.0f | %.2f |%n", limit, latency, rate, ideal, rate / ideal);
        }
      }
    }
  }
}

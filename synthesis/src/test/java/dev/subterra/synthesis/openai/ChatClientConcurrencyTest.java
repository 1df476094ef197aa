package dev.subterra.synthesis.openai;

import static org.assertj.core.api.Assertions.assertThat;

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
import org.junit.jupiter.api.Timeout;

/**
 * Under a sustained load the adaptive limit grows from one request in flight to the configured limit and the server
 * sees that many at once. Throughput itself is a benchmark figure (docs/remote-teacher.md), not a test: it depends on
 * the machine.
 */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class ChatClientConcurrencyTest {
  private static final Duration LATENCY = Duration.ofMillis(50);
  private static final int LIMIT = 4;
  private static final int REQUESTS = 120;

  @Test
  void growsFromOneRequestInFlightToTheLimitAndKeepsItBusy() throws Exception {
    try (FakeChatServer server = FakeChatServer.start()) {
      server.latency(LATENCY);
      ChatClient client = new ChatClient(
          ChatClientTest.fastConfig(server.baseUrl()).withConcurrency(1, LIMIT), Optional.empty());
      client.complete(request(-1));
      ExecutorService callers = Executors.newFixedThreadPool(2 * LIMIT);
      try {
        List<Future<ChatResponse>> answers = new ArrayList<>();
        for (int i = 0; i < REQUESTS; i++) {
          int n = i;
          answers.add(callers.submit(() -> client.complete(request(n))));
        }
        for (Future<ChatResponse> answer : answers) {
          answer.get(20, TimeUnit.SECONDS);
        }
      } finally {
        callers.shutdownNow();
      }
      assertThat(client.stats().concurrencyLimit()).isEqualTo(LIMIT);
      assertThat(server.peakInFlight()).isEqualTo(LIMIT);
    }
  }

  private static ChatRequest request(int n) {
    return new ChatRequest("m", List.of(ChatMessage.user("question " + n)), 0.7, 16, 1);
  }
}

package dev.subterra.synthesis.openai;

import static org.assertj.core.api.Assertions.assertThat;

import dev.subterra.synthesis.testing.FakeChatServer;
import java.time.Duration;
import java.util.Optional;
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
      client.complete(Load.question(-1));
      Load.run(client, REQUESTS, 2 * LIMIT);
      assertThat(client.stats().concurrencyLimit()).isEqualTo(LIMIT);
      assertThat(server.peakInFlight()).isEqualTo(LIMIT);
    }
  }
}

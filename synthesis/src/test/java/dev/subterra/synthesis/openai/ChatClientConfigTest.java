package dev.subterra.synthesis.openai;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.URI;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class ChatClientConfigTest {
  private static final long SEED = 1L;

  @Test
  void buildsTheEndpointWithOrWithoutV1() {
    assertThat(ChatClientConfig.defaults(URI.create("https://api.openai.com"), SEED).endpoint())
        .isEqualTo(URI.create("https://api.openai.com/v1/chat/completions"));
    assertThat(ChatClientConfig.defaults(URI.create("https://api.openai.com/v1"), SEED).endpoint())
        .isEqualTo(URI.create("https://api.openai.com/v1/chat/completions"));
    assertThat(ChatClientConfig.defaults(URI.create("http://localhost:11434/v1/"), SEED).endpoint())
        .isEqualTo(URI.create("http://localhost:11434/v1/chat/completions"));
    assertThat(ChatClientConfig.defaults(URI.create("http://gw.internal/openai/"), SEED).endpoint())
        .isEqualTo(URI.create("http://gw.internal/openai/v1/chat/completions"));
    assertThat(ChatClientConfig.defaults(URI.create("http://localhost:8000/v1/chat/completions"), SEED).endpoint())
        .isEqualTo(URI.create("http://localhost:8000/v1/chat/completions"));
  }

  @Test
  void rejectsInvalidFieldsByName() {
    ChatClientConfig ok = ChatClientConfig.defaults(URI.create("http://localhost:8000"), SEED);
    assertThatThrownBy(() -> ChatClientConfig.defaults(URI.create("ftp://host"), SEED))
        .hasMessage("Invalid baseUrl: ftp://host");
    assertThatThrownBy(() -> ChatClientConfig.defaults(URI.create("http://user:sk-secret@host"), SEED))
        .hasMessage("Invalid baseUrl: credentials must come from SUBTERRA_TEACHER_API_KEY");
    assertThatThrownBy(() -> ok.withConcurrency(3, 2)).hasMessage("Invalid initialConcurrency: 3");
    assertThatThrownBy(() -> ok.withConcurrency(1, 0)).hasMessage("Invalid maxConcurrency: 0");
    assertThatThrownBy(() -> ok.withTimeouts(Duration.ZERO, Duration.ofSeconds(1)))
        .hasMessage("Invalid connectTimeout: PT0S");
    assertThatThrownBy(() -> ok.withRetries(-1, Duration.ofMillis(1), Duration.ofMillis(1), Duration.ZERO))
        .hasMessage("Invalid maxRetries: -1");
    assertThatThrownBy(() -> ok.withRetries(1, Duration.ofMillis(10), Duration.ofMillis(1), Duration.ZERO))
        .hasMessage("Invalid maxBackoff: PT0.001S");
  }
}

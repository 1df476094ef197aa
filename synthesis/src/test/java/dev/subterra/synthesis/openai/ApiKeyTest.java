package dev.subterra.synthesis.openai;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import org.junit.jupiter.api.Test;

class ApiKeyTest {
  private static final String PRIMARY = "sk-primary-123";
  private static final String FALLBACK = "sk-fallback-456";

  @Test
  void prefersTheSubterraVariableAndFallsBackToOpenAi() {
    assertThat(ApiKey.fromEnvironment(Map.of(ApiKey.VARIABLE, PRIMARY, ApiKey.FALLBACK_VARIABLE, FALLBACK)::get)
        .orElseThrow().authorization()).isEqualTo("Bearer " + PRIMARY);
    assertThat(ApiKey.fromEnvironment(Map.of(ApiKey.VARIABLE, "  ", ApiKey.FALLBACK_VARIABLE, FALLBACK)::get)
        .orElseThrow().authorization()).isEqualTo("Bearer " + FALLBACK);
    assertThat(ApiKey.fromEnvironment(Map.<String, String>of()::get)).isEmpty();
  }

  @Test
  void neverShowsTheSecret() {
    ApiKey key = ApiKey.fromEnvironment(Map.of(ApiKey.VARIABLE, PRIMARY)::get).orElseThrow();

    assertThat(key.toString()).isEqualTo("ApiKey[redacted]");
    assertThat(key.redact("bad key " + PRIMARY + " given")).isEqualTo("bad key [redacted] given");
  }
}

package dev.subterra.synthesis.openai;

import java.util.Optional;
import java.util.function.UnaryOperator;

/**
 * The secret that authenticates teacher calls. It is read from the environment only, is sent only in the
 * {@code Authorization} header, and never appears in {@link #toString()}, logs, exceptions, manifests or cache files.
 *
 * <p>{@value #VARIABLE} is read first, then {@value #FALLBACK_VARIABLE}. A local server (vLLM, Ollama, llama.cpp) needs no
 * key, so its absence is not an error.
 */
public final class ApiKey {
  /** The environment variable read first. */
  public static final String VARIABLE = "SUBTERRA_TEACHER_API_KEY";
  /** The environment variable read when {@value #VARIABLE} is unset or blank. */
  public static final String FALLBACK_VARIABLE = "OPENAI_API_KEY";

  private static final String REDACTED = "[redacted]";

  private final String secret;

  private ApiKey(String secret) {
    this.secret = secret;
  }

  /** The key from the process environment, if set. */
  public static Optional<ApiKey> fromEnvironment() {
    return fromEnvironment(System::getenv);
  }

  /** The key from an environment lookup (tests pass a map's {@code get}). */
  public static Optional<ApiKey> fromEnvironment(UnaryOperator<String> environment) {
    for (String variable : new String[] {VARIABLE, FALLBACK_VARIABLE}) {
      String value = environment.apply(variable);
      if (value != null && !value.isBlank()) {
        return Optional.of(new ApiKey(value.trim()));
      }
    }
    return Optional.empty();
  }

  /** The header value; package-private so that only the client can read the secret. */
  String authorization() {
    return "Bearer " + secret;
  }

  /** {@code text} with every occurrence of the key replaced, for messages that quote a server's answer. */
  String redact(String text) {
    return text == null ? null : text.replace(secret, REDACTED);
  }

  @Override
  public String toString() {
    return "ApiKey" + REDACTED;
  }
}

package dev.subterra.synthesis.openai;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import java.util.Set;

/** One message of a chat-completions request: {@code system}, {@code user} or {@code assistant}, and its text. */
@JsonPropertyOrder({"role", "content"})
public record ChatMessage(@JsonProperty("role") String role, @JsonProperty("content") String content) {
  private static final Set<String> ROLES = Set.of("system", "user", "assistant");

  public ChatMessage {
    if (!ROLES.contains(role)) {
      throw new IllegalArgumentException("Invalid role: " + role);
    }
    if (content == null) {
      throw new IllegalArgumentException("Invalid content: null");
    }
  }

  public static ChatMessage system(String content) {
    return new ChatMessage("system", content);
  }

  public static ChatMessage user(String content) {
    return new ChatMessage("user", content);
  }
}

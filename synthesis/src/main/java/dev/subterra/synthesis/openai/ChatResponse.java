package dev.subterra.synthesis.openai;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import dev.subterra.synthesis.cost.TokenUsage;

/** The useful part of a chat completion: the first choice's text, why it finished, and the tokens it used. */
@JsonPropertyOrder({"content", "finish_reason", "usage"})
public record ChatResponse(
    @JsonProperty("content") String content,
    @JsonProperty("finish_reason") String finishReason,
    @JsonProperty("usage") TokenUsage usage) {

  public ChatResponse {
    if (content == null || content.isBlank()) {
      throw new IllegalArgumentException("Invalid content: " + content);
    }
    if (usage == null) {
      throw new IllegalArgumentException("Invalid usage: null");
    }
  }
}

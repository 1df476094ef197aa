package dev.subterra.synthesis.openai;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * The body of {@code POST /v1/chat/completions}: the fields every OpenAI-compatible server (OpenAI, vLLM, Ollama,
 * llama.cpp) accepts. Its {@link #canonicalJson() canonical JSON} is both what is sent and what the cache key hashes,
 * so two requests share a cache entry exactly when the server would see the same bytes.
 */
@JsonPropertyOrder({"model", "messages", "temperature", "max_tokens", "seed"})
public record ChatRequest(
    @JsonProperty("model") String model,
    @JsonProperty("messages") List<ChatMessage> messages,
    @JsonProperty("temperature") double temperature,
    @JsonProperty("max_tokens") int maxTokens,
    @JsonProperty("seed") long seed) {

  private static final ObjectMapper JSON = new ObjectMapper();

  public ChatRequest {
    if (model == null || model.isBlank()) {
      throw new IllegalArgumentException("Invalid model: " + model);
    }
    if (messages == null || messages.isEmpty()) {
      throw new IllegalArgumentException("Invalid messages: " + messages);
    }
    messages = List.copyOf(messages);
    if (!(temperature >= 0 && temperature <= 2)) {
      throw new IllegalArgumentException("Invalid temperature: " + temperature);
    }
    if (maxTokens < 1) {
      throw new IllegalArgumentException("Invalid maxTokens: " + maxTokens);
    }
    if (seed < 0 || seed > Integer.MAX_VALUE) {
      // llama.cpp reads the seed as a 32-bit unsigned and some gateways as a signed int: stay within both.
      throw new IllegalArgumentException("Invalid seed: " + seed);
    }
  }

  /** The request as UTF-8 JSON with a fixed field order. */
  public byte[] canonicalJson() {
    try {
      return JSON.writeValueAsBytes(this);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("Cannot serialise chat request", e);
    }
  }

  /** The characters of all message contents, for usage estimates. */
  public long promptChars() {
    return messages.stream().mapToLong(m -> m.content().length()).sum();
  }

  /**
   * An upper bound of the prompt's tokens: every byte-level BPE or byte-fallback token covers at least one UTF-8 byte,
   * and a chat template adds a few tokens per message.
   */
  public long promptTokenBound() {
    long bytes = messages.stream().mapToLong(m -> m.content().getBytes(StandardCharsets.UTF_8).length).sum();
    return bytes + TEMPLATE_TOKENS_PER_MESSAGE * (messages.size() + 1L);
  }

  private static final int TEMPLATE_TOKENS_PER_MESSAGE = 16;
}

package dev.subterra.serving.protocol;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;

/**
 * The body of {@code POST /v1/chat/completions}. Every field the OpenAI API defines for chat completions is known
 * here, so that any client's request parses; a field outside this list is refused with a 400 (the server is read with
 * unknown fields failing). Fields the student cannot honour are refused with a 400 when they ask for something
 * ({@code n} above 1, {@code logprobs}, stop sequences, penalties, logit bias, a structured response format), and
 * accepted when they ask for nothing. {@code tools} and {@code tool_choice} keep OpenAI's meaning (the student calls
 * only declared tools; see {@code ToolChoice}), though the tools' definitions are in the student's weights.
 */
public record ChatCompletionRequest(
    String model,
    List<RequestMessage> messages,
    Double temperature,
    Double topP,
    Integer maxTokens,
    Integer maxCompletionTokens,
    Boolean stream,
    StreamOptions streamOptions,
    Long seed,
    Integer n,
    JsonNode stop,
    String user,
    JsonNode tools,
    JsonNode toolChoice,
    Boolean parallelToolCalls,
    Double presencePenalty,
    Double frequencyPenalty,
    JsonNode logitBias,
    Boolean logprobs,
    Integer topLogprobs,
    JsonNode responseFormat,
    JsonNode metadata,
    Boolean store,
    JsonNode functions,
    JsonNode functionCall,
    String serviceTier) {

  /** {@code stream_options}: whether the last chunk before {@code [DONE]} carries the usage. */
  public record StreamOptions(Boolean includeUsage) {}

  /** Whether the client asked for server-sent events. */
  public boolean streaming() {
    return Boolean.TRUE.equals(stream);
  }

  /** Checks the fields that do not depend on the model; throws a 400 naming the field. */
  public void validate() {
    if (model == null || model.isBlank()) {
      throw ApiException.invalid("model", "Invalid model: a model name is required");
    }
    if (messages == null || messages.isEmpty()) {
      throw ApiException.invalid("messages", "Invalid messages: at least one message is required");
    }
    if (temperature != null && !(temperature >= 0 && temperature <= 2)) {
      throw ApiException.invalid("temperature", "Invalid temperature: " + temperature + " (0 to 2)");
    }
    if (topP != null && !(topP > 0 && topP <= 1)) {
      throw ApiException.invalid("top_p", "Invalid top_p: " + topP + " (above 0, at most 1)");
    }
    if (maxTokens != null && maxTokens < 1) {
      throw ApiException.invalid("max_tokens", "Invalid max_tokens: " + maxTokens + " (at least 1)");
    }
    if (maxCompletionTokens != null && maxCompletionTokens < 1) {
      throw ApiException.invalid("max_completion_tokens", "Invalid max_completion_tokens: " + maxCompletionTokens
          + " (at least 1)");
    }
    if (n != null && n != 1) {
      throw ApiException.invalid("n", "Invalid n: " + n + " (this server returns one choice)");
    }
    if (stop != null && !stop.isNull() && !(stop.isArray() && stop.isEmpty())) {
      throw ApiException.invalid("stop", "Invalid stop: stop sequences are not supported (a turn ends at the "
          + "student's end-of-turn token)");
    }
    if (Boolean.TRUE.equals(logprobs) || (topLogprobs != null && topLogprobs > 0)) {
      throw ApiException.invalid("logprobs", "Invalid logprobs: log probabilities are not supported");
    }
    if (presencePenalty != null && presencePenalty != 0) {
      throw ApiException.invalid("presence_penalty", "Invalid presence_penalty: " + presencePenalty
          + " (only 0 is supported)");
    }
    if (frequencyPenalty != null && frequencyPenalty != 0) {
      throw ApiException.invalid("frequency_penalty", "Invalid frequency_penalty: " + frequencyPenalty
          + " (only 0 is supported)");
    }
    if (logitBias != null && !logitBias.isNull() && !logitBias.isEmpty()) {
      throw ApiException.invalid("logit_bias", "Invalid logit_bias: not supported");
    }
    if (responseFormat != null && !responseFormat.isNull()
        && !"text".equals(responseFormat.path("type").asText())) {
      throw ApiException.invalid("response_format", "Invalid response_format: only {\"type\": \"text\"} is "
          + "supported");
    }
    if (seed != null && seed < 0) {
      throw ApiException.invalid("seed", "Invalid seed: " + seed + " (at least 0)");
    }
  }

  /** The most tokens the client allows: {@code max_completion_tokens}, else {@code max_tokens}, else null. */
  public Integer tokenLimit() {
    return maxCompletionTokens != null ? maxCompletionTokens : maxTokens;
  }
}

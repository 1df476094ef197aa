package dev.subterra.serving.protocol;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.List;

/** The answer to a non-streaming chat completion: {@code object: chat.completion} with one choice and its usage. */
public record ChatCompletion(String id, String object, long created, String model, String systemFingerprint,
    List<Choice> choices, Usage usage) {

  /** The one choice: the assistant's message and why it ended. */
  public record Choice(int index, AssistantMessage message, String finishReason, Object logprobs) {}

  /**
   * The assistant's message: the text without the node tag ({@code content} is null when the turn only calls a
   * tool), the standard {@code tool_calls}, and the {@code subterra} extension.
   */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  public record AssistantMessage(String role, @JsonInclude(JsonInclude.Include.ALWAYS) String content,
      List<ToolCall> toolCalls, SubterraExtension subterra) {}

  /** Tokens read and written, in the student's own tokens. */
  public record Usage(int promptTokens, int completionTokens, int totalTokens) {
    public static Usage of(int prompt, int completion) {
      return new Usage(prompt, completion, prompt + completion);
    }
  }
}

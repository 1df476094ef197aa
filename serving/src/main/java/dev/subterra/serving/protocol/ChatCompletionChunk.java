package dev.subterra.serving.protocol;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.List;

/**
 * One server-sent event of a streamed completion: {@code object: chat.completion.chunk}. The first chunk's delta
 * carries the role, later ones the text as it is written, the tool call whole once it is closed, and the last one
 * the finish reason and the {@code subterra} extension; with {@code stream_options.include_usage} a final chunk with
 * no choices carries the usage.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record ChatCompletionChunk(String id, String object, long created, String model, String systemFingerprint,
    List<Choice> choices, ChatCompletion.Usage usage) {

  /** The one choice of a chunk. */
  @JsonInclude(JsonInclude.Include.ALWAYS)
  public record Choice(int index, Delta delta, String finishReason, Object logprobs) {}

  /** What this chunk adds to the message. */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  public record Delta(String role, String content, List<ToolCall> toolCalls, SubterraExtension subterra) {}
}

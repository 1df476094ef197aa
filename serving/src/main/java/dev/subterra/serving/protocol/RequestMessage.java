package dev.subterra.serving.protocol;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;

/**
 * One message of a request: {@code system}, {@code developer}, {@code user}, {@code assistant} or {@code tool}.
 * {@code content} is a string, an array of text parts, or null (an assistant message that only calls a tool).
 * An assistant message may carry the {@code subterra} extension the server wrote, which names the node it executed.
 */
public record RequestMessage(
    String role,
    JsonNode content,
    String name,
    List<ToolCall> toolCalls,
    String toolCallId,
    JsonNode refusal,
    JsonNode annotations,
    JsonNode audio,
    JsonNode functionCall,
    SubterraExtension subterra) {

  /** The content as text: a string, or the text parts of an array joined; null when there is none. */
  public String text(int index) {
    if (content == null || content.isNull()) {
      return null;
    }
    if (content.isTextual()) {
      return content.asText();
    }
    if (content.isArray()) {
      StringBuilder out = new StringBuilder();
      for (JsonNode part : content) {
        if (!"text".equals(part.path("type").asText()) || !part.path("text").isTextual()) {
          throw ApiException.invalid("messages[" + index + "].content", "Invalid messages[" + index
              + "].content: only text parts are supported");
        }
        out.append(part.path("text").asText());
      }
      return out.toString();
    }
    throw ApiException.invalid("messages[" + index + "].content", "Invalid messages[" + index
        + "].content: a string or an array of text parts");
  }
}

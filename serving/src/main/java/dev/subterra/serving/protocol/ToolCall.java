package dev.subterra.serving.protocol;

/**
 * A tool call in the standard {@code tool_calls} form: an id, {@code type: function}, and the function's name with
 * its arguments as a JSON-encoded string. {@code index} appears in stream chunks only.
 */
public record ToolCall(Integer index, String id, String type, Function function) {
  /** The function called, with arguments as a JSON string. */
  public record Function(String name, String arguments) {}
}

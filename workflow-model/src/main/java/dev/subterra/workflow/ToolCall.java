package dev.subterra.workflow;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The call a tool node makes: a tool name, arguments that each take the value of a declared slot, and the slots the
 * result fills in (a booking reference, a quoted price) for later turns to cite.
 */
@JsonInclude(JsonInclude.Include.NON_EMPTY)
@JsonPropertyOrder({"name", "arguments", "returns"})
public record ToolCall(String name, Map<String, String> arguments, List<String> returns) {

  @JsonCreator
  public ToolCall(
      @JsonProperty("name") String name,
      @JsonProperty("arguments") Map<String, String> arguments,
      @JsonProperty("returns") List<String> returns) {
    this.name = name;
    this.arguments = arguments == null ? Map.of() : unmodifiableCopy(arguments);
    this.returns = returns == null ? List.of() : List.copyOf(returns);
  }

  private static Map<String, String> unmodifiableCopy(Map<String, String> arguments) {
    // Argument order is part of the call the student learns to write, so keep it.
    return java.util.Collections.unmodifiableMap(new LinkedHashMap<>(arguments));
  }
}

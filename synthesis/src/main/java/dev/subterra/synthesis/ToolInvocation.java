package dev.subterra.synthesis;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/** A tool call as the agent writes it: the tool's name and its arguments, in the order the workflow declares them. */
public record ToolInvocation(String name, Map<String, String> arguments) {
  public ToolInvocation {
    arguments = Collections.unmodifiableMap(new LinkedHashMap<>(arguments));
  }
}

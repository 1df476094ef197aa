package dev.subterra.synthesis;

import com.fasterxml.jackson.annotation.JsonInclude;

/**
 * One turn of a dialogue: who spoke, what was said, and the workflow node the turn executes. A tool turn carries the
 * call the agent made ({@code call}) and what the tool answered ({@code result}); its {@code text} is empty.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record Turn(Role role, String text, String nodeId, ToolInvocation call, String result) {

  public static Turn user(String nodeId, String text) {
    return new Turn(Role.USER, text, nodeId, null, null);
  }

  public static Turn agent(String nodeId, String text) {
    return new Turn(Role.AGENT, text, nodeId, null, null);
  }

  public static Turn tool(String nodeId, ToolInvocation call, String result) {
    return new Turn(Role.TOOL, "", nodeId, call, result);
  }
}

package dev.subterra.serving;

import com.fasterxml.jackson.databind.JsonNode;
import dev.subterra.serving.protocol.ApiException;
import dev.subterra.workflow.Node;
import dev.subterra.workflow.NodeKind;
import java.util.LinkedHashSet;
import java.util.Set;

/**
 * Which node tags a turn may start with, from a request's {@code tools} and {@code tool_choice}, with OpenAI's
 * meaning: a model calls only the tools a request declares. The student's tools are in its weights, so a declared
 * tool is matched to the workflow's tool nodes by name, and the decoder may start the turn only with a tag that
 * obeys the request:
 *
 * <ul>
 *   <li>no {@code tools}, or {@code tool_choice: "none"}: any node but a tool node (the student cannot call);
 *   <li>{@code tools} with {@code tool_choice} absent or {@code "auto"}: any node but the tool nodes of undeclared
 *       tools;
 *   <li>{@code "required"}: only tool nodes of declared tools; {@code {"type": "function", "function": {"name": N}}}:
 *       only tool nodes of tool {@code N}.
 * </ul>
 */
final class ToolChoice {
  private ToolChoice() {}

  static boolean[] firstTokens(ServedModel model, JsonNode tools, JsonNode toolChoice) {
    Set<String> declared = new LinkedHashSet<>();
    if (tools != null && !tools.isNull()) {
      if (!tools.isArray()) {
        throw ApiException.invalid("tools", "Invalid tools: an array of function definitions");
      }
      for (int i = 0; i < tools.size(); i++) {
        JsonNode name = tools.get(i).at("/function/name");
        if (!"function".equals(tools.get(i).path("type").asText()) || !name.isTextual() || name.asText().isBlank()) {
          throw ApiException.invalid("tools[" + i + "]", "Invalid tools[" + i + "]: {\"type\": \"function\", "
              + "\"function\": {\"name\": ...}} expected");
        }
        declared.add(name.asText());
      }
    }
    boolean toolsOnly = false;
    Set<String> allowed = declared;
    if (toolChoice != null && !toolChoice.isNull()) {
      if (toolChoice.isTextual()) {
        switch (toolChoice.asText()) {
          case "auto" -> { }
          case "none" -> allowed = Set.of();
          case "required" -> toolsOnly = true;
          default -> throw ApiException.invalid("tool_choice", "Invalid tool_choice: " + toolChoice.asText()
              + " (none, auto, required or a function)");
        }
      } else if (toolChoice.isObject() && toolChoice.at("/function/name").isTextual()) {
        String name = toolChoice.at("/function/name").asText();
        if (!declared.contains(name)) {
          throw ApiException.invalid("tool_choice", "Invalid tool_choice: " + name + " is not among the tools");
        }
        allowed = Set.of(name);
        toolsOnly = true;
      } else {
        throw ApiException.invalid("tool_choice", "Invalid tool_choice: none, auto, required or "
            + "{\"type\": \"function\", \"function\": {\"name\": ...}}");
      }
    }
    boolean[] first = new boolean[model.artefact().model().config().vocabularySize()];
    boolean any = false;
    for (String nodeId : model.tokenizer().nodeIds()) {
      Node node = model.workflow().node(nodeId).orElse(null);
      boolean isTool = node != null && node.kind() == NodeKind.TOOL && node.tool() != null;
      boolean ok = isTool ? allowed.contains(node.tool().name()) : !toolsOnly;
      first[model.tokenizer().nodeTagId(nodeId)] = ok;
      any |= ok;
    }
    if (!any) {
      throw ApiException.invalid("tool_choice", "Invalid tool_choice: none of the tools asked for is a tool of "
          + model.id() + " (" + model.toolNames() + ")");
    }
    return first;
  }
}

package dev.subterra.synthesis;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.subterra.workflow.Node;
import dev.subterra.workflow.NodeKind;
import dev.subterra.workflow.Workflow;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Writes dialogues as chat fine-tuning JSON lines in the OpenAI form, so the same data can train a model elsewhere:
 * {@code {"messages": [...], "tools": [...]}} with a system message, then one message per turn. User turns become
 * {@code user} messages and agent turns {@code assistant} messages; a tool turn becomes an {@code assistant} message
 * with one entry in {@code tool_calls} (arguments as a JSON string, as the API sends them) followed by a {@code tool}
 * message holding the result, linked by a call id that is unique within the line.
 *
 * <p>{@code tools} maps each tool name to its argument names, in declared order, and is written as function
 * definitions with string parameters; an empty map omits it. With {@code nodeTags}, every assistant message starts with
 * the id of the node it executes in brackets ({@code [offer] I can refund...}), the tag the student learns to emit.
 */
public record ChatFormat(String systemPrompt, Map<String, List<String>> tools, boolean nodeTags) {
  private static final ObjectMapper JSON = new ObjectMapper();

  public ChatFormat {
    if (systemPrompt == null) {
      throw new IllegalArgumentException("Invalid systemPrompt: null (use an empty string for none)");
    }
    Map<String, List<String>> copy = new LinkedHashMap<>();
    tools.forEach((name, arguments) -> copy.put(name, List.copyOf(arguments)));
    tools = Collections.unmodifiableMap(copy);
  }

  /** The format for a workflow: a system prompt naming and describing it, and its tools; no node tags. */
  public static ChatFormat forWorkflow(Workflow workflow) {
    StringBuilder prompt = new StringBuilder("You are the assistant for ").append(workflow.displayName()).append('.');
    if (workflow.description() != null && !workflow.description().isBlank()) {
      prompt.append(' ').append(workflow.description().strip());
    }
    Map<String, List<String>> tools = new LinkedHashMap<>();
    for (Node node : workflow.nodes()) {
      if (node.kind() == NodeKind.TOOL && node.tool() != null) {
        tools.putIfAbsent(node.tool().name(), List.copyOf(node.tool().arguments().keySet()));
      }
    }
    return new ChatFormat(prompt.toString(), tools, false);
  }

  /** The same format with node tags on or off. */
  public ChatFormat withNodeTags(boolean on) {
    return new ChatFormat(systemPrompt, tools, on);
  }

  /** One dialogue as one line of JSON, without the line break. */
  public String line(Dialogue dialogue) {
    ObjectNode root = JSON.createObjectNode();
    ArrayNode messages = root.putArray("messages");
    if (!systemPrompt.isEmpty()) {
      messages.addObject().put("role", "system").put("content", systemPrompt);
    }
    int calls = 0;
    for (Turn turn : dialogue.turns()) {
      switch (turn.role()) {
        case USER -> messages.addObject().put("role", "user").put("content", turn.text());
        case AGENT -> messages.addObject().put("role", "assistant").put("content", tagged(turn, turn.text()));
        case TOOL -> {
          String id = "call_" + (++calls);
          ObjectNode call = messages.addObject().put("role", "assistant");
          if (nodeTags) {
            call.put("content", tagged(turn, ""));
          } else {
            call.putNull("content");
          }
          ObjectNode function = call.putArray("tool_calls").addObject().put("id", id).put("type", "function")
              .putObject("function");
          function.put("name", turn.call().name()).put("arguments", write(turn.call().arguments()));
          messages.addObject().put("role", "tool").put("tool_call_id", id).put("content", turn.result());
        }
        default -> throw new IllegalStateException("Cannot export turn role " + turn.role());
      }
    }
    if (!tools.isEmpty()) {
      ArrayNode definitions = root.putArray("tools");
      tools.forEach((name, arguments) -> {
        ObjectNode function = definitions.addObject().put("type", "function").putObject("function");
        function.put("name", name);
        ObjectNode parameters = function.putObject("parameters").put("type", "object");
        ObjectNode properties = parameters.putObject("properties");
        ArrayNode required = parameters.putArray("required");
        for (String argument : arguments) {
          properties.putObject(argument).put("type", "string");
          required.add(argument);
        }
      });
    }
    return write(root);
  }

  private String tagged(Turn turn, String text) {
    if (!nodeTags) {
      return text;
    }
    return text.isEmpty() ? "[" + turn.nodeId() + "]" : "[" + turn.nodeId() + "] " + text;
  }

  private static String write(Object value) {
    try {
      return JSON.writeValueAsString(value);
    } catch (JsonProcessingException e) {
      // Trees and maps of strings always serialise; reaching here is a bug.
      throw new IllegalStateException("Cannot write chat JSON: " + e.getOriginalMessage(), e);
    }
  }
}

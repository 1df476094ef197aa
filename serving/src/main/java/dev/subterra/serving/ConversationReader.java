package dev.subterra.serving;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.subterra.serving.protocol.ApiException;
import dev.subterra.serving.protocol.RequestMessage;
import dev.subterra.serving.protocol.ToolCall;
import dev.subterra.synthesis.Role;
import dev.subterra.synthesis.ToolInvocation;
import dev.subterra.synthesis.Turn;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Turns a request's messages into the dialogue turns the student was trained on, so that the serializer encodes them
 * exactly as in training: {@code user} messages become user turns; an {@code assistant} message becomes an agent
 * turn, or a tool turn when it calls a tool, whose result is the {@code role: tool} message that answers the call;
 * {@code system} and {@code developer} messages are counted and left out (the student's system line is the
 * workflow's name, and its procedure is in its weights).
 *
 * <p>Every agent turn in training starts with its node tag. The node of an assistant message is recovered, in order,
 * from its {@code subterra.node} extension, a leading {@code [node]} in its text (the tagged chat format of
 * {@code train.jsonl}), the node the server wrote into the id of a tool call it returned, or the server's memory of
 * the turns it wrote ({@link TurnMemory}); a turn whose node is still unknown is sent without a tag, and counted.
 */
final class ConversationReader {
  private static final ObjectMapper JSON = new ObjectMapper();

  /** The turns of a request, with what was left out or left untagged. */
  record Conversation(List<Turn> turns, int untaggedTurns, int ignoredSystemMessages) {}

  private final ServedModel model;
  private final TurnMemory memory;

  ConversationReader(ServedModel model, TurnMemory memory) {
    this.model = model;
    this.memory = memory;
  }

  Conversation read(List<RequestMessage> messages) {
    List<Turn> turns = new ArrayList<>();
    int untagged = 0;
    int ignored = 0;
    for (int i = 0; i < messages.size(); i++) {
      RequestMessage m = messages.get(i);
      String where = "messages[" + i + "]";
      if (m == null || m.role() == null) {
        throw ApiException.invalid(where + ".role", "Invalid " + where + ": a role is required");
      }
      switch (m.role()) {
        case "system", "developer" -> ignored++;
        case "user" -> {
          String text = m.text(i);
          if (text == null) {
            throw ApiException.invalid(where + ".content", "Invalid " + where + ": a user message needs content");
          }
          turns.add(Turn.user(null, text));
        }
        case "assistant" -> {
          String text = m.text(i);
          List<ToolCall> calls = m.toolCalls() == null ? List.of() : m.toolCalls();
          if (calls.size() > 1) {
            throw ApiException.invalid(where + ".tool_calls", "Invalid " + where + ": " + calls.size()
                + " tool calls (the student makes one per turn)");
          }
          String[] content = splitTag(text);
          String node = node(m, content[0], calls, text);
          if (node == null) {
            untagged++;
          }
          if (calls.isEmpty()) {
            turns.add(Turn.agent(node, content[1] == null ? "" : content[1]));
            continue;
          }
          ToolCall call = calls.get(0);
          ToolInvocation invocation = invocation(call, where);
          if (i + 1 >= messages.size() || !"tool".equals(messages.get(i + 1).role())) {
            throw ApiException.invalid(where + ".tool_calls", "Invalid " + where + ": tool call " + call.id()
                + " has no role:tool message answering it next");
          }
          RequestMessage answer = messages.get(i + 1);
          if (call.id() != null && answer.toolCallId() != null && !call.id().equals(answer.toolCallId())) {
            throw ApiException.invalid("messages[" + (i + 1) + "].tool_call_id", "Invalid messages[" + (i + 1)
                + "].tool_call_id: " + answer.toolCallId() + " (the call before it is " + call.id() + ")");
          }
          String result = answer.text(i + 1);
          turns.add(new Turn(Role.TOOL, content[1] == null ? "" : content[1], node, invocation,
              result == null ? "" : result));
          i++;
        }
        case "tool" -> throw ApiException.invalid(where + ".role", "Invalid " + where
            + ": a role:tool message must follow the assistant message whose tool call it answers");
        default -> throw ApiException.invalid(where + ".role", "Invalid " + where + ".role: " + m.role()
            + " (system, developer, user, assistant or tool)");
      }
    }
    // No turn at all (only a system message) asks for the agent's opening turn, as in training.
    return new Conversation(turns, untagged, ignored);
  }

  /** The node a returned assistant message executed, or null when nothing says. */
  private String node(RequestMessage m, String contentTag, List<ToolCall> calls, String text) {
    if (m.subterra() != null && m.subterra().node() != null) {
      if (!model.hasNode(m.subterra().node())) {
        throw ApiException.invalid("subterra.node", "Invalid subterra.node: " + m.subterra().node()
            + " (not a node of " + model.id() + ")");
      }
      return m.subterra().node();
    }
    if (contentTag != null) {
      return contentTag;
    }
    if (!calls.isEmpty()) {
      Optional<String> fromId = TurnMemory.nodeOfCallId(calls.get(0).id()).filter(model::hasNode);
      if (fromId.isPresent()) {
        return fromId.get();
      }
    }
    return memory.nodeOf(text, calls.isEmpty() ? null : calls.get(0).function().name()).orElse(null);
  }

  /** {@code [node] text} as {@code {node, text}} when {@code node} is one of the model's nodes. */
  private String[] splitTag(String text) {
    if (text != null && text.startsWith("[")) {
      int close = text.indexOf(']');
      if (close > 1 && model.hasNode(text.substring(1, close))) {
        return new String[] {text.substring(1, close), text.substring(close + 1).strip()};
      }
    }
    return new String[] {null, text};
  }

  private static ToolInvocation invocation(ToolCall call, String where) {
    if (call.function() == null || call.function().name() == null || call.function().name().isBlank()) {
      throw ApiException.invalid(where + ".tool_calls[0].function", "Invalid " + where
          + ".tool_calls[0].function: a name is required");
    }
    Map<String, String> arguments = new LinkedHashMap<>();
    String raw = call.function().arguments();
    if (raw != null && !raw.isBlank()) {
      JsonNode parsed;
      try {
        parsed = JSON.readTree(raw);
      } catch (Exception e) {
        throw ApiException.invalid(where + ".tool_calls[0].function.arguments", "Invalid " + where
            + ".tool_calls[0].function.arguments: not a JSON object");
      }
      if (parsed == null || !parsed.isObject()) {
        throw ApiException.invalid(where + ".tool_calls[0].function.arguments", "Invalid " + where
            + ".tool_calls[0].function.arguments: not a JSON object");
      }
      for (Iterator<Map.Entry<String, JsonNode>> it = parsed.fields(); it.hasNext(); ) {
        Map.Entry<String, JsonNode> e = it.next();
        arguments.put(e.getKey(), e.getValue().isTextual() ? e.getValue().asText() : e.getValue().toString());
      }
    }
    return new ToolInvocation(call.function().name(), arguments);
  }
}

package dev.subterra.synthesis;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.subterra.workflow.Edge;
import dev.subterra.workflow.Node;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Predicate;

/**
 * Writes the tool turns of a dialogue, the same way for every teacher: tools are not played by a model but simulated
 * from the scenario, so that a call and its result depend only on the path and the slot values.
 *
 * <p>The call carries the tool's arguments, in declared order, with the values of their slots. The result is compact
 * JSON: {@code {"status": <outcome of the edge the path takes>, <returned slot>: <value>, ...}}.
 */
public final class ToolTurns {
  /** The outcome of a tool edge that names none. */
  public static final String DEFAULT_OUTCOME = "success";

  private static final ObjectMapper JSON = new ObjectMapper();

  private ToolTurns() {}

  /**
   * The tool turn of {@code node}, taking {@code taken}, with the returned slots that {@code reveal} accepts (a teacher
   * may hold back a booking reference on a failed call, say).
   */
  public static Turn of(Scenario scenario, Node node, Edge taken, Predicate<String> reveal) throws TeacherException {
    return of(scenario, scenario.slots(), node, taken, reveal);
  }

  /**
   * The tool turn of {@code node} with the slots' values {@code values} (those in effect at the turn's step of a
   * scenario that refines), taking {@code taken}, with the returned slots that {@code reveal} accepts.
   */
  public static Turn of(Scenario scenario, Map<String, String> values, Node node, Edge taken,
      Predicate<String> reveal) throws TeacherException {
    if (node.tool() == null) {
      throw new TeacherException("Cannot write scenario " + scenario.scenarioId() + ": tool node '" + node.id()
          + "' declares no tool", false);
    }
    Map<String, String> arguments = new LinkedHashMap<>();
    for (Map.Entry<String, String> argument : node.tool().arguments().entrySet()) {
      String value = values.get(argument.getValue());
      if (value == null) {
        throw new TeacherException("Cannot call tool " + node.tool().name() + " at node '" + node.id()
            + "': slot '" + argument.getValue() + "' has no value in scenario " + scenario.scenarioId(), false);
      }
      arguments.put(argument.getKey(), value);
    }
    Map<String, String> result = new LinkedHashMap<>();
    result.put("status", outcome(taken));
    for (String slot : node.tool().returns()) {
      String value = values.get(slot);
      if (value != null && reveal.test(slot)) {
        result.put(slot, value);
      }
    }
    try {
      return Turn.tool(node.id(), new ToolInvocation(node.tool().name(), arguments), JSON.writeValueAsString(result));
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("Cannot serialise a JSON object of strings", e);
    }
  }

  /** The outcome a path takes out of a tool node. */
  public static String outcome(Edge taken) {
    return taken == null || taken.outcome() == null ? DEFAULT_OUTCOME : taken.outcome();
  }
}

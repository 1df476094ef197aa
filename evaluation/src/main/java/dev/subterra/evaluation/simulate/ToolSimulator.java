package dev.subterra.evaluation.simulate;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.subterra.synthesis.Route;
import dev.subterra.synthesis.Scenario;
import dev.subterra.synthesis.TeacherException;
import dev.subterra.synthesis.ToolInvocation;
import dev.subterra.synthesis.Turn;
import dev.subterra.synthesis.template.TemplateTeacher;
import dev.subterra.workflow.NodeKind;
import dev.subterra.workflow.Workflow;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * The systems an agent calls, simulated from a scenario: deterministic, and as unforgiving as real ones.
 *
 * <p>A call is judged against the call the scenario's path makes next: the first tool step at or after the current
 * step. When the tool's name and arguments are exactly that call's (argument order aside), the result is the one the
 * path expects, written as the template teacher writes it (see {@code ToolTurns}: the path's outcome as
 * {@code status}, and the returned slots). Anything else gets a different result, as in life:
 *
 * <ul>
 *   <li>a tool of the workflow with other arguments, or at a point where the path makes no further call:
 *       {@value #NO_MATCH};
 *   <li>a tool the workflow does not have: {@code {"status":"error","message":"unknown tool: <name>"}}.
 * </ul>
 */
public final class ToolSimulator {
  /** The result of a call to a known tool with arguments that match nothing. */
  public static final String NO_MATCH = "{\"status\":\"not_found\",\"message\":\"no matching record\"}";

  private static final ObjectMapper JSON = new ObjectMapper();

  private final Workflow workflow;
  private final Scenario scenario;
  private final Route route;

  /** The tools of one scenario of a validated workflow. */
  public ToolSimulator(Workflow workflow, Scenario scenario) {
    this.workflow = workflow;
    this.scenario = scenario;
    this.route = Route.of(workflow, scenario.nodes());
  }

  /** The tool turn the path expects at this step, if the step is a tool step whose arguments all have values. */
  public Optional<Turn> expected(int step) {
    if (step < 0 || step >= route.size() || route.node(step).kind() != NodeKind.TOOL) {
      return Optional.empty();
    }
    try {
      return Optional.of(TemplateTeacher.toolTurn(scenario, route, step));
    } catch (TeacherException e) {
      return Optional.empty();
    }
  }

  /** Runs a call the agent made at step {@code step} of the path. */
  public ToolResult execute(ToolInvocation call, int step) {
    for (int j = Math.max(step, 0); j < route.size(); j++) {
      if (route.node(j).kind() == NodeKind.TOOL) {
        Optional<Turn> next = expected(j);
        if (next.isPresent() && sameCall(next.get().call(), call)) {
          return new ToolResult(next.get().result(), true);
        }
        break;
      }
    }
    boolean known = workflow.nodes().stream()
        .anyMatch(n -> n.tool() != null && n.tool().name().equals(call.name()));
    if (known) {
      return new ToolResult(NO_MATCH, false);
    }
    Map<String, String> error = new LinkedHashMap<>();
    error.put("status", "error");
    error.put("message", "unknown tool: " + call.name());
    try {
      return new ToolResult(JSON.writeValueAsString(error), false);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("Cannot serialise a JSON object of strings", e);
    }
  }

  /** Whether two calls name the same tool with the same arguments; argument order does not change what a call asks. */
  public static boolean sameCall(ToolInvocation expected, ToolInvocation actual) {
    return expected != null && actual != null && expected.name().equals(actual.name())
        && expected.arguments().equals(actual.arguments());
  }
}

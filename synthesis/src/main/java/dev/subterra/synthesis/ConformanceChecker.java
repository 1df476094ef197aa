package dev.subterra.synthesis;

import dev.subterra.workflow.Fact;
import dev.subterra.workflow.Node;
import dev.subterra.workflow.NodeKind;
import dev.subterra.workflow.Workflow;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Checks a dialogue against the scenario it was written for: the quality gate between any teacher and the training
 * data. A dialogue conforms when
 *
 * <ul>
 *   <li>it belongs to the scenario (scenario, path and workflow ids agree) and the path ends at a terminal;
 *   <li>its turns, read as (role, node) pairs, are the path's agent, user and tool nodes in order, each with the role
 *       its node's kind implies, once digressions are set aside;
 *   <li>every tool turn calls its node's tool with exactly the scenario's values at its step (a refinement changes
 *       some) for the declared arguments, in declared order, and has a result;
 *   <li>every agent turn at a node that cites facts states each fact's {@link Fact#statement()} (case aside);
 *   <li>no user or agent turn is blank.
 * </ul>
 *
 * <p>A customer may write first, before the agent's turn at the start node ({@code Hi, can you help me?}): an opening
 * user turn carries the start node's id.
 *
 * <p>A digression is a user turn followed by an agent turn that both carry the id of the user node the conversation
 * is waiting at: an agent turn never executes a user node otherwise, so the pair is unambiguous, even on paths that
 * repeat nodes. It must come right before that user node's own turn.
 */
public final class ConformanceChecker {

  /** Checks one dialogue; never throws for a bad dialogue, only reports it. */
  public ConformanceResult check(Workflow workflow, Scenario scenario, Dialogue dialogue) {
    List<String> reasons = new ArrayList<>();
    if (!scenario.scenarioId().equals(dialogue.scenarioId())) {
      reasons.add("Invalid scenario id: " + dialogue.scenarioId() + " (expected " + scenario.scenarioId() + ")");
    }
    if (!scenario.pathId().equals(dialogue.pathId())) {
      reasons.add("Invalid path id: " + dialogue.pathId() + " (expected " + scenario.pathId() + ")");
    }
    if (!workflow.id().equals(dialogue.workflowId())) {
      reasons.add("Invalid workflow id: " + dialogue.workflowId() + " (expected " + workflow.id() + ")");
    }
    Route route;
    try {
      route = Route.of(workflow, scenario.nodes());
    } catch (IllegalArgumentException e) {
      reasons.add(e.getMessage());
      return new ConformanceResult(dialogue.dialogueId(), reasons);
    }
    if (!route.node(route.size() - 1).isTerminal()) {
      reasons.add("Invalid path end: '" + route.node(route.size() - 1).id() + "' is not a terminal");
    }
    List<Node> expected = new ArrayList<>();
    List<Integer> steps = new ArrayList<>();
    for (int i = 0; i < route.size(); i++) {
      if (route.isTurn(i)) {
        expected.add(route.node(i));
        steps.add(i);
      }
    }
    List<Turn> turns = dialogue.turns();
    int e = 0;
    for (int t = 0; t < turns.size(); t++) {
      Turn turn = turns.get(t);
      String where = "turn " + t;
      if (turn == null || turn.role() == null) {
        reasons.add("Invalid " + where + ": it has no role");
        continue;
      }
      if (t == 0 && turn.role() == Role.USER && !expected.isEmpty() && expected.get(0).kind() == NodeKind.AGENT
          && expected.get(0).id().equals(turn.nodeId()) && route.node(0) == expected.get(0)) {
        checkText(turn, where, reasons);
        continue;
      }
      if (isDigression(workflow, turns, t)) {
        Node waitingAt = e < expected.size() ? expected.get(e) : null;
        if (waitingAt == null || !waitingAt.id().equals(turn.nodeId())) {
          reasons.add("Invalid " + where + ": a digression at node '" + turn.nodeId()
              + "' must come right before that node's user turn");
        }
        checkText(turns.get(t), where, reasons);
        checkText(turns.get(t + 1), "turn " + (t + 1), reasons);
        t++;
        continue;
      }
      if (e >= expected.size()) {
        reasons.add("Invalid " + where + ": " + describe(turn) + " comes after the path's last turn");
        continue;
      }
      Node node = expected.get(e);
      Role role = roleOf(node.kind());
      if (turn.role() != role || !node.id().equals(turn.nodeId())) {
        reasons.add("Invalid " + where + ": expected " + role.wireName() + " at node '" + node.id() + "', got "
            + describe(turn));
        // Resynchronising is guesswork; one mismatch already rejects the dialogue.
        return new ConformanceResult(dialogue.dialogueId(), reasons);
      }
      e++;
      switch (role) {
        case TOOL -> checkTool(node, scenario.slotsAt(steps.get(e - 1)), turn, where, reasons);
        case AGENT -> {
          checkText(turn, where, reasons);
          checkCitations(workflow, node, turn, where, reasons);
        }
        default -> checkText(turn, where, reasons);
      }
    }
    if (e < expected.size()) {
      Node missing = expected.get(e);
      reasons.add("Invalid dialogue: it ends before the " + roleOf(missing.kind()).wireName() + " turn at node '"
          + missing.id() + "' (" + (expected.size() - e) + " path turns missing)");
    }
    return new ConformanceResult(dialogue.dialogueId(), reasons);
  }

  private static boolean isDigression(Workflow workflow, List<Turn> turns, int t) {
    if (t + 1 >= turns.size()) {
      return false;
    }
    Turn user = turns.get(t);
    Turn agent = turns.get(t + 1);
    if (user.role() != Role.USER || agent == null || agent.role() != Role.AGENT || user.nodeId() == null
        || !user.nodeId().equals(agent.nodeId())) {
      return false;
    }
    return workflow.node(agent.nodeId()).map(n -> n.kind() == NodeKind.USER).orElse(false);
  }

  private static void checkTool(Node node, Map<String, String> values, Turn turn, String where,
      List<String> reasons) {
    ToolInvocation call = turn.call();
    if (call == null) {
      reasons.add("Invalid " + where + ": the tool turn at node '" + node.id() + "' has no call");
      return;
    }
    String tool = node.tool() == null ? null : node.tool().name();
    if (tool == null || !tool.equals(call.name())) {
      reasons.add("Invalid " + where + ": called tool " + call.name() + " (expected " + tool + ")");
      return;
    }
    Map<String, String> wanted = new LinkedHashMap<>();
    node.tool().arguments().forEach((argument, slot) -> wanted.put(argument, values.get(slot)));
    if (!new ArrayList<>(wanted.entrySet()).equals(new ArrayList<>(call.arguments().entrySet()))) {
      reasons.add("Invalid " + where + ": " + call.name() + " arguments " + call.arguments() + " (expected "
          + wanted + ")");
    }
    if (turn.result() == null || turn.result().isBlank()) {
      reasons.add("Invalid " + where + ": the call to " + call.name() + " has no result");
    }
  }

  private static void checkCitations(Workflow workflow, Node node, Turn turn, String where, List<String> reasons) {
    String text = turn.text() == null ? "" : turn.text().toLowerCase(Locale.ROOT);
    for (String factId : node.cites()) {
      Fact fact = workflow.knowledge().stream().filter(f -> factId.equals(f.id())).findFirst().orElse(null);
      if (fact == null || fact.statement() == null) {
        reasons.add("Invalid citation at node '" + node.id() + "': no fact '" + factId + "' with a statement");
      } else if (!text.contains(fact.statement().toLowerCase(Locale.ROOT))) {
        reasons.add("Invalid " + where + ": the agent at node '" + node.id() + "' does not state fact '" + factId
            + "' (" + fact.statement() + ")");
      }
    }
  }

  private static void checkText(Turn turn, String where, List<String> reasons) {
    if (turn.text() == null || turn.text().isBlank()) {
      reasons.add("Invalid " + where + ": the " + turn.role().wireName() + " turn at node '" + turn.nodeId()
          + "' has no text");
    }
  }

  private static Role roleOf(NodeKind kind) {
    return switch (kind) {
      case USER -> Role.USER;
      case TOOL -> Role.TOOL;
      default -> Role.AGENT;
    };
  }

  private static String describe(Turn turn) {
    return turn.role().wireName() + " at node '" + turn.nodeId() + "'";
  }
}

package dev.subterra.evaluation.cost;

import dev.subterra.workflow.Edge;
import dev.subterra.workflow.Fact;
import dev.subterra.workflow.Node;
import dev.subterra.workflow.Slot;
import dev.subterra.workflow.ToolCall;
import dev.subterra.workflow.Workflow;
import java.util.List;
import java.util.Map;

/**
 * A workflow rendered as the system prompt of a frontier model that follows it in context: what the in-context
 * baseline re-sends on every agent turn, and, cut to one node or one hub, what an orchestrator sends.
 *
 * <p>The whole procedure ({@link #render}) lists the role, the slots, the knowledge base, then every node with its
 * kind, instruction, templates, cited facts, tool call and edges, each edge with its condition, outcome or guard. That
 * is what a frontier model needs in its prompt to do what the student does from its weights; nothing is abridged, so
 * the baseline's cost is not understated. The per-node prompt ({@link #node}) keeps the role, the slots, one node and
 * the facts it cites; the routing prompt ({@link #routing}) asks which edge of a hub to take.
 */
public final class ProcedurePrompt {
  private ProcedurePrompt() {}

  /** The whole procedure as a system prompt. */
  public static String render(Workflow workflow) {
    StringBuilder b = new StringBuilder();
    role(workflow, b);
    b.append("Follow the procedure below exactly. Start at node '").append(workflow.start())
        .append("'. At each turn, say which node you are executing, then act as it says: speak at an agent node, ")
        .append("call the tool at a tool node, and at a decision take the edge whose condition holds.\n");
    slots(workflow, b);
    knowledge(workflow.knowledge(), b);
    b.append("\nNodes:\n");
    for (Node node : workflow.nodes()) {
      node(node, b);
    }
    return b.toString();
  }

  /** The prompt an orchestrator sends for one node: the role, the slots, the node and the facts it cites. */
  public static String node(Workflow workflow, Node node) {
    StringBuilder b = new StringBuilder();
    role(workflow, b);
    b.append("You are at step '").append(node.id()).append("' of the procedure. Do what this step says.\n");
    slots(workflow, b);
    knowledge(workflow.knowledge().stream().filter(f -> node.cites().contains(f.id())).toList(), b);
    b.append('\n');
    node(node, b);
    return b.toString();
  }

  /** The prompt an orchestrator sends to choose an edge at a hub: the hub and its options. */
  public static String routing(Workflow workflow, Node hub) {
    StringBuilder b = new StringBuilder();
    b.append("You route the conversation of '").append(workflow.displayName())
        .append("'. Read the conversation and answer with the number of the option whose condition holds.\n");
    if (hub.description() != null) {
      b.append("Step '").append(hub.id()).append("': ").append(hub.description()).append('\n');
    }
    int i = 1;
    for (Edge edge : hub.next()) {
      b.append(i++).append(". go to '").append(edge.to()).append("' if ").append(edge.label()).append('\n');
    }
    return b.toString();
  }

  private static void role(Workflow workflow, StringBuilder b) {
    b.append("You are the agent of '").append(workflow.displayName()).append("'.");
    if (workflow.description() != null) {
      b.append(' ').append(workflow.description().strip());
    }
    b.append('\n');
  }

  private static void slots(Workflow workflow, StringBuilder b) {
    if (workflow.slots().isEmpty()) {
      return;
    }
    b.append("\nValues to collect or use:\n");
    for (Map.Entry<String, Slot> slot : workflow.slots().entrySet()) {
      b.append("- ").append(slot.getKey()).append(" (").append(slot.getValue().type().wireName()).append(')');
      if (slot.getValue().description() != null) {
        b.append(": ").append(slot.getValue().description());
      }
      b.append('\n');
    }
  }

  private static void knowledge(List<Fact> facts, StringBuilder b) {
    if (facts.isEmpty()) {
      return;
    }
    b.append("\nKnowledge base (state these exactly when a step cites them):\n");
    for (Fact fact : facts) {
      b.append("- [").append(fact.id()).append("] ");
      if (fact.question() != null) {
        b.append(fact.question()).append(' ').append(fact.answer());
      } else {
        b.append(fact.key() != null ? fact.key() : fact.id()).append(": ").append(fact.value());
      }
      b.append('\n');
    }
  }

  private static void node(Node node, StringBuilder b) {
    b.append("- ").append(node.id()).append(" (").append(node.kind().wireName()).append(")");
    if (node.outcome() != null) {
      b.append(", ends the conversation with outcome ").append(node.outcome().wireName());
    }
    b.append('\n');
    if (node.prompt() != null) {
      b.append("  Instruction: ").append(node.prompt().strip()).append('\n');
    }
    if (node.description() != null) {
      b.append("  About: ").append(node.description().strip()).append('\n');
    }
    for (String template : node.templates()) {
      b.append("  Say, for example: ").append(template).append('\n');
    }
    if (!node.cites().isEmpty()) {
      b.append("  Cite: ").append(String.join(", ", node.cites())).append('\n');
    }
    ToolCall tool = node.tool();
    if (tool != null) {
      b.append("  Call ").append(tool.name()).append('(');
      int i = 0;
      for (Map.Entry<String, String> arg : tool.arguments().entrySet()) {
        b.append(i++ > 0 ? ", " : "").append(arg.getKey()).append('=').append('{').append(arg.getValue()).append('}');
      }
      b.append(')');
      if (!tool.returns().isEmpty()) {
        b.append(", which returns ").append(String.join(", ", tool.returns()));
      }
      b.append('\n');
    }
    for (Edge edge : node.next()) {
      b.append("  -> ").append(edge.to());
      if (edge.when() != null) {
        b.append(" when ").append(edge.when());
      }
      if (edge.outcome() != null) {
        b.append(" on outcome ").append(edge.outcome());
      }
      if (edge.guard() != null) {
        b.append(" [").append(edge.guard()).append(']');
      }
      b.append('\n');
    }
  }
}

package dev.subterra.workflow.render;

import dev.subterra.workflow.Edge;
import dev.subterra.workflow.Node;
import dev.subterra.workflow.NodeKind;
import dev.subterra.workflow.Workflow;
import java.util.HashSet;
import java.util.Set;

/**
 * Renders a workflow as a Graphviz digraph ({@code dot -Tsvg}).
 *
 * <p>Shapes: agent turns are boxes, user turns rounded boxes, decisions diamonds, tool calls components, terminals
 * double circles, and the start node is drawn bold. Edges carry {@link Edge#label()}. Node ids and labels are DOT
 * quoted strings with quotes and backslashes escaped, so any id or condition text is safe.
 */
public final class DotRenderer {

  private DotRenderer() {}

  /** The DOT source of a workflow, ending with a newline. */
  public static String render(Workflow workflow) {
    StringBuilder out = new StringBuilder();
    out.append("digraph ").append(quote(String.valueOf(workflow.id()))).append(" {\n");
    out.append("  rankdir=TB;\n");
    out.append("  node [fontname=\"Helvetica\"];\n");
    out.append("  edge [fontname=\"Helvetica\", fontsize=10];\n");
    Set<String> ids = new HashSet<>();
    for (Node node : workflow.nodes()) {
      if (node.id() == null || !ids.add(node.id())) {
        continue; // a missing or duplicate id: validation reports it, a drawing cannot show two nodes as one
      }
      out.append("  ").append(quote(node.id())).append(" [label=").append(quote(label(node))).append(", ")
          .append(shape(node));
      if (node.id().equals(workflow.start())) {
        out.append(", penwidth=2");
      }
      out.append("];\n");
    }
    for (Node node : workflow.nodes()) {
      for (Edge edge : node.next()) {
        if (node.id() == null || edge.to() == null || !ids.contains(edge.to())) {
          continue;
        }
        out.append("  ").append(quote(node.id())).append(" -> ").append(quote(edge.to()));
        String label = Labels.shorten(edge.label(), Labels.MAX_EDGE_LABEL);
        if (!label.isEmpty()) {
          out.append(" [label=").append(quote(label)).append(']');
        }
        out.append(";\n");
      }
    }
    return out.append("}\n").toString();
  }

  /** The node id, and on a second line the tool a tool node calls or the outcome of a terminal. */
  private static String label(Node node) {
    String id = Labels.shorten(node.id(), Labels.MAX_NODE_LABEL);
    String detail = null;
    if (node.kind() == NodeKind.TOOL && node.tool() != null && node.tool().name() != null) {
      detail = node.tool().name() + "()";
    } else if (node.kind() == NodeKind.TERMINAL && node.outcome() != null) {
      detail = node.outcome().wireName();
    }
    return detail == null ? id : id + "\n" + Labels.shorten(detail, Labels.MAX_NODE_LABEL);
  }

  private static String shape(Node node) {
    if (node.kind() == null) {
      return "shape=box";
    }
    return switch (node.kind()) {
      case AGENT -> "shape=box";
      case USER -> "shape=box, style=rounded";
      case DECISION -> "shape=diamond";
      case TOOL -> "shape=component";
      case TERMINAL -> "shape=doublecircle";
    };
  }

  /**
   * A DOT quoted string. Inside one only {@code "} and {@code \} need escaping; a backslash is doubled so that text
   * such as {@code C:\new} is not read as DOT's own escapes ({@code \n}, {@code \l}, {@code \N}). Line breaks become
   * {@code \n}, the escape Graphviz reads as a centred line break.
   */
  static String quote(String text) {
    StringBuilder out = new StringBuilder("\"");
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      switch (c) {
        case '"' -> out.append("\\\"");
        case '\\' -> out.append("\\\\");
        case '\n' -> out.append("\\n");
        case '\r' -> { }
        default -> out.append(c);
      }
    }
    return out.append('"').toString();
  }
}

package dev.subterra.workflow.render;

import dev.subterra.workflow.Edge;
import dev.subterra.workflow.Node;
import dev.subterra.workflow.Workflow;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Renders a workflow as a Mermaid flowchart ({@code flowchart TD}), for Markdown files and pull requests.
 *
 * <p>Shapes: agent turns are rectangles, user turns stadiums, decisions rhombi, tool calls subroutines, terminals
 * double circles. Edges carry {@link Edge#label()}. Mermaid ids are generated ({@code n0}, {@code n1}, ...) because
 * workflow ids may contain {@code -} and {@code .} or be Mermaid keywords such as {@code end}; the workflow id is
 * shown in the label. Every label is quoted, with the characters Mermaid gives meaning to written as entities.
 */
public final class MermaidRenderer {

  private MermaidRenderer() {}

  /** The Mermaid source of a workflow, ending with a newline. */
  public static String render(Workflow workflow) {
    List<Node> nodes = workflow.nodes();
    Map<String, String> ids = new HashMap<>();
    for (int i = 0; i < nodes.size(); i++) {
      ids.putIfAbsent(nodes.get(i).id(), "n" + i);
    }
    StringBuilder out = new StringBuilder("flowchart TD\n");
    for (int i = 0; i < nodes.size(); i++) {
      Node node = nodes.get(i);
      String label = quote(Labels.shorten(label(node), Labels.MAX_NODE_LABEL));
      out.append("  n").append(i).append(shape(node, label)).append('\n');
    }
    for (int i = 0; i < nodes.size(); i++) {
      for (Edge edge : nodes.get(i).next()) {
        String target = ids.get(edge.to());
        if (target == null) {
          continue; // an edge to a missing node: validation reports it, a drawing cannot show it
        }
        out.append("  n").append(i);
        String label = Labels.shorten(edge.label(), Labels.MAX_EDGE_LABEL);
        out.append(label.isEmpty() ? " --> " : " -->|" + quote(label) + "| ");
        out.append(target).append('\n');
      }
    }
    return out.toString();
  }

  private static String label(Node node) {
    String id = String.valueOf(node.id());
    if (node.kind() == null) {
      return id;
    }
    return switch (node.kind()) {
      case TOOL -> node.tool() != null && node.tool().name() != null ? id + ": " + node.tool().name() + "()" : id;
      case TERMINAL -> node.outcome() != null ? id + " (" + node.outcome().wireName() + ")" : id;
      default -> id;
    };
  }

  private static String shape(Node node, String label) {
    if (node.kind() == null) {
      return "[" + label + "]";
    }
    return switch (node.kind()) {
      case AGENT -> "[" + label + "]";
      case USER -> "([" + label + "])";
      case DECISION -> "{" + label + "}";
      case TOOL -> "[[" + label + "]]";
      case TERMINAL -> "(((" + label + ")))";
    };
  }

  /**
   * A quoted Mermaid string. Mermaid has no backslash escapes; it reads {@code #name;} and {@code #code;} as
   * entities, so quotes, {@code #} itself, angle brackets (read as HTML), pipes (which end edge labels) and backticks
   * (which start Markdown strings) are written that way.
   */
  static String quote(String text) {
    StringBuilder out = new StringBuilder("\"");
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      switch (c) {
        case '"' -> out.append("#quot;");
        case '#' -> out.append("#35;");
        case '<' -> out.append("#lt;");
        case '>' -> out.append("#gt;");
        case '&' -> out.append("#amp;");
        case '|' -> out.append("#124;");
        case '`' -> out.append("#96;");
        default -> out.append(c);
      }
    }
    return out.append('"').toString();
  }
}

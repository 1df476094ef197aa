package dev.subterra.evaluation.star;

import dev.subterra.synthesis.Role;
import dev.subterra.synthesis.Turn;
import dev.subterra.workflow.Edge;
import dev.subterra.workflow.Node;
import dev.subterra.workflow.NodeKind;
import dev.subterra.workflow.Workflow;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Follows the schema graph from the previous wizard action: the action the schema names after the user's first
 * answer to it, or after the knowledge base's result to a query. The heuristic STAR's papers compare against.
 *
 * <p>From the last tagged wizard turn of the history (none: the schema's start, {@code user_hello}): after a query,
 * the edge whose outcome is the result's {@code status} (else the query's first); after a wizard action, its first
 * edge to a user intent, then that intent's next action. Where this finds no wizard action or query (the previous one
 * ends the schema, or is not in it), the fallback label.
 */
public final class SchemaFollowingBaseline implements NextActionPredictor {
  private static final Pattern STATUS = Pattern.compile("\"status\"\\s*:\\s*\"([^\"]*)\"");

  private final Workflow workflow;
  private final String fallback;

  public SchemaFollowingBaseline(Workflow workflow, String fallback) {
    this.workflow = workflow;
    this.fallback = fallback;
  }

  @Override
  public String name() {
    return "schema";
  }

  @Override
  public List<String> predict(List<WizardTurn> turns) {
    List<String> out = new ArrayList<>();
    for (WizardTurn turn : turns) {
      out.add(next(turn.history()).orElse(fallback));
    }
    return out;
  }

  /** The schema's next wizard action or query after this history. */
  public Optional<String> next(List<Turn> history) {
    Turn previous = null;
    for (int i = history.size() - 1; i >= 0 && previous == null; i--) {
      Turn t = history.get(i);
      if (t.role() != Role.USER && t.nodeId() != null) {
        previous = t;
      }
    }
    if (previous == null) {
      return afterIntent(workflow.start());
    }
    Optional<Node> node = workflow.node(previous.nodeId());
    if (node.isEmpty() || node.get().next().isEmpty()) {
      return Optional.empty();
    }
    if (node.get().kind() == NodeKind.TOOL) {
      String status = null;
      if (previous.result() != null) {
        Matcher m = STATUS.matcher(previous.result());
        status = m.find() ? m.group(1) : null;
      }
      String target = node.get().next().get(0).to();
      for (Edge edge : node.get().next()) {
        if (edge.outcome() != null && edge.outcome().equals(status)) {
          target = edge.to();
        }
      }
      return wizardAction(target);
    }
    String answer = node.get().next().get(0).to();
    Optional<Node> intent = workflow.node(answer);
    if (intent.isPresent() && intent.get().kind() == NodeKind.USER) {
      return afterIntent(answer);
    }
    return wizardAction(answer);
  }

  private Optional<String> afterIntent(String intent) {
    Optional<Node> node = workflow.node(intent);
    if (node.isEmpty() || node.get().next().isEmpty()) {
      return Optional.empty();
    }
    return wizardAction(node.get().next().get(0).to());
  }

  private Optional<String> wizardAction(String id) {
    return workflow.node(id).filter(n -> n.kind() == NodeKind.AGENT || n.kind() == NodeKind.TOOL).map(Node::id);
  }
}

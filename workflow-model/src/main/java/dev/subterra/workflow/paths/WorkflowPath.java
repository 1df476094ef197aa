package dev.subterra.workflow.paths;

import java.util.List;

/**
 * One route from the start to a terminal.
 *
 * <p>{@code id} is stable: a hash of the workflow's content hash and the node sequence, so the same workflow gives the
 * same ids on every run and machine, and a changed workflow gives new ones. {@code choices} lists the edge taken at
 * every node that offers more than one.
 */
public record WorkflowPath(String id, List<String> nodes, List<HubChoice> choices) {
  public WorkflowPath {
    nodes = List.copyOf(nodes);
    choices = List.copyOf(choices);
  }

  /** The number of nodes, terminal included. */
  public int length() {
    return nodes.size();
  }

  /** The terminal the path ends at. */
  public String terminal() {
    return nodes.get(nodes.size() - 1);
  }
}

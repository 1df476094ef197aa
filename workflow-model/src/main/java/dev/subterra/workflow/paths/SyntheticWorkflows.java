package dev.subterra.workflow.paths;

import dev.subterra.workflow.Edge;
import dev.subterra.workflow.Node;
import dev.subterra.workflow.TerminalOutcome;
import dev.subterra.workflow.Workflow;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Generated workflows of a chosen size, for benchmarks and tests: their path counts are known in closed form.
 */
public final class SyntheticWorkflows {
  private SyntheticWorkflows() {}

  /**
   * A ladder: {@code hubs} decisions in a row, each offering {@code width} options, each option a chain of
   * {@code chain} agent turns that leads to the next hub. It has {@code hubs * (width * chain + 1) + 1} nodes and,
   * without loops, {@code width^hubs} paths. With {@code loopBack}, the last option of every hub but the first leads back
   * to the previous hub instead, which the loop bound has to unroll.
   */
  public static Workflow ladder(int hubs, int width, int chain, boolean loopBack) {
    List<Node> nodes = new ArrayList<>();
    for (int h = 0; h < hubs; h++) {
      String onward = h + 1 < hubs ? "hub" + (h + 1) : "done";
      List<Edge> options = new ArrayList<>();
      for (int w = 0; w < width; w++) {
        options.add(Edge.when("step" + h + "_" + w + "_0", "the user picks option " + w));
        String exit = loopBack && h > 0 && w == width - 1 ? "hub" + (h - 1) : onward;
        for (int c = 0; c < chain; c++) {
          String next = c + 1 < chain ? "step" + h + "_" + w + "_" + (c + 1) : exit;
          nodes.add(Node.agent("step" + h + "_" + w + "_" + c, "Carry out step " + c + " of option " + w, List.of(),
              List.of(Edge.to(next))));
        }
      }
      nodes.add(Node.decision("hub" + h, null, options));
    }
    nodes.add(Node.terminal("done", TerminalOutcome.SUCCESS));
    String id = "ladder-" + hubs + "x" + width + "x" + chain + (loopBack ? "-loops" : "");
    return new Workflow(id, null, "A generated ladder workflow.", "hub0", List.of(), Map.of(), List.of(), nodes);
  }
}

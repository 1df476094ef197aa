package dev.subterra.workflow.render;

import static org.assertj.core.api.Assertions.assertThat;

import dev.subterra.workflow.Edge;
import dev.subterra.workflow.Node;
import dev.subterra.workflow.TerminalOutcome;
import dev.subterra.workflow.ToolCall;
import dev.subterra.workflow.Workflow;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class MermaidRendererTest {

  /** One node of each kind; an id that is a Mermaid keyword; labels with every character Mermaid reads. */
  static Workflow sample() {
    return new Workflow("render-demo", null, null, "greet", List.of(), Map.of(), List.of(), List.of(
        Node.agent("greet", "Greet.", List.of(), List.of(Edge.to("ask"))),
        Node.user("ask", "Ask.", List.of(), List.of(Edge.to("route"))),
        Node.decision("route", null, List.of(
            Edge.when("lookup", "the user says \"book <now>\" | #1 & `fast`"),
            Edge.when("end", "the user has asked for something this workflow cannot do at all"))),
        Node.tool("lookup", null, new ToolCall("find_flight", Map.of(), List.of()), List.of(
            Edge.onOutcome("end", "success"), Edge.onOutcome("ask", "not_found"))),
        Node.terminal("end", TerminalOutcome.SUCCESS)));
  }

  @Test
  void rendersEachKindWithItsShape() {
    String mermaid = MermaidRenderer.render(sample());

    assertThat(mermaid).startsWith("flowchart TD\n").endsWith("\n");
    assertThat(mermaid.lines()).contains(
        "  n0[\"greet\"]",
        "  n1([\"ask\"])",
        "  n2{\"route\"}",
        "  n3[[\"lookup: find_flight()\"]]",
        "  n4(((\"end (success)\")))");
  }

  @Test
  void rendersEdgesWithTheirLabels() {
    String mermaid = MermaidRenderer.render(sample());

    assertThat(mermaid.lines()).contains(
        "  n0 --> n1",
        "  n1 --> n2",
        "  n3 -->|\"success\"| n4",
        "  n3 -->|\"not_found\"| n1");
  }

  @Test
  void escapesCharactersMermaidWouldReadAndNeverUsesWorkflowIdsAsMermaidIds() {
    String mermaid = MermaidRenderer.render(sample());

    assertThat(mermaid.lines()).contains(
        "  n2 -->|\"the user says #quot;book #lt;now#gt;#quot; #124; #35;1 #amp; #96;fast#96;\"| n3");
    // "end" closes a Mermaid subgraph; as a node id it would break the chart.
    assertThat(mermaid).doesNotContain(" end ").doesNotContain("-->|\"success\"| end");
  }

  @Test
  void cutsLongLabelsAtAWord() {
    String mermaid = MermaidRenderer.render(sample());

    assertThat(mermaid.lines()).contains("  n2 -->|\"the user has asked for something this…\"| n4");
  }

  @Test
  void quoteLeavesPlainTextAlone() {
    assertThat(MermaidRenderer.quote("a [b] (c) {d}")).isEqualTo("\"a [b] (c) {d}\"");
  }
}

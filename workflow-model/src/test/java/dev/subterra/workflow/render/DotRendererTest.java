package dev.subterra.workflow.render;

import static org.assertj.core.api.Assertions.assertThat;

import dev.subterra.workflow.Edge;
import dev.subterra.workflow.Node;
import dev.subterra.workflow.TerminalOutcome;
import dev.subterra.workflow.Workflow;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class DotRendererTest {

  @Test
  void rendersEachKindWithItsShapeAndTheStartInBold() {
    String dot = DotRenderer.render(MermaidRendererTest.sample());

    assertThat(dot).startsWith("digraph \"render-demo\" {\n").endsWith("}\n");
    assertThat(dot.lines()).contains(
        "  \"greet\" [label=\"greet\", shape=box, penwidth=2];",
        "  \"ask\" [label=\"ask\", shape=box, style=rounded];",
        "  \"route\" [label=\"route\", shape=diamond];",
        "  \"lookup\" [label=\"lookup\\nfind_flight()\", shape=component];",
        "  \"end\" [label=\"end\\nsuccess\", shape=doublecircle];");
  }

  @Test
  void rendersEdgesWithTheirLabels() {
    String dot = DotRenderer.render(MermaidRendererTest.sample());

    assertThat(dot.lines()).contains(
        "  \"greet\" -> \"ask\";",
        "  \"lookup\" -> \"end\" [label=\"success\"];",
        "  \"lookup\" -> \"ask\" [label=\"not_found\"];",
        "  \"route\" -> \"end\" [label=\"the user has asked for something this…\"];");
  }

  @Test
  void escapesQuotesAndBackslashesInIdsAndLabels() {
    Workflow workflow = new Workflow("q\"uote", null, null, "a\"b", List.of(), Map.of(), List.of(), List.of(
        Node.agent("a\"b", "Go.", List.of(), List.of(Edge.when("c\\d", "path is C:\\new \"quoted\"\nnext line"),
            Edge.to("c\\d"))),
        Node.terminal("c\\d", TerminalOutcome.ESCALATION)));

    String dot = DotRenderer.render(workflow);

    assertThat(dot).startsWith("digraph \"q\\\"uote\" {\n");
    assertThat(dot.lines()).contains(
        "  \"a\\\"b\" [label=\"a\\\"b\", shape=box, penwidth=2];",
        "  \"c\\\\d\" [label=\"c\\\\d\\nescalation\", shape=doublecircle];",
        "  \"a\\\"b\" -> \"c\\\\d\" [label=\"path is C:\\\\new \\\"quoted\\\" next line\"];",
        "  \"a\\\"b\" -> \"c\\\\d\";");
  }

  @Test
  void quoteEscapesOnlyWhatDotReads() {
    assertThat(DotRenderer.quote("a{b}[c]<d>;e")).isEqualTo("\"a{b}[c]<d>;e\"");
    assertThat(DotRenderer.quote("two\nlines")).isEqualTo("\"two\\nlines\"");
  }
}

package dev.subterra.evaluation.cost;

import static org.assertj.core.api.Assertions.assertThat;

import dev.subterra.evaluation.Fixtures;
import dev.subterra.workflow.Edge;
import dev.subterra.workflow.Fact;
import dev.subterra.workflow.Node;
import dev.subterra.workflow.Workflow;
import dev.subterra.workflow.WorkflowLoader;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class ProcedurePromptTest {

  static Stream<Arguments> workflows() throws Exception {
    Path root = Path.of(System.getProperty("subterra.root", ".."));
    return Stream.of(Arguments.of(Fixtures.retryLoop()), Arguments.of(Fixtures.supportDesk()),
        Arguments.of(WorkflowLoader.load(root.resolve("workflows/travel-booking.yaml"))));
  }

  @ParameterizedTest
  @MethodSource("workflows")
  void theWholeProcedureHasEveryNodeConditionOutcomeTemplateAndFact(Workflow workflow) {
    String prompt = ProcedurePrompt.render(workflow);

    for (Node node : workflow.nodes()) {
      assertThat(prompt).contains("- " + node.id() + " (" + node.kind().wireName() + ")");
      node.templates().forEach(t -> assertThat(prompt).contains(t));
      for (Edge edge : node.next()) {
        assertThat(prompt).contains("-> " + edge.to());
        if (edge.when() != null) {
          assertThat(prompt).contains(edge.when());
        }
        if (edge.outcome() != null) {
          assertThat(prompt).contains("on outcome " + edge.outcome());
        }
      }
      if (node.tool() != null) {
        assertThat(prompt).contains("Call " + node.tool().name() + "(");
      }
    }
    for (Fact fact : workflow.knowledge()) {
      assertThat(prompt).contains(fact.statement());
    }
  }

  @ParameterizedTest
  @MethodSource("workflows")
  void aNodePromptHasOnlyItsNodeAndTheFactsItCites(Workflow workflow) {
    for (Node node : workflow.nodes()) {
      String prompt = ProcedurePrompt.node(workflow, node);
      assertThat(prompt).contains("- " + node.id() + " (");
      for (Fact fact : workflow.knowledge()) {
        if (node.cites().contains(fact.id())) {
          assertThat(prompt).contains(fact.statement());
        } else {
          assertThat(prompt).doesNotContain("[" + fact.id() + "]");
        }
      }
      assertThat(prompt.length()).isLessThan(ProcedurePrompt.render(workflow).length());
    }
  }
}

package dev.subterra.workflow;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The parts of the loader that importers share: binding other record types with located problems. */
class WorkflowLoaderBindTest {
  private static final String VALID = """
      id: tiny
      start: hi
      nodes:
        - {id: hi, kind: agent, prompt: Say hi., next: bye}
        - {id: bye, kind: terminal, outcome: success}
      """;

  record Pair(String left, String right) {}

  private static byte[] utf8(String text) {
    return text.getBytes(StandardCharsets.UTF_8);
  }

  @Test
  void bindCollectsUnknownFieldsAndLocatesAnyPointer() throws Exception {
    WorkflowLoader.Located<Pair> located = WorkflowLoader.bind("pair.yaml", utf8("left: a\nmiddle: b\nright: c\n"),
        WorkflowLoader.Format.YAML, Pair.class, "a pair must be a mapping");

    assertThat(located.value()).isEqualTo(new Pair("a", "c"));
    assertThat(located.problems()).extracting(WorkflowProblem::pointer).containsExactly("/middle");
    assertThat(located.at("/right")).isEqualTo("pair.yaml:3:1: ");
    assertThat(located.at("/right/0/deeper")).isEqualTo("pair.yaml:3:1: ");
    assertThat(located.failure(List.of(new WorkflowProblem("/left", "too far left"))).problems())
        .containsExactly("pair.yaml:1:1: too far left",
            "pair.yaml:2:1: unknown field 'middle' in pair (known fields: left, right)");
  }

  @Test
  void bindRejectsADocumentThatIsNotAMappingWithTheCallersWords() {
    assertThatThrownBy(() -> WorkflowLoader.bind("pair.yaml", utf8("just text\n"), WorkflowLoader.Format.YAML,
        Pair.class, "a pair must be a mapping"))
        .isInstanceOfSatisfying(InvalidWorkflowException.class, e -> assertThat(e.problems())
            .containsExactly("pair.yaml:1:1: a pair must be a mapping, but the document is text"));
  }

  @Test
  void parseStillLoadsAValidWorkflow() throws Exception {
    Workflow workflow = WorkflowLoader.parse("tiny.yaml", utf8(VALID), WorkflowLoader.Format.YAML);

    assertThat(workflow.nodes()).extracting(Node::id).containsExactly("hi", "bye");
  }

  @Test
  void aKeyGivenTwiceIsAnErrorNotASilentOverwrite() {
    String twice = VALID.replace("start: hi\n", "start: hi\nstart: bye\n");

    assertThatThrownBy(() -> WorkflowLoader.parse("tiny.yaml", utf8(twice), WorkflowLoader.Format.YAML))
        .isInstanceOfSatisfying(InvalidWorkflowException.class, e -> assertThat(e.problems())
            .first().asString().startsWith("tiny.yaml:3:").contains("duplicate key 'start'"));
  }
}

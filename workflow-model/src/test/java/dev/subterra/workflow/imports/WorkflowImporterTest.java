package dev.subterra.workflow.imports;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.subterra.workflow.InvalidWorkflowException;
import dev.subterra.workflow.NodeKind;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class WorkflowImporterTest {
  @TempDir
  Path dir;

  @Test
  void formatsAreNamedOnTheCommandLineInAnyCase() {
    assertThat(ImportFormat.fromCliName("agent2model")).isEqualTo(ImportFormat.AGENT2MODEL);
    assertThat(ImportFormat.fromCliName(" STAR ")).isEqualTo(ImportFormat.STAR);
    assertThat(ImportFormat.STAR.cliName()).isEqualTo("star");
  }

  @Test
  void anUnknownFormatNamesTheKnownOnes() {
    assertThatThrownBy(() -> ImportFormat.fromCliName("bpmn"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("Invalid import format: bpmn (use one of agent2model, star)");
  }

  @Test
  void importsEachFormatThroughOneEntryPoint() throws Exception {
    Path flowchart = Files.writeString(dir.resolve("flow.yaml"), """
        name: tiny
        start: hi
        nodes:
          hi: {role: agent, prompt: Say hi., next: bye}
          bye: {terminal: success}
        """);
    Path schema = Files.writeString(dir.resolve("tiny.json"), """
        {"task": "tiny",
         "replies": {"user_hello": "Hi.", "hello": "Hello!", "user_bye": "Bye.", "goodbye_1": "Goodbye."},
         "graph": {"user_hello": "hello", "user_bye": "goodbye_1"},
         "r_graph": {"user_bye": "hello"}}
        """);

    assertThat(WorkflowImporter.importFile(flowchart, ImportFormat.AGENT2MODEL).workflow().count(NodeKind.AGENT))
        .isEqualTo(1);
    assertThat(WorkflowImporter.importFile(schema, ImportFormat.STAR).workflow().count(NodeKind.USER)).isEqualTo(2);
  }

  @Test
  void aMissingFileIsAOneLineProblem() {
    Path missing = dir.resolve("missing.yaml");

    assertThatThrownBy(() -> WorkflowImporter.importFile(missing, ImportFormat.AGENT2MODEL))
        .isInstanceOfSatisfying(InvalidWorkflowException.class,
            e -> assertThat(e.problems()).containsExactly(missing + ": no such file"));
  }
}

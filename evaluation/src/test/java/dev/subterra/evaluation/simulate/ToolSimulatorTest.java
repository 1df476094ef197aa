package dev.subterra.evaluation.simulate;

import static org.assertj.core.api.Assertions.assertThat;

import dev.subterra.evaluation.Fixtures;
import dev.subterra.synthesis.Scenario;
import dev.subterra.synthesis.ToolInvocation;
import dev.subterra.synthesis.Turn;
import dev.subterra.workflow.Workflow;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ToolSimulatorTest {
  private static final long SCENARIO_SEED = 5;

  /** A support-desk scenario whose path calls lookup_warranty, and the step of that call. */
  private static Object[] lookupScenario(Workflow workflow) {
    for (Scenario s : Fixtures.scenarios(workflow, Fixtures.catalog(workflow), p -> true, 1, SCENARIO_SEED)) {
      int step = s.nodes().indexOf("lookup");
      if (step >= 0) {
        return new Object[] {s, step};
      }
    }
    throw new IllegalStateException("No support-desk path looks the warranty up");
  }

  @Test
  void theExpectedCallGetsThePathsResultAndAWrongArgumentADifferentOne() throws Exception {
    Workflow workflow = Fixtures.supportDesk();
    Object[] found = lookupScenario(workflow);
    Scenario scenario = (Scenario) found[0];
    int step = (int) found[1];
    ToolSimulator tools = new ToolSimulator(workflow, scenario);
    Turn expected = tools.expected(step).orElseThrow();

    ToolResult right = tools.execute(expected.call(), step);
    Map<String, String> wrongSerial = new LinkedHashMap<>(expected.call().arguments());
    wrongSerial.put("serial_number", "SN-0000");
    ToolResult wrong = tools.execute(new ToolInvocation(expected.call().name(), wrongSerial), step);
    ToolResult unknown = tools.execute(new ToolInvocation("delete_everything", Map.of()), step);

    assertThat(right.matched()).isTrue();
    assertThat(right.result()).isEqualTo(expected.result()).startsWith("{\"status\":");
    assertThat(wrong.matched()).isFalse();
    assertThat(wrong.result()).isEqualTo(ToolSimulator.NO_MATCH).isNotEqualTo(right.result());
    assertThat(unknown.matched()).isFalse();
    assertThat(unknown.result()).isEqualTo("{\"status\":\"error\",\"message\":\"unknown tool: delete_everything\"}");
  }

  @Test
  void argumentOrderDoesNotChangeTheCallAndAnEarlyRightCallIsAnswered() throws Exception {
    Workflow workflow = Fixtures.supportDesk();
    Object[] found = lookupScenario(workflow);
    Scenario scenario = (Scenario) found[0];
    int step = (int) found[1];
    ToolSimulator tools = new ToolSimulator(workflow, scenario);
    Turn expected = tools.expected(step).orElseThrow();
    List<Map.Entry<String, String>> entries = List.copyOf(expected.call().arguments().entrySet());
    Map<String, String> reversed = new LinkedHashMap<>();
    for (int i = entries.size() - 1; i >= 0; i--) {
      reversed.put(entries.get(i).getKey(), entries.get(i).getValue());
    }

    assertThat(tools.execute(new ToolInvocation(expected.call().name(), reversed), step).result())
        .isEqualTo(expected.result());
    // Called a step early (the agent skipped its line before the lookup): the system still answers it.
    assertThat(tools.execute(expected.call(), step - 1).result()).isEqualTo(expected.result());
    assertThat(tools.expected(0)).isEmpty();
  }
}

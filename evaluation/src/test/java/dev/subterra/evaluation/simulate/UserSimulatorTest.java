package dev.subterra.evaluation.simulate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.subterra.evaluation.Fixtures;
import dev.subterra.synthesis.Scenario;
import dev.subterra.workflow.Workflow;
import org.junit.jupiter.api.Test;

class UserSimulatorTest {
  private static final long SCENARIO_SEED = 9;

  private static Scenario plainScenario(Workflow workflow) {
    return Fixtures.scenarios(workflow, Fixtures.catalog(workflow), p -> true, 4, SCENARIO_SEED).stream()
        .filter(s -> s.styles().isEmpty()).findFirst().orElseThrow();
  }

  @Test
  void answersTheAgentsQuestionAboutAValueItHolds() throws Exception {
    Workflow workflow = Fixtures.retryLoop();
    Scenario scenario = plainScenario(workflow);
    int reply = scenario.nodes().indexOf("reply");
    String order = scenario.slots().get("order");

    String asked = new UserSimulator(workflow, scenario).reply(reply, "Sorry, which order number was it?");
    String told = new UserSimulator(workflow, scenario).reply(reply, "I can refund that. The order is noted.");

    assertThat(asked).endsWith("The order is " + order + ".");
    assertThat(told).doesNotContain(order);
  }

  @Test
  void neverVolunteersAValueOnlyAToolReturns() throws Exception {
    Workflow workflow = Fixtures.retryLoop();
    Scenario scenario = plainScenario(workflow);
    int reply = scenario.nodes().indexOf("reply");

    String said = new UserSimulator(workflow, scenario).reply(reply, "What amount did you expect?");

    assertThat(said).doesNotContain("The amount is");
  }

  @Test
  void isDeterministicAndSpeaksOnlyAtUserSteps() throws Exception {
    Workflow workflow = Fixtures.supportDesk();
    Scenario scenario = plainScenario(workflow);
    int describe = scenario.nodes().indexOf("describe");

    assertThat(new UserSimulator(workflow, scenario).reply(describe, "Hello!"))
        .isEqualTo(new UserSimulator(workflow, scenario).reply(describe, "Hello!"))
        .containsIgnoringCase(scenario.slots().get("device")); // an enum in any case reads as itself
    assertThatThrownBy(() -> new UserSimulator(workflow, scenario).reply(0, ""))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("Invalid step: 0 is node 'greet', not a user node");
  }
}

package dev.subterra.synthesis;

import static org.assertj.core.api.Assertions.assertThat;

import dev.subterra.synthesis.template.TemplateTeacher;
import dev.subterra.workflow.Workflow;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

// One instance: the scenario and its dialogue are built once and only read by the tests.
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ConformanceCheckerTest {
  private static final long SEED = 5;

  private final ConformanceChecker checker = new ConformanceChecker();
  private final Workflow workflow;
  private final Scenario scenario;
  private final Dialogue dialogue;

  ConformanceCheckerTest() throws Exception {
    workflow = Fixtures.load("support-desk.yaml");
    // A scenario that passes warranty_info (which cites two facts) and calls both tools, with no digression, whose
    // agent speaks first.
    TemplateTeacher teacher = new TemplateTeacher();
    scenario = new ScenarioPlanner(workflow, ScenarioConfig.perPath(8, SEED))
        .plan(Fixtures.catalog(workflow).paths()).scenarios().stream()
        .filter(s -> s.nodes().contains("warranty_info") && s.nodes().contains("schedule")
            && !s.nodes().contains("not_found") && !s.styles().contains("off_topic"))
        .filter(s -> firstTurnIsTheAgents(teacher, s))
        .findFirst().orElseThrow();
    dialogue = teacher.write(workflow, scenario);
  }

  private boolean firstTurnIsTheAgents(TemplateTeacher teacher, Scenario s) {
    try {
      return teacher.write(workflow, s).turns().get(0).role() == Role.AGENT;
    } catch (TeacherException e) {
      throw new IllegalStateException(e);
    }
  }

  private Dialogue with(List<Turn> turns) {
    return new Dialogue(dialogue.dialogueId(), dialogue.scenarioId(), dialogue.workflowId(), dialogue.pathId(),
        dialogue.teacher(), dialogue.split(), turns);
  }

  private int indexOf(String nodeId) {
    for (int t = 0; t < dialogue.turns().size(); t++) {
      if (dialogue.turns().get(t).nodeId().equals(nodeId)) {
        return t;
      }
    }
    throw new IllegalStateException("no turn at " + nodeId);
  }

  @Test
  void theTemplateTeachersDialogueConforms() {
    ConformanceResult result = checker.check(workflow, scenario, dialogue);

    assertThat(result.conforms()).isTrue();
    assertThat(result.reason()).isEmpty();
    assertThat(result.dialogueId()).isEqualTo(dialogue.dialogueId());
  }

  @Test
  void turnsOutOfOrderAreRejectedAtTheFirstMismatch() {
    List<Turn> turns = new ArrayList<>(dialogue.turns());
    turns.set(0, dialogue.turns().get(1));
    turns.set(1, dialogue.turns().get(0));

    ConformanceResult result = checker.check(workflow, scenario, with(turns));

    assertThat(result.reasons()).containsExactly(
        "Invalid turn 0: expected agent at node 'greet', got user at node 'describe'");
  }

  @Test
  void aToolCalledWithOtherValuesIsRejected() {
    List<Turn> turns = new ArrayList<>(dialogue.turns());
    int at = indexOf("schedule");
    Map<String, String> arguments = new LinkedHashMap<>(turns.get(at).call().arguments());
    arguments.put("date", "1999-01-01");
    turns.set(at, Turn.tool("schedule", new ToolInvocation("book_visit", arguments), turns.get(at).result()));

    ConformanceResult result = checker.check(workflow, scenario, with(turns));

    assertThat(result.reasons()).singleElement().asString()
        .startsWith("Invalid turn " + at + ": book_visit arguments {ticket=")
        .contains("date=1999-01-01").contains("(expected {ticket=")
        .contains("date=" + scenario.slots().get("visit_date"));
  }

  @Test
  void argumentsInAnotherOrderOrAnotherToolAreRejected() {
    List<Turn> turns = new ArrayList<>(dialogue.turns());
    int at = indexOf("schedule");
    Map<String, String> reversed = new LinkedHashMap<>();
    reversed.put("date", scenario.slots().get("visit_date"));
    reversed.put("ticket", scenario.slots().get("ticket"));
    turns.set(at, Turn.tool("schedule", new ToolInvocation("book_visit", reversed), "{}"));
    assertThat(checker.check(workflow, scenario, with(turns)).reason()).contains("book_visit arguments");

    turns.set(at, Turn.tool("schedule", new ToolInvocation("cancel_visit", reversed), "{}"));
    assertThat(checker.check(workflow, scenario, with(turns)).reasons())
        .containsExactly("Invalid turn " + at + ": called tool cancel_visit (expected book_visit)");
  }

  @Test
  void anAgentTurnThatLeavesOutACitedFactIsRejected() {
    List<Turn> turns = new ArrayList<>(dialogue.turns());
    int at = indexOf("warranty_info");
    turns.set(at, Turn.agent("warranty_info", "You're covered. Shall I look it up?"));

    ConformanceResult result = checker.check(workflow, scenario, with(turns));

    assertThat(result.reasons()).containsExactly(
        "Invalid turn " + at + ": the agent at node 'warranty_info' does not state fact 'warranty' "
            + "(24 months from purchase)",
        "Invalid turn " + at + ": the agent at node 'warranty_info' does not state fact 'repair_time' "
            + "(5 working days)");
  }

  @Test
  void blankTextIsRejected() {
    List<Turn> turns = new ArrayList<>(dialogue.turns());
    turns.set(1, Turn.user("describe", "  "));

    assertThat(checker.check(workflow, scenario, with(turns)).reasons())
        .containsExactly("Invalid turn 1: the user turn at node 'describe' has no text");
  }

  @Test
  void aDialogueThatStopsEarlyOrRunsOnIsRejected() {
    List<Turn> shorter = dialogue.turns().subList(0, dialogue.turns().size() - 1);
    assertThat(checker.check(workflow, scenario, with(shorter)).reasons()).singleElement().asString()
        .startsWith("Invalid dialogue: it ends before the agent turn at node 'booked_msg'");

    List<Turn> longer = new ArrayList<>(dialogue.turns());
    longer.add(Turn.agent("greet", "Hello again!"));
    assertThat(checker.check(workflow, scenario, with(longer)).reasons()).containsExactly(
        "Invalid turn " + dialogue.turns().size() + ": agent at node 'greet' comes after the path's last turn");
  }

  @Test
  void aDigressionMustComeRightBeforeItsUserNodesTurn() {
    List<Turn> turns = new ArrayList<>(dialogue.turns());
    int at = indexOf("describe");
    turns.add(at, Turn.user("describe", "Is it raining?"));
    turns.add(at + 1, Turn.agent("describe", "I can't say, sorry. Which device is it?"));
    assertThat(checker.check(workflow, scenario, with(turns)).conforms()).isTrue();

    List<Turn> misplaced = new ArrayList<>(dialogue.turns());
    misplaced.add(0, Turn.user("describe", "Is it raining?"));
    misplaced.add(1, Turn.agent("describe", "I can't say, sorry."));
    assertThat(checker.check(workflow, scenario, with(misplaced)).reasons()).containsExactly(
        "Invalid turn 0: a digression at node 'describe' must come right before that node's user turn");
  }

  @Test
  void aDialogueOfAnotherScenarioIsRejected() {
    Dialogue other = new Dialogue(dialogue.dialogueId(), "someone-else", dialogue.workflowId(), "other-path",
        dialogue.teacher(), dialogue.split(), dialogue.turns());

    assertThat(checker.check(workflow, scenario, other).reasons()).containsExactly(
        "Invalid scenario id: someone-else (expected " + scenario.scenarioId() + ")",
        "Invalid path id: other-path (expected " + scenario.pathId() + ")");
  }
}

package dev.subterra.synthesis.template;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.subterra.synthesis.ConformanceChecker;
import dev.subterra.synthesis.ConformanceResult;
import dev.subterra.synthesis.Dialogue;
import dev.subterra.synthesis.Fixtures;
import dev.subterra.synthesis.Role;
import dev.subterra.synthesis.Route;
import dev.subterra.synthesis.Scenario;
import dev.subterra.synthesis.ScenarioConfig;
import dev.subterra.synthesis.ScenarioPlanner;
import dev.subterra.synthesis.TeacherException;
import dev.subterra.synthesis.Turn;
import dev.subterra.workflow.Fact;
import dev.subterra.workflow.Node;
import dev.subterra.workflow.NodeKind;
import dev.subterra.workflow.Workflow;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

class TemplateTeacherTest {
  private static final long SEED = 2026;
  /** Scenario seeds for the conformance sweep: every style combination shows up many times. */
  private static final int SWEEP_SEEDS = 6;
  /** Share of distinct dialogues among the scenarios of one path once slot values are masked out. */
  private static final double MIN_DISTINCT_RATIO = 0.6;
  private static final int VARIATION_SCENARIOS = 40;
  private static final ObjectMapper JSON = new ObjectMapper();

  private final TemplateTeacher teacher = new TemplateTeacher();
  private final ConformanceChecker checker = new ConformanceChecker();

  private static List<Scenario> scenarios(Workflow workflow, int perPath, long seed) {
    return new ScenarioPlanner(workflow, ScenarioConfig.perPath(perPath, seed))
        .plan(Fixtures.catalog(workflow).paths()).scenarios();
  }

  private List<Dialogue> write(Workflow workflow, List<Scenario> scenarios) throws TeacherException {
    List<Dialogue> out = new ArrayList<>();
    for (Scenario scenario : scenarios) {
      out.add(teacher.write(workflow, scenario));
    }
    return out;
  }

  private static List<Workflow> workflows() throws Exception {
    return List.of(Fixtures.retryLoop(), Fixtures.load("support-desk.yaml"), Fixtures.load("imported-flow.yaml"),
        Fixtures.ladder());
  }

  @Test
  void sameSeedGivesIdenticalDialogues() throws Exception {
    Workflow workflow = Fixtures.load("support-desk.yaml");

    List<Dialogue> first = write(workflow, scenarios(workflow, 3, SEED));
    List<Dialogue> second = write(workflow, scenarios(workflow, 3, SEED));

    assertThat(first).isEqualTo(second);
    assertThat(JSON.writeValueAsString(first)).isEqualTo(JSON.writeValueAsString(second));
  }

  @Test
  void differentSeedGivesDifferentDialogues() throws Exception {
    Workflow workflow = Fixtures.load("support-desk.yaml");

    List<Dialogue> a = write(workflow, scenarios(workflow, 3, SEED));
    List<Dialogue> b = write(workflow, scenarios(workflow, 3, SEED + 1));

    assertThat(a.stream().map(Dialogue::turns).toList()).isNotEqualTo(b.stream().map(Dialogue::turns).toList());
    assertThat(a.stream().map(Dialogue::dialogueId)).doesNotContainAnyElementsOf(
        b.stream().map(Dialogue::dialogueId).toList());
  }

  @Test
  void everyPathGetsConformingDialogues() throws Exception {
    for (Workflow workflow : workflows()) {
      int checked = 0;
      Set<String> paths = new HashSet<>();
      for (long seed = 0; seed < SWEEP_SEEDS; seed++) {
        for (Scenario scenario : scenarios(workflow, 2, seed)) {
          Dialogue dialogue = teacher.write(workflow, scenario);
          ConformanceResult result = checker.check(workflow, scenario, dialogue);
          assertThat(result.reasons()).as("%s %s %s", workflow.id(), scenario.styles(), dialogue.turns()).isEmpty();
          assertThat(dialogue.teacher()).isEqualTo(TemplateTeacher.NAME);
          assertThat(dialogue.split()).isEqualTo(scenario.split());
          paths.add(scenario.pathId());
          checked++;
        }
      }
      assertThat(paths).as(workflow.id()).hasSameSizeAs(Fixtures.catalog(workflow).paths());
      assertThat(checked).isEqualTo(SWEEP_SEEDS * 2 * paths.size());
    }
  }

  @Test
  void personasAndStylesVaryTheTextOfOnePath() throws Exception {
    for (Workflow workflow : List.of(Fixtures.retryLoop(), Fixtures.load("support-desk.yaml"))) {
      String longest = Fixtures.catalog(workflow).paths().stream()
          .max(Comparator.comparingInt(p -> p.path().length())).orElseThrow().path().id();
      List<Scenario> onePath = scenarios(workflow, VARIATION_SCENARIOS, SEED).stream()
          .filter(s -> s.pathId().equals(longest)).toList();
      List<Dialogue> dialogues = write(workflow, onePath);

      Set<String> distinct = new HashSet<>();
      for (int i = 0; i < onePath.size(); i++) {
        distinct.add(masked(dialogues.get(i), onePath.get(i).slots()));
      }
      assertThat(distinct.size() / (double) onePath.size()).as(workflow.id()).isGreaterThanOrEqualTo(
          MIN_DISTINCT_RATIO);
    }
  }

  /** The dialogue's text with every slot value replaced by the slot's name, so that only wording counts. */
  static String masked(Dialogue dialogue, Map<String, String> slots) {
    String text = dialogue.turns().stream().map(t -> t.role() + ":" + t.text()).collect(Collectors.joining("\n"));
    List<Map.Entry<String, String>> bySize = new ArrayList<>(slots.entrySet());
    bySize.sort(Comparator.comparingInt((Map.Entry<String, String> e) -> -e.getValue().length()));
    for (Map.Entry<String, String> slot : bySize) {
      text = text.replace(slot.getValue(), "{" + slot.getKey() + "}");
    }
    return text;
  }

  @Test
  void toolTurnsCallWithTheScenariosValuesInDeclaredOrder() throws Exception {
    Workflow workflow = Fixtures.load("support-desk.yaml");
    for (Scenario scenario : scenarios(workflow, 3, SEED)) {
      for (Turn turn : teacher.write(workflow, scenario).turns()) {
        if (turn.role() != Role.TOOL) {
          continue;
        }
        Node node = workflow.node(turn.nodeId()).orElseThrow();
        assertThat(turn.call().name()).isEqualTo(node.tool().name());
        assertThat(new ArrayList<>(turn.call().arguments().keySet()))
            .containsExactlyElementsOf(node.tool().arguments().keySet());
        node.tool().arguments().forEach((argument, slot) ->
            assertThat(turn.call().arguments().get(argument)).isEqualTo(scenario.slots().get(slot)));
        assertThat(turn.text()).isEmpty();
      }
    }
  }

  @Test
  void toolResultsAreCompactJsonWithTheOutcomeTakenAndReturnedSlots() throws Exception {
    Workflow workflow = Fixtures.load("support-desk.yaml");
    int successes = 0;
    for (Scenario scenario : scenarios(workflow, 2, SEED)) {
      Route route = Route.of(workflow, scenario.nodes());
      List<Turn> tools = teacher.write(workflow, scenario).turns().stream()
          .filter(t -> t.role() == Role.TOOL).toList();
      int k = 0;
      for (int i = 0; i < route.size(); i++) {
        if (route.node(i).kind() != NodeKind.TOOL) {
          continue;
        }
        Turn turn = tools.get(k++);
        JsonNode result = JSON.readTree(turn.result());
        assertThat(turn.result()).doesNotContain(" ");
        assertThat(result.get("status").asText()).isEqualTo(route.edge(i).outcome());
        if (route.node(i).id().equals("lookup") && route.edge(i).outcome().equals("success")) {
          assertThat(result.get("ticket").asText()).isEqualTo(scenario.slots().get("ticket"));
          successes++;
        }
      }
    }
    assertThat(successes).isPositive();
  }

  @Test
  void agentTurnsStateTheFactsTheirNodesCite() throws Exception {
    Workflow workflow = Fixtures.load("support-desk.yaml");
    Map<String, Fact> facts = workflow.knowledge().stream().collect(Collectors.toMap(Fact::id, f -> f));
    int citing = 0;
    for (Scenario scenario : scenarios(workflow, 4, SEED)) {
      for (Turn turn : teacher.write(workflow, scenario).turns()) {
        Node node = workflow.node(turn.nodeId()).orElseThrow();
        if (turn.role() == Role.AGENT && !node.cites().isEmpty()) {
          for (String cited : node.cites()) {
            assertThat(turn.text()).containsIgnoringCase(facts.get(cited).statement());
          }
          citing++;
        }
      }
    }
    assertThat(citing).isPositive();
  }

  @Test
  void userTurnsSayTheBranchThePathTakes() throws Exception {
    // retry-loop's reply node is followed by the route hub: accept, ask for another offer, or ask for a human.
    Workflow workflow = Fixtures.retryLoop();
    Map<String, Set<String>> said = new java.util.TreeMap<>();
    for (long seed = 0; seed < SWEEP_SEEDS; seed++) {
      for (Scenario scenario : scenarios(workflow, 3, seed)) {
        if (scenario.styles().contains("makes_typos")) {
          continue;
        }
        List<Turn> turns = teacher.write(workflow, scenario).turns();
        List<String> nodes = scenario.nodes();
        int reply = 0;
        for (int i = 0; i < nodes.size(); i++) {
          if (nodes.get(i).equals("reply")) {
            String next = nodes.get(i + 2);
            String text = userTurns(turns, "reply").get(reply++);
            said.computeIfAbsent(next, k -> new HashSet<>()).add(text.toLowerCase(java.util.Locale.ROOT));
          }
        }
      }
    }
    // Terse users drop the "please".
    assertThat(said.get("refunded")).allSatisfy(t -> assertThat(t).containsAnyOf("yes please", "yes."));
    assertThat(said.get("offer")).allSatisfy(t -> assertThat(t).contains("no, something else"));
    // No template asks for a human, so the teacher says the condition itself.
    assertThat(said.get("escalated")).allSatisfy(t -> assertThat(t).contains("i ask for a human"));
  }

  private static List<String> userTurns(List<Turn> turns, String nodeId) {
    List<String> out = new ArrayList<>();
    for (int t = 0; t < turns.size(); t++) {
      Turn turn = turns.get(t);
      boolean digression = t + 1 < turns.size() && turns.get(t + 1).role() == Role.AGENT
          && nodeId.equals(turns.get(t + 1).nodeId());
      if (turn.role() == Role.USER && nodeId.equals(turn.nodeId()) && !digression) {
        out.add(turn.text());
      }
    }
    return out;
  }

  @Test
  void aUserNodeThatBranchesPicksTheTemplateOfItsBranch() throws Exception {
    Workflow workflow = Fixtures.load("support-desk.yaml");
    int seen = 0;
    for (Scenario scenario : scenarios(workflow, 6, SEED)) {
      int at = scenario.nodes().indexOf("paid_reply");
      if (at < 0 || scenario.styles().contains("makes_typos")) {
        continue;
      }
      String text = userTurns(teacher.write(workflow, scenario).turns(), "paid_reply").get(0);
      String expected = scenario.nodes().get(at + 1).equals("declined") ? "No thanks" : "go ahead";
      assertThat(text).containsIgnoringCase(expected);
      seen++;
    }
    assertThat(seen).isPositive();
  }

  @Test
  void aWorkflowWithoutTemplatesGetsTextFromPromptsAndConditions() throws Exception {
    Workflow workflow = Fixtures.load("imported-flow.yaml");
    for (Scenario scenario : scenarios(workflow, 4, SEED)) {
      Dialogue dialogue = teacher.write(workflow, scenario);
      assertThat(checker.check(workflow, scenario, dialogue).reasons()).isEmpty();
      if (scenario.styles().contains("makes_typos")) {
        continue;
      }
      assertThat(dialogue.turns()).allSatisfy(t -> {
        if (t.role() != Role.TOOL) {
          assertThat(t.text()).isNotBlank();
        }
      });
      // The customer may write first; the agent's welcome follows.
      Turn welcome = dialogue.turns().stream().filter(t -> t.role() == Role.AGENT).findFirst().orElseThrow();
      assertThat(welcome.text()).contains("greet you and ask what you need today");
      List<String> request = userTurns(dialogue.turns(), "request");
      if (scenario.nodes().contains("ask_pharmacy")) {
        assertThat(request.get(0)).containsIgnoringCase("I want a refill");
        // The user states what the refill tool needs before it is called.
        String pick = userTurns(dialogue.turns(), "pick").get(0);
        assertThat(pick).containsIgnoringCase(scenario.slots().get("prescription_id"));
      } else {
        assertThat(request.get(0)).containsIgnoringCase("I only have a question and leave");
      }
    }
  }

  @Test
  void offTopicUsersDigressAndTheAgentReturnsAtTheSameNode() throws Exception {
    Workflow workflow = Fixtures.load("support-desk.yaml");
    int digressions = 0;
    for (Scenario scenario : scenarios(workflow, 6, SEED)) {
      Dialogue dialogue = teacher.write(workflow, scenario);
      List<Turn> turns = dialogue.turns();
      for (int t = 0; t + 1 < turns.size(); t++) {
        Turn agent = turns.get(t + 1);
        boolean atUserNode = workflow.node(agent.nodeId()).orElseThrow().kind() == NodeKind.USER;
        if (agent.role() == Role.AGENT && atUserNode) {
          assertThat(scenario.styles()).contains("off_topic");
          assertThat(turns.get(t).nodeId()).isEqualTo(agent.nodeId());
          assertThat(turns.get(t + 2).nodeId()).isEqualTo(agent.nodeId());
          digressions++;
        }
      }
      assertThat(checker.check(workflow, scenario, dialogue).conforms()).isTrue();
    }
    assertThat(digressions).isPositive();
  }

  @Test
  void typosAndCorrectionsNeverChangeTheFinalSlotValue() throws Exception {
    Workflow workflow = Fixtures.load("support-desk.yaml");
    int corrected = 0;
    for (long seed = 0; seed < SWEEP_SEEDS; seed++) {
      for (Scenario scenario : scenarios(workflow, 3, seed)) {
        List<Turn> turns = teacher.write(workflow, scenario).turns();
        // The date as is, or in one of the ways people write it ("2 April").
        List<String> forms = dev.subterra.workflow.values.ValueNormaliser.of(workflow.slots().get("visit_date"))
            .writtenForms(scenario.slots().get("visit_date")).stream()
            .map(dev.subterra.workflow.values.WrittenForm::text).toList();
        for (String date : userTurns(turns, "give_date")) {
          assertThat(forms).anySatisfy(form -> assertThat(date).contains(form));
        }
        // An enum's value in any case ("Phone"), as its normaliser reads it.
        for (String text : userTurns(turns, "describe").stream().map(t -> t.toLowerCase(Locale.ROOT)).toList()) {
          String device = scenario.slots().get("device").toLowerCase(Locale.ROOT);
          for (String other : workflow.slots().get("device").values().stream()
              .map(v -> v.toLowerCase(Locale.ROOT)).toList()) {
            if (!other.equals(device) && text.contains(other)) {
              // A corrected device: the right one comes after the wrong one.
              assertThat(scenario.styles()).contains("corrects_answer");
              assertThat(text.lastIndexOf(device)).isGreaterThan(text.indexOf(other));
              corrected++;
            }
          }
          assertThat(text).contains(device);
        }
      }
    }
    assertThat(corrected).isPositive();
  }

  @Test
  void aUserWhoRefinesChangesValuesTheCallsThenCarryAndTheRestIsRemembered() throws Exception {
    Workflow workflow = Fixtures.bundled("travel-booking.yaml");
    List<Scenario> refining = new ScenarioPlanner(workflow, ScenarioConfig.perPath(2, SEED).withRefinements(true))
        .plan(Fixtures.catalog(workflow).paths()).scenarios().stream().filter(s -> s.revisedAt() >= 0).toList();
    assertThat(refining).isNotEmpty();
    assertThat(new ScenarioPlanner(workflow, ScenarioConfig.perPath(2, SEED)).plan(Fixtures.catalog(workflow)
        .paths()).scenarios()).allMatch(s -> s.revisedAt() < 0 && s.revisions().isEmpty());
    int searchesRevised = 0;
    for (Scenario scenario : refining) {
      Dialogue dialogue = teacher.write(workflow, scenario);
      assertThat(checker.check(workflow, scenario, dialogue).reasons()).as("%s", dialogue.turns()).isEmpty();
      scenario.revisions().forEach((slot, value) -> assertThat(value).isNotEqualTo(scenario.slots().get(slot)));
      // The last call carries the revised values and every value the user did not change.
      List<Turn> calls = dialogue.turns().stream().filter(t -> t.call() != null
          && t.call().name().equals("search_packages")).toList();
      if (calls.size() > 1 && scenario.nodes().get(scenario.revisedAt()).equals("trip_details")) {
        Map<String, String> last = calls.get(calls.size() - 1).call().arguments();
        Map<String, String> first = calls.get(0).call().arguments();
        workflow.node("search_trips").orElseThrow().tool().arguments().forEach((argument, slot) ->
            assertThat(last.get(argument)).isEqualTo(scenario.revisions().getOrDefault(slot, first.get(argument))));
        searchesRevised++;
      }
    }
    assertThat(searchesRevised).isPositive();
  }

  @Test
  void aScenarioOfAnotherWorkflowIsRefusedWithItsReason() throws Exception {
    Workflow workflow = Fixtures.retryLoop();
    Scenario foreign = scenarios(Fixtures.load("support-desk.yaml"), 1, SEED).get(0);

    assertThatThrownBy(() -> teacher.write(workflow, foreign)).isInstanceOf(TeacherException.class)
        .hasMessage("Cannot write scenario " + foreign.scenarioId()
            + ": it belongs to workflow support-desk, not retry-loop")
        .satisfies(e -> assertThat(((TeacherException) e).retryable()).isFalse());
  }
}

package dev.subterra.evaluation.loop;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.subterra.evaluation.Fixtures;
import dev.subterra.evaluation.metrics.Bootstrap;
import dev.subterra.evaluation.metrics.Cohort;
import dev.subterra.evaluation.metrics.EvaluationMetrics;
import dev.subterra.evaluation.metrics.MetricName;
import dev.subterra.evaluation.metrics.MetricSet;
import dev.subterra.evaluation.metrics.Metrics;
import dev.subterra.evaluation.policy.Policy;
import dev.subterra.evaluation.policy.PolicyRequest;
import dev.subterra.evaluation.policy.PolicyTurn;
import dev.subterra.evaluation.policy.ReferencePolicy;
import dev.subterra.synthesis.Dialogue;
import dev.subterra.synthesis.Role;
import dev.subterra.synthesis.Scenario;
import dev.subterra.synthesis.Turn;
import dev.subterra.workflow.NodeKind;
import dev.subterra.workflow.Workflow;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.api.Test;

class ClosedLoopRunnerTest {
  private static final long SCENARIO_SEED = 7;
  private static final long BOOTSTRAP_SEED = 3;
  /** A policy whose every turn is "Hi." without a node tag. */
  private static final Policy UNTAGGED = new Policy() {
    @Override
    public String name() {
      return "untagged";
    }

    @Override
    public List<Optional<PolicyTurn>> next(List<PolicyRequest> requests) {
      return requests.stream().map(r -> Optional.of(PolicyTurn.of(Turn.agent(null, "Hi.")))).toList();
    }
  };

  static Stream<Arguments> workflows() throws Exception {
    return Stream.of(Arguments.of(Fixtures.retryLoop()), Arguments.of(Fixtures.supportDesk()));
  }

  @ParameterizedTest
  @MethodSource("workflows")
  void theTeachersOwnDialoguesAreTheUpperBound(Workflow workflow) throws Exception {
    List<Scenario> scenarios = Fixtures.scenarios(workflow, Fixtures.catalog(workflow), p -> true, 3, SCENARIO_SEED);
    List<Dialogue> dialogues = Fixtures.dialogues(workflow, scenarios);

    List<ConversationResult> results = new ClosedLoopRunner(workflow, ClosedLoopConfig.defaults())
        .run(new ReferencePolicy(dialogues), scenarios, 1);
    EvaluationMetrics metrics = new Metrics(workflow, Bootstrap.of(BOOTSTRAP_SEED))
        .evaluate(results, Fixtures.byScenario(dialogues), 1);

    assertThat(results).hasSize(scenarios.size()).allMatch(ConversationResult::pathFidelity);
    MetricSet all = metrics.cohort(Cohort.ALL);
    assertThat(all.get(MetricName.NODE_ACCURACY).value()).isEqualTo(1.0);
    assertThat(all.get(MetricName.PATH_FIDELITY).value()).isEqualTo(1.0);
    assertThat(all.get(MetricName.TERMINAL_ACCURACY).value()).isEqualTo(1.0);
    assertThat(all.get(MetricName.HUB_ACCURACY).value()).isEqualTo(1.0);
    assertThat(all.get(MetricName.TOOL_CALL_ACCURACY).value()).isEqualTo(1.0);
    assertThat(all.get(MetricName.SLOT_ACCURACY).value()).isEqualTo(1.0);
    assertThat(all.get(MetricName.INVALID_TAG_RATE).value()).isEqualTo(0.0);
    assertThat(all.get(MetricName.CHRF).value()).isEqualTo(1.0);
    assertThat(all.get(MetricName.PASS_K).value()).isEqualTo(1.0);
    assertThat(metrics.firstWrongNodes()).isEmpty();
    if (!workflow.knowledge().isEmpty()) {
      assertThat(all.get(MetricName.FACT_ACCURACY).value()).isEqualTo(1.0);
      assertThat(all.get(MetricName.FACT_ACCURACY).count()).isPositive();
    }
    // The conversation has the dialogue's shape: as many agent and tool turns, in the same places.
    for (ConversationResult r : results) {
      Dialogue d = Fixtures.byScenario(dialogues).get(r.scenarioId());
      assertThat(r.transcript()).hasSameSizeAs(d.turns());
      assertThat(r.transcript()).extracting(Turn::role).containsExactlyElementsOf(
          d.turns().stream().map(Turn::role).toList());
    }
  }

  @Test
  void theUserNeverSeesTheAgentsTagsAndUserTurnsCarryNone() throws Exception {
    Workflow workflow = Fixtures.supportDesk();
    List<Scenario> scenarios = Fixtures.scenarios(workflow, Fixtures.catalog(workflow), p -> true, 1, SCENARIO_SEED);
    List<ConversationResult> results = new ClosedLoopRunner(workflow, ClosedLoopConfig.defaults())
        .run(new ReferencePolicy(Fixtures.dialogues(workflow, scenarios)), scenarios, 1);
    for (ConversationResult r : results) {
      for (Turn t : r.transcript()) {
        if (t.role() == Role.USER) {
          assertThat(t.nodeId()).isNull();
          assertThat(t.text()).doesNotContain("<node:");
        }
      }
    }
  }

  @Test
  void aPolicyStuckOnTheFirstNodeScoresLowAndTheFirstWrongNodeIsRecorded() throws Exception {
    Workflow workflow = Fixtures.retryLoop();
    List<Scenario> scenarios = Fixtures.scenarios(workflow, Fixtures.catalog(workflow), p -> true, 2, SCENARIO_SEED);
    String first = workflow.nodes().stream().filter(n -> n.kind() == NodeKind.AGENT).findFirst().orElseThrow().id();
    Policy stuck = new Policy() {
      @Override
      public String name() {
        return "stuck";
      }

      @Override
      public List<Optional<PolicyTurn>> next(List<PolicyRequest> requests) {
        List<Optional<PolicyTurn>> out = new ArrayList<>();
        requests.forEach(r -> out.add(Optional.of(PolicyTurn.of(Turn.agent(first, "Hello, what is your order?")))));
        return out;
      }
    };

    List<ConversationResult> results = new ClosedLoopRunner(workflow, ClosedLoopConfig.defaults())
        .run(stuck, scenarios, 1);
    EvaluationMetrics metrics =
        new Metrics(workflow, Bootstrap.of(BOOTSTRAP_SEED)).evaluate(results, java.util.Map.of(), 1);

    MetricSet all = metrics.cohort(Cohort.ALL);
    assertThat(all.get(MetricName.NODE_ACCURACY).value()).isLessThan(0.5);
    assertThat(all.get(MetricName.PATH_FIDELITY).value()).isZero();
    assertThat(all.get(MetricName.TERMINAL_ACCURACY).value()).isZero();
    assertThat(all.get(MetricName.TOOL_CALL_ACCURACY).value()).isZero();
    // Every retry-loop path greets, then looks the order up: the stuck policy first goes wrong at the lookup, or at
    // its answer to an off-topic question, which is tagged with the user node the conversation waits at.
    assertThat(results).allSatisfy(r -> {
      assertThat(r.firstWrongStep()).isEqualTo(1);
      assertThat(r.firstWrongNode()).isEqualTo(r.steps().get(1).digression() ? "give_order" : "lookup");
      assertThat(r.completed()).isTrue();
    });
    assertThat(results).anyMatch(r -> "lookup".equals(r.firstWrongNode()));
    assertThat(metrics.firstWrongNodes().keySet()).isSubsetOf("lookup", "give_order");
  }

  @Test
  void aTurnWithoutATagEndsTheConversation() throws Exception {
    Workflow workflow = Fixtures.retryLoop();
    List<Scenario> scenarios = Fixtures.scenarios(workflow, Fixtures.catalog(workflow), p -> true, 1, SCENARIO_SEED);

    List<ConversationResult> results = new ClosedLoopRunner(workflow, ClosedLoopConfig.defaults())
        .run(UNTAGGED, scenarios, 1);

    assertThat(results).allSatisfy(r -> {
      assertThat(r.end()).isEqualTo(EndReason.INVALID_TAG);
      assertThat(r.steps()).hasSize(1);
      assertThat(r.steps().get(0).invalidTag()).isTrue();
      assertThat(r.firstWrongNode()).isEqualTo("greet");
    });
  }

  @Test
  void progressCountsThePlannedTurnsOfEveryConversationHoweverItEnds() throws Exception {
    Workflow workflow = Fixtures.supportDesk();
    List<Scenario> scenarios = Fixtures.scenarios(workflow, Fixtures.catalog(workflow), p -> true, 2, SCENARIO_SEED);
    List<Dialogue> dialogues = Fixtures.dialogues(workflow, scenarios);
    List<PlayProgress> seen = new ArrayList<>();

    List<ConversationResult> results = new ClosedLoopRunner(workflow, ClosedLoopConfig.defaults())
        .run(new ReferencePolicy(dialogues), scenarios, 1, seen::add);

    // The teacher's dialogues follow their paths to the end: the planned turns are exactly the turns played.
    long played = results.stream().mapToLong(r -> r.steps().size()).sum();
    int rounds = results.stream().mapToInt(r -> r.steps().size()).max().orElseThrow();
    assertThat(seen).hasSize(rounds + 1);
    assertThat(seen.get(0)).isEqualTo(new PlayProgress("reference", 0, 0, played, 0, results.size()));
    assertThat(seen.get(seen.size() - 1)).isEqualTo(new PlayProgress("reference", rounds, played, played,
        results.size(), results.size()));
    for (int i = 1; i < seen.size(); i++) {
      assertThat(seen.get(i).turnsDone()).isGreaterThan(seen.get(i - 1).turnsDone());
      assertThat(seen.get(i).conversationsDone()).isGreaterThanOrEqualTo(seen.get(i - 1).conversationsDone());
    }

    // A conversation cut short at its first turn counts its whole path as done.
    List<PlayProgress> cut = new ArrayList<>();
    new ClosedLoopRunner(workflow, ClosedLoopConfig.defaults()).run(UNTAGGED, scenarios, 1, cut::add);
    assertThat(cut).hasSize(2);
    assertThat(cut.get(1)).isEqualTo(new PlayProgress("untagged", 1, played, played, results.size(),
        results.size()));
  }

  @Test
  void rejectsAScenarioOfAnotherWorkflow() throws Exception {
    Workflow retry = Fixtures.retryLoop();
    Workflow desk = Fixtures.supportDesk();
    List<Scenario> scenarios = Fixtures.scenarios(desk, Fixtures.catalog(desk), p -> true, 1, SCENARIO_SEED);
    assertThatThrownBy(() -> new ClosedLoopRunner(retry, ClosedLoopConfig.defaults())
        .run(new ReferencePolicy(List.of()), scenarios, 1))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("belongs to workflow support-desk, not retry-loop");
  }
}

package dev.subterra.evaluation.metrics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.subterra.evaluation.Fixtures;
import dev.subterra.evaluation.loop.ConversationResult;
import dev.subterra.evaluation.loop.EndReason;
import dev.subterra.evaluation.loop.StepResult;
import dev.subterra.workflow.Workflow;
import dev.subterra.workflow.paths.PathSplit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class MetricsTest {
  private static final double TOLERANCE = 1e-12;
  private static final long SEED = 13;

  @Test
  void passHatKIsTheChanceThatKRunsAllSucceed() {
    assertThat(Metrics.passHatK(4, 4, 4)).isEqualTo(1.0);
    assertThat(Metrics.passHatK(4, 3, 4)).isZero();
    assertThat(Metrics.passHatK(5, 4, 2)).isCloseTo(4.0 * 3 / (5 * 4), within(TOLERANCE));
    assertThat(Metrics.passHatK(5, 3, 1)).isCloseTo(0.6, within(TOLERANCE));
  }

  /** A one-turn conversation that either followed its path or not. */
  private static ConversationResult run(String scenario, PathSplit split, int sample, boolean right) {
    StepResult step = new StepResult(0, 0, "greet", right ? "greet" : "offer", true, false, false, false, null, null,
        null, "Hello.", 10, 3, 0);
    return new ConversationResult(scenario, "p-" + scenario, split, sample, "test", "refunded", "greet",
        List.of(step), List.of(), EndReason.COMPLETED, right ? -1 : 0, right ? null : "greet");
  }

  @Test
  void groundedCallRateCountsTheCallsGroundingChangedOverTheCallsMade() throws Exception {
    dev.subterra.synthesis.ToolInvocation call = new dev.subterra.synthesis.ToolInvocation("lookup",
        Map.of("id", "7"));
    List<StepResult> steps = new ArrayList<>();
    for (int i = 0; i < 4; i++) {
      // Three calls, one of them changed by grounding; a text turn with overrides counted nowhere.
      steps.add(new StepResult(i, i, "greet", "greet", true, false, false, false, null, i < 3 ? call : null, null,
          "", 10, 3, i == 1 || i == 3 ? 2 : 0));
    }
    ConversationResult conversation = new ConversationResult("s", "p-s", PathSplit.TRAIN, 0, "test", "refunded",
        "greet", steps, List.of(), EndReason.COMPLETED, 0, "greet");
    ConversationScores scores = ConversationScores.of(Fixtures.retryLoop(), conversation, java.util.Optional.empty());
    assertThat(scores.numerator(MetricName.GROUNDED_CALL_RATE)).isEqualTo(1);
    assertThat(scores.denominator(MetricName.GROUNDED_CALL_RATE)).isEqualTo(3);
  }

  @Test
  void passKNeverExceedsPassOneAndCohortsAreApart() throws Exception {
    Workflow workflow = Fixtures.retryLoop();
    SplittableRandom random = new SplittableRandom(SEED);
    int k = 4;
    List<ConversationResult> runs = new ArrayList<>();
    for (int s = 0; s < 40; s++) {
      PathSplit split = s % 4 == 0 ? PathSplit.HELDOUT : PathSplit.TRAIN;
      double skill = random.nextDouble();
      for (int i = 0; i < k; i++) {
        runs.add(run("s" + s, split, i, random.nextDouble() < skill));
      }
    }

    EvaluationMetrics metrics = new Metrics(workflow, Bootstrap.of(SEED)).evaluate(runs, Map.of(), k);

    for (Cohort cohort : Cohort.values()) {
      MetricSet set = metrics.cohort(cohort);
      if (set.scenarios() > 0) {
        assertThat(set.get(MetricName.PASS_K).value()).isLessThanOrEqualTo(set.get(MetricName.PASS_1).value());
      }
    }
    assertThat(metrics.cohort(Cohort.HELDOUT_PATHS).scenarios()).isEqualTo(10);
    assertThat(metrics.cohort(Cohort.TRAINING_PATHS).scenarios()).isEqualTo(30);
    assertThat(metrics.cohort(Cohort.UNSEEN_PATHS).get(MetricName.NODE_ACCURACY).isDefined()).isFalse();
    Summary summary = metrics.summary();
    assertThat(summary.k()).isEqualTo(k);
    assertThat(summary.passK()).isEqualTo(metrics.cohort(Cohort.TRAINING_PATHS).get(MetricName.PASS_K));
    assertThat(summary.heldoutPathFidelity())
        .isEqualTo(metrics.cohort(Cohort.HELDOUT_PATHS).get(MetricName.PATH_FIDELITY));
    assertThat(summary.toMap()).containsOnlyKeys(withK(Summary.KEYS));
    // Three of four runs of one conversation: path fidelity counts runs, pass^1 averages scenarios.
    assertThat(metrics.cohort(Cohort.ALL).get(MetricName.PATH_FIDELITY).count()).isEqualTo(160);
    assertThat(metrics.cohort(Cohort.ALL).get(MetricName.PASS_K).count()).isEqualTo(40);
  }

  private static List<String> withK(List<String> keys) {
    List<String> out = new ArrayList<>(keys);
    out.add("k");
    return out;
  }

  @Test
  void aMetricThatDoesNotApplyIsUndefinedNotZero() throws Exception {
    Workflow workflow = Fixtures.retryLoop();
    EvaluationMetrics metrics = new Metrics(workflow, Bootstrap.of(SEED))
        .evaluate(List.of(run("a", PathSplit.TRAIN, 0, true)), Map.of(), 1);
    MetricSet all = metrics.cohort(Cohort.ALL);

    assertThat(all.get(MetricName.HUB_ACCURACY).isDefined()).isFalse();
    assertThat(all.get(MetricName.CHRF).isDefined()).isFalse();
    assertThat(Summary.asMap(all.get(MetricName.HUB_ACCURACY))).containsEntry("value", null);
    assertThat(all.get(MetricName.NODE_ACCURACY).value()).isEqualTo(1.0);
  }
}

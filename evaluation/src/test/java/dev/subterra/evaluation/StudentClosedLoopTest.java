package dev.subterra.evaluation;

import static org.assertj.core.api.Assertions.assertThat;

import dev.subterra.evaluation.cost.CostAssumptions;
import dev.subterra.evaluation.cost.CostModel;
import dev.subterra.evaluation.cost.CostReport;
import dev.subterra.evaluation.cost.HardwarePriceTable;
import dev.subterra.evaluation.loop.ClosedLoopConfig;
import dev.subterra.evaluation.loop.ClosedLoopRunner;
import dev.subterra.evaluation.loop.ConversationResult;
import dev.subterra.evaluation.metrics.Bootstrap;
import dev.subterra.evaluation.metrics.Cohort;
import dev.subterra.evaluation.metrics.Estimate;
import dev.subterra.evaluation.metrics.EvaluationMetrics;
import dev.subterra.evaluation.metrics.MetricName;
import dev.subterra.evaluation.metrics.MetricSet;
import dev.subterra.evaluation.metrics.Metrics;
import dev.subterra.evaluation.policy.StudentPolicy;
import dev.subterra.synthesis.Dialogue;
import dev.subterra.synthesis.Scenario;
import dev.subterra.synthesis.cost.PriceTable;
import dev.subterra.training.StudentTrainer;
import dev.subterra.training.artefact.ModelArtefact;
import dev.subterra.training.train.TrainerConfig;
import dev.subterra.workflow.Workflow;
import dev.subterra.workflow.paths.PathCatalog;
import dev.subterra.workflow.paths.PathSplit;
import dev.subterra.workflow.paths.SplitConfig;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * End to end: a tiny student trained on template-teacher dialogues of retry-loop, then played closed-loop on new
 * scenarios of its training paths and on held-out paths, scored and priced.
 */
class StudentClosedLoopTest {
  private static final Logger LOG = LoggerFactory.getLogger(StudentClosedLoopTest.class);
  private static final long TRAIN_SCENARIO_SEED = 1;
  private static final long EVAL_SCENARIO_SEED = 2;
  private static final long TRAINER_SEED = 42;
  private static final long SAMPLING_SEED = 5;
  private static final long BOOTSTRAP_SEED = 3;
  private static final int TRAIN_PER_PATH = 30;
  private static final int EVAL_PER_PATH = 3;
  private static final int EPOCHS = 12;
  private static final int VOCABULARY = 400;
  /** Agent turns of retry-loop are short; half the tiny preset's 64-token context is the most the policy allows. */
  private static final int MAX_NEW_TOKENS = 24;
  private static final int K = 3;
  /**
   * A modest bar: the tiny preset (1 layer, width 32) learns retry-loop's turn order well enough to beat a policy stuck
   * on one node (about 0.3 on retry-loop), not to be perfect.
   */
  private static final double MIN_NODE_ACCURACY = 0.5;

  @TempDir
  static Path dir;

  private static Workflow workflow;
  private static ModelArtefact artefact;
  private static List<Scenario> evaluation;
  private static Map<String, Dialogue> references;

  @BeforeAll
  static void train() throws Exception {
    workflow = Fixtures.retryLoop();
    PathCatalog catalog = Fixtures.catalog(workflow, new SplitConfig(0.0, 0.0, 0.3));
    List<Scenario> training = Fixtures.scenarios(workflow, catalog, p -> p.split() == PathSplit.TRAIN,
        TRAIN_PER_PATH, TRAIN_SCENARIO_SEED);
    List<Dialogue> dialogues = Fixtures.dialogues(workflow, training);
    TrainerConfig trainer = TrainerConfig.defaults(TRAINER_SEED).withEpochs(EPOCHS).withBatchSize(16)
        .withWarmupSteps(10);
    artefact = new StudentTrainer(new StudentTrainer.Config("tiny", VOCABULARY, trainer), p -> { })
        .train(workflow, dialogues, dir.resolve("work"), dir.resolve("model"));
    evaluation = new ArrayList<>(Fixtures.scenarios(workflow, catalog, p -> p.split() == PathSplit.TRAIN,
        EVAL_PER_PATH, EVAL_SCENARIO_SEED));
    evaluation.addAll(Fixtures.scenarios(workflow, catalog, p -> p.split() == PathSplit.HELDOUT, EVAL_PER_PATH,
        EVAL_SCENARIO_SEED));
    references = Fixtures.byScenario(Fixtures.dialogues(workflow, evaluation));
  }

  @Test
  void aTinyStudentIsPlayedScoredAndPriced() throws Exception {
    StudentPolicy greedy = new StudentPolicy(ModelArtefact.load(dir.resolve("model")),
        StudentPolicy.Config.greedy(MAX_NEW_TOKENS), workflow);
    ClosedLoopRunner runner = new ClosedLoopRunner(workflow, ClosedLoopConfig.defaults());
    List<ConversationResult> results = runner.run(greedy, evaluation, 1);
    EvaluationMetrics metrics = new Metrics(workflow, Bootstrap.of(BOOTSTRAP_SEED)).evaluate(results, references, 1);

    assertThat(results).hasSize(evaluation.size());
    assertThat(evaluation).anyMatch(s -> s.split() == PathSplit.HELDOUT);
    for (Cohort cohort : List.of(Cohort.ALL, Cohort.TRAINING_PATHS, Cohort.HELDOUT_PATHS)) {
      MetricSet set = metrics.cohort(cohort);
      assertThat(set.scenarios()).isPositive();
      for (Map.Entry<String, Estimate> e : set.metrics().entrySet()) {
        if (e.getValue().isDefined() && !e.getKey().equals(MetricName.TURNS_TO_COMPLETION)) {
          assertThat(e.getValue().value()).as(cohort + " " + e.getKey()).isBetween(0.0, 1.0);
          assertThat(e.getValue().low()).isLessThanOrEqualTo(e.getValue().high());
        }
      }
      assertThat(set.get(MetricName.NODE_ACCURACY).isDefined()).isTrue();
      assertThat(set.get(MetricName.PATH_FIDELITY).isDefined()).isTrue();
    }
    assertThat(metrics.summary().nodeAccuracy().value()).isGreaterThan(MIN_NODE_ACCURACY);
    assertThat(metrics.summary().heldoutPathFidelity().isDefined()).isTrue();

    StudentPolicy.Usage usage = greedy.usage();
    assertThat(usage.tokensPerSecond()).isPositive();
    CostAssumptions assumptions = new CostAssumptions(
        HardwarePriceTable.bundled().price("aws-c7i.xlarge").orElseThrow(), HardwarePriceTable.bundled().version(),
        usage.tokensPerSecond(), "this test, OMP_NUM_THREADS=1, shared CPU", 1.0,
        PriceTable.bundled().price("gpt-4.1").orElseThrow(), PriceTable.bundled().version(),
        CostAssumptions.DEFAULT_ROUTING_OUTPUT_TOKENS);
    Map<String, Scenario> byId = new LinkedHashMap<>();
    evaluation.forEach(s -> byId.put(s.scenarioId(), s));
    CostReport cost = new CostModel(workflow, assumptions).report(results, byId);
    assertThat(cost.ratioInContext()).isGreaterThan(1.0);
    assertThat(cost.studentUsdPerConversation()).isPositive();

    MetricSet all = metrics.cohort(Cohort.ALL);
    LOG.info("Tiny student on retry-loop, closed loop: summary {}; all: node {} hub {} terminal {} path {} slot {} "
            + "chrF {}; first wrong nodes {}; {} tokens/s; cost {}",
        metrics.summary().toMap(), all.get(MetricName.NODE_ACCURACY), all.get(MetricName.HUB_ACCURACY),
        all.get(MetricName.TERMINAL_ACCURACY), all.get(MetricName.PATH_FIDELITY), all.get(MetricName.SLOT_ACCURACY),
        all.get(MetricName.CHRF), metrics.firstWrongNodes(), String.format("%.0f", usage.tokensPerSecond()),
        cost.toMap());
  }

  @Test
  void sampledRunsGivePassKAtMostPassOne() throws Exception {
    StudentPolicy sampled = new StudentPolicy(artefact,
        StudentPolicy.Config.sampled(MAX_NEW_TOKENS, 1.0, 0.95, SAMPLING_SEED), workflow);
    List<ConversationResult> results = new ClosedLoopRunner(workflow, ClosedLoopConfig.defaults())
        .run(sampled, evaluation, K);
    EvaluationMetrics metrics = new Metrics(workflow, Bootstrap.of(BOOTSTRAP_SEED)).evaluate(results, references, K);

    assertThat(results).hasSize(evaluation.size() * K);
    MetricSet all = metrics.cohort(Cohort.ALL);
    assertThat(all.get(MetricName.PASS_K).value()).isLessThanOrEqualTo(all.get(MetricName.PASS_1).value());
    assertThat(all.get(MetricName.PASS_K).count()).isEqualTo(evaluation.size());
    LOG.info("Sampled (T=1, top-p 0.95): pass^1 {} pass^{} {}", all.get(MetricName.PASS_1), K,
        all.get(MetricName.PASS_K));
  }
}

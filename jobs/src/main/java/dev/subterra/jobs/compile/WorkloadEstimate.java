package dev.subterra.jobs.compile;

import dev.subterra.synthesis.Dialogue;
import dev.subterra.synthesis.Scenario;
import dev.subterra.synthesis.ScenarioConfig;
import dev.subterra.synthesis.ScenarioPlanner;
import dev.subterra.synthesis.TeacherException;
import dev.subterra.synthesis.template.TemplateTeacher;
import dev.subterra.training.StudentTrainer;
import dev.subterra.training.model.StudentConfig;
import dev.subterra.training.serial.DialogueSerializer;
import dev.subterra.training.serial.TokenSequence;
import dev.subterra.training.tokenizer.BpeTokenizer;
import dev.subterra.workflow.Node;
import dev.subterra.workflow.Workflow;
import dev.subterra.workflow.paths.PathCatalog;
import dev.subterra.workflow.paths.PathSplit;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * How much work a compilation's options make of a workflow, worked out on the driver without running anything: the
 * paths, the training dialogues and the evaluation scenarios the stages would plan, the student's parameters, and
 * the dialogues' length in the student's tokens with the training windows an epoch makes of them.
 *
 * <p>Lengths are measured, not guessed: a sample of the planned training scenarios is written by the template teacher,
 * a BPE tokenizer of the preset's vocabulary is trained on the sample (as training trains one on all), and the
 * {@link DialogueSerializer} cuts each into windows of the preset's context, as training does. A remote teacher
 * writes other words, so for it the figures are the template's.
 *
 * @param paths every path
 * @param trainingPaths paths of the training split
 * @param trainingDialogues planned training-split scenarios (before any rejection)
 * @param evaluationScenarios fresh scenarios evaluation plays, one per path up to the cap
 * @param preset the student preset
 * @param parameters the student's trainable parameters at the preset's vocabulary
 * @param contextLength the preset's context
 * @param sampled dialogues measured
 * @param meanTokens mean tokens of a serialised dialogue
 * @param p95Tokens the 95th percentile
 * @param maxTokens the longest
 * @param longerThanContext the share of dialogues longer than the context (cut into several windows)
 * @param windowsPerEpoch training windows per epoch, extrapolated from the sample
 * @param tokensPerEpoch tokens of those windows, extrapolated from the sample
 * @param epochs epochs planned (early stopping may end sooner)
 */
public record WorkloadEstimate(long paths, long trainingPaths, long trainingDialogues, long evaluationScenarios,
    String preset, long parameters, int contextLength, int sampled, double meanTokens, int p95Tokens, int maxTokens,
    double longerThanContext, long windowsPerEpoch, long tokensPerEpoch, Integer epochs) {

  /** Training dialogues measured: enough for a stable percentile, few enough to plan in about a second. */
  static final int SAMPLE = 200;

  static WorkloadEstimate of(Workflow workflow, CompileOptions options, PathCatalog catalog)
      throws TeacherException {
    long seed = options.seed();
    List<Scenario> scenarios = new ScenarioPlanner(workflow, ScenarioConfig.perPath(options.perPath(), seed))
        .plan(catalog.paths()).scenarios();
    List<Scenario> training = scenarios.stream().filter(s -> s.split() == PathSplit.TRAIN).toList();
    long trainingPaths = catalog.paths().stream().filter(p -> p.split() == PathSplit.TRAIN).count();
    long evaluation = Math.min(catalog.paths().size(), options.evalScenarios());

    StudentTrainer.Config student = StudentTrainer.Config.of(options.preset(), seed);
    TemplateTeacher teacher = new TemplateTeacher();
    List<Dialogue> sample = new ArrayList<>();
    int stride = Math.max(1, training.size() / SAMPLE);
    for (int i = 0; i < training.size() && sample.size() < SAMPLE; i += stride) {
      sample.add(teacher.write(workflow, training.get(i)));
    }
    StudentConfig model;
    int[] lengths = new int[sample.size()];
    long windows = 0;
    long tokens = 0;
    int longer = 0;
    if (sample.isEmpty()) {
      model = StudentConfig.preset(options.preset(), student.vocabularySize());
    } else {
      String systemLine = workflow.displayName();
      BpeTokenizer tokenizer = BpeTokenizer.train(DialogueSerializer.tokenizerCorpus(systemLine, sample),
          workflow.nodes().stream().map(Node::id).toList(), student.vocabularySize());
      model = StudentConfig.preset(options.preset(), tokenizer.vocabularySize());
      DialogueSerializer serializer = new DialogueSerializer(tokenizer, systemLine, model.contextLength() + 1);
      for (int i = 0; i < sample.size(); i++) {
        TokenSequence whole = serializer.serialize(sample.get(i));
        lengths[i] = whole.length();
        longer += whole.length() > model.contextLength() + 1 ? 1 : 0;
        for (TokenSequence w : serializer.windows(sample.get(i))) {
          if (w.targetCount() > 0) {
            windows++;
            tokens += w.length() - 1;
          }
        }
      }
    }
    int[] sorted = lengths.clone();
    Arrays.sort(sorted);
    int n = sorted.length;
    return new WorkloadEstimate(catalog.paths().size(), trainingPaths, training.size(), evaluation, options.preset(),
        model.parameterCount(), model.contextLength(), n, n == 0 ? 0 : Arrays.stream(sorted).average().orElse(0),
        n == 0 ? 0 : sorted[Math.min(n - 1, (int) Math.ceil(0.95 * n) - 1)], n == 0 ? 0 : sorted[n - 1],
        n == 0 ? 0 : (double) longer / n, n == 0 ? 0 : Math.round((double) windows / n * training.size()),
        n == 0 ? 0 : Math.round((double) tokens / n * training.size()), options.epochs());
  }

  /** Training windows over every planned epoch; each is one sequence of at most the context through the model. */
  public long windows() {
    return windowsPerEpoch * (epochs == null ? 1 : epochs);
  }

  /** Tokens through the model over every planned epoch. */
  public long tokens() {
    return tokensPerEpoch * (epochs == null ? 1 : epochs);
  }

  /** The estimate as console lines for the plan. */
  List<String> lines() {
    List<String> out = new ArrayList<>();
    out.add(String.format("  workload: %,d paths (%,d for training); %,d training dialogues; %,d evaluation scenarios"
        + " (one per path%s)", paths, trainingPaths, trainingDialogues, evaluationScenarios,
        evaluationScenarios == paths ? ", every path" : ", the first " + evaluationScenarios + " by id"));
    out.add(String.format("  student: %s, %,d parameters, %d-token context; a dialogue is %,.0f tokens on average"
            + " (p95 %,d, longest %,d; %.0f%% longer than the context), measured on %d template dialogues",
        preset, parameters, contextLength, meanTokens, p95Tokens, maxTokens, 100 * longerThanContext, sampled));
    out.add(String.format("  training: about %,d windows (%,d tokens) per epoch, %s epochs: about %,d tokens through"
            + " the model", windowsPerEpoch, tokensPerEpoch,
        epochs == null ? "the trainer's default" : String.valueOf(epochs), tokens()));
    return out;
  }
}

package dev.subterra.serving;

import dev.subterra.synthesis.Dialogue;
import dev.subterra.synthesis.Scenario;
import dev.subterra.synthesis.ScenarioConfig;
import dev.subterra.synthesis.ScenarioPlanner;
import dev.subterra.synthesis.template.TemplateTeacher;
import dev.subterra.training.StudentTrainer;
import dev.subterra.training.artefact.ModelArtefact;
import dev.subterra.training.train.TrainerConfig;
import dev.subterra.workflow.Workflow;
import dev.subterra.workflow.WorkflowLoader;
import dev.subterra.workflow.paths.EnumerationConfig;
import dev.subterra.workflow.paths.PathCatalog;
import dev.subterra.workflow.paths.SplitConfig;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * A tiny student trained in a few seconds on the template teacher's dialogues of retry-loop (a tool with a retry
 * loop, a hub, two terminals), saved as a run directory's {@code model/}; and fresh reference dialogues to talk to it
 * with. Weak, but enough for protocol tests: every assertion holds for any model.
 */
final class TinyStudent {
  static final long PATH_SEED = 11;
  static final long TRAIN_SEED = 1;
  static final long REFERENCE_SEED = 2;
  static final long TRAINER_SEED = 42;
  static final int PER_PATH = 8;
  static final int EPOCHS = 10;
  static final int VOCABULARY = 400;

  final Workflow workflow;
  final ServedModel model;
  final List<Dialogue> references;

  private TinyStudent(Workflow workflow, ServedModel model, List<Dialogue> references) {
    this.workflow = workflow;
    this.model = model;
    this.references = references;
  }

  static Path root() {
    return Path.of(System.getProperty("subterra.root", ".."));
  }

  static Workflow retryLoop() throws Exception {
    return WorkflowLoader.load(root().resolve("workflow-model/src/test/resources/workflows/retry-loop.yaml"));
  }

  static TinyStudent train(Path dir) throws Exception {
    Workflow workflow = retryLoop();
    PathCatalog catalog = PathCatalog.build(workflow, EnumerationConfig.withSeed(PATH_SEED), new SplitConfig(0, 0, 0));
    List<Dialogue> training = dialogues(workflow, new ScenarioPlanner(workflow,
        ScenarioConfig.perPath(PER_PATH, TRAIN_SEED)).plan(catalog.paths()).scenarios());
    TrainerConfig trainer = TrainerConfig.defaults(TRAINER_SEED).withEpochs(EPOCHS).withBatchSize(16)
        .withWarmupSteps(10);
    ModelArtefact artefact = new StudentTrainer(new StudentTrainer.Config("tiny", VOCABULARY, trainer), p -> { })
        .train(workflow, training, dir.resolve("work"), dir.resolve("model"));
    List<Dialogue> references = dialogues(workflow, new ScenarioPlanner(workflow,
        ScenarioConfig.perPath(1, REFERENCE_SEED)).plan(catalog.paths()).scenarios());
    return new TinyStudent(workflow, ServedModel.of(ModelArtefact.load(dir.resolve("model")), workflow), references);
  }

  static List<Dialogue> dialogues(Workflow workflow, List<Scenario> scenarios) throws Exception {
    TemplateTeacher teacher = new TemplateTeacher();
    List<Dialogue> out = new ArrayList<>();
    for (Scenario s : scenarios) {
      out.add(teacher.write(workflow, s));
    }
    return out;
  }
}

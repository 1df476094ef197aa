package dev.subterra.evaluation;

import dev.subterra.synthesis.Dialogue;
import dev.subterra.synthesis.Scenario;
import dev.subterra.synthesis.ScenarioConfig;
import dev.subterra.synthesis.ScenarioPlanner;
import dev.subterra.synthesis.TeacherException;
import dev.subterra.synthesis.template.TemplateTeacher;
import dev.subterra.workflow.InvalidWorkflowException;
import dev.subterra.workflow.Workflow;
import dev.subterra.workflow.WorkflowLoader;
import dev.subterra.workflow.paths.EnumerationConfig;
import dev.subterra.workflow.paths.PathCatalog;
import dev.subterra.workflow.paths.PathRecord;
import dev.subterra.workflow.paths.SplitConfig;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;

/** Workflows, scenarios and teacher dialogues shared by the evaluation tests. */
public final class Fixtures {
  /** The enumeration seed of every catalog here. */
  public static final long PATH_SEED = 11;

  private Fixtures() {}

  private static Path root() {
    return Path.of(System.getProperty("subterra.root", ".."));
  }

  /** The retry-loop workflow of the workflow-model tests: a tool with a retry, and a hub. */
  public static Workflow retryLoop() throws InvalidWorkflowException {
    return WorkflowLoader.load(root().resolve("workflow-model/src/test/resources/workflows/retry-loop.yaml"));
  }

  /** The support desk of the synthesis tests: knowledge-base citations, tools with several arguments and outcomes. */
  public static Workflow supportDesk() throws InvalidWorkflowException {
    return WorkflowLoader.load(root().resolve("synthesis/src/test/resources/workflows/support-desk.yaml"));
  }

  /** Every path with the default split. */
  public static PathCatalog catalog(Workflow workflow) {
    return PathCatalog.build(workflow, EnumerationConfig.withSeed(PATH_SEED), SplitConfig.DEFAULT);
  }

  /** Every path with a split that leaves some held-out and test paths. */
  public static PathCatalog catalog(Workflow workflow, SplitConfig split) {
    return PathCatalog.build(workflow, EnumerationConfig.withSeed(PATH_SEED), split);
  }

  /** {@code perPath} scenarios on each path the filter accepts, drawn from {@code seed}. */
  public static List<Scenario> scenarios(Workflow workflow, PathCatalog catalog, Predicate<PathRecord> paths,
      int perPath, long seed) {
    List<PathRecord> chosen = catalog.paths().stream().filter(paths).toList();
    return new ScenarioPlanner(workflow, ScenarioConfig.perPath(perPath, seed)).plan(chosen).scenarios();
  }

  /** The template teacher's dialogue of each scenario. */
  public static List<Dialogue> dialogues(Workflow workflow, List<Scenario> scenarios) throws TeacherException {
    TemplateTeacher teacher = new TemplateTeacher();
    List<Dialogue> out = new ArrayList<>();
    for (Scenario s : scenarios) {
      out.add(teacher.write(workflow, s));
    }
    return out;
  }

  /** Dialogues by scenario id. */
  public static Map<String, Dialogue> byScenario(List<Dialogue> dialogues) {
    Map<String, Dialogue> out = new LinkedHashMap<>();
    dialogues.forEach(d -> out.put(d.scenarioId(), d));
    return out;
  }
}

package dev.subterra.synthesis;

import dev.subterra.workflow.InvalidWorkflowException;
import dev.subterra.workflow.Workflow;
import dev.subterra.workflow.WorkflowLoader;
import dev.subterra.workflow.WorkflowValidator;
import dev.subterra.workflow.paths.EnumerationConfig;
import dev.subterra.workflow.paths.PathCatalog;
import dev.subterra.workflow.paths.SplitConfig;
import dev.subterra.workflow.paths.SyntheticWorkflows;
import java.nio.file.Path;

/** Workflows and path catalogs shared by the synthesis tests. */
public final class Fixtures {
  /** The enumeration seed of every catalog here; scenario seeds vary per test. */
  public static final long PATH_SEED = 11;

  private Fixtures() {}

  /** The retry-loop workflow that the workflow-model tests enumerate. */
  public static Workflow retryLoop() throws InvalidWorkflowException {
    String root = System.getProperty("subterra.root", "..");
    return WorkflowLoader.load(Path.of(root, "workflow-model/src/test/resources/workflows/retry-loop.yaml"));
  }

  /** A workflow bundled in the repository's {@code workflows/}, by file name. */
  public static Workflow bundled(String fileName) throws InvalidWorkflowException {
    String root = System.getProperty("subterra.root", "..");
    return WorkflowLoader.load(Path.of(root, "workflows", fileName));
  }

  /** A workflow of this module's test resources, by file name. */
  public static Workflow load(String fileName) throws InvalidWorkflowException {
    return WorkflowLoader.load(Path.of("src/test/resources/workflows", fileName));
  }

  /** A ladder with loops; checked, since workflows built in code skip the loader's validation. */
  public static Workflow ladder() {
    Workflow ladder = SyntheticWorkflows.ladder(3, 3, 2, true);
    if (!WorkflowValidator.validate(ladder).isEmpty()) {
      throw new IllegalStateException("Invalid ladder: " + WorkflowValidator.validate(ladder));
    }
    return ladder;
  }

  /** Every path of a workflow with loops unrolled once and the default split. */
  public static PathCatalog catalog(Workflow workflow) {
    return PathCatalog.build(workflow, EnumerationConfig.withSeed(PATH_SEED), SplitConfig.DEFAULT);
  }

  /** Every path with a split that sends most paths to held-out, so that held-out scenarios appear. */
  public static PathCatalog mostlyHeldOut(Workflow workflow) {
    return PathCatalog.build(workflow, EnumerationConfig.withSeed(PATH_SEED), new SplitConfig(0.0, 0.1, 0.8));
  }
}

package dev.subterra.jobs.cli;

import dev.subterra.workflow.Workflow;
import dev.subterra.workflow.WorkflowCodec;

/** Where a run writes when the command is not told: one directory per workflow content and seed. */
final class RunDirectory {
  private RunDirectory() {}

  /** {@code runs/<workflow-id>/<content-hash>-s<seed>}: a changed workflow or seed gets a directory of its own. */
  static String defaultFor(Workflow workflow, long seed) {
    return "runs/" + workflow.id() + "/" + WorkflowCodec.contentHash(workflow).substring(0, 12) + "-s" + seed;
  }
}

package dev.subterra.workflow.imports;

import dev.subterra.workflow.InvalidWorkflowException;
import java.nio.file.Path;

/** The entry point the command line calls to import a file of some foreign format into the native model. */
public final class WorkflowImporter {

  private WorkflowImporter() {}

  /**
   * Imports one file. The result has passed {@link dev.subterra.workflow.WorkflowValidator}; every problem that stops
   * the import is a located line of the exception ({@code file:line:column: what is wrong}).
   */
  public static ImportResult importFile(Path file, ImportFormat format) throws InvalidWorkflowException {
    return switch (format) {
      case AGENT2MODEL -> Agent2ModelImporter.importFile(file);
      case STAR -> StarImporter.importFile(file);
    };
  }
}

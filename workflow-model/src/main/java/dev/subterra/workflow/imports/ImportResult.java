package dev.subterra.workflow.imports;

import dev.subterra.workflow.Workflow;
import java.util.List;

/**
 * What an importer produced: a workflow that passed validation, and warnings about what the translation changed or
 * left out (dropped unreachable steps, generic slot pools), one line each, for the user to read.
 */
public record ImportResult(Workflow workflow, List<String> warnings) {

  public ImportResult {
    warnings = List.copyOf(warnings);
  }
}

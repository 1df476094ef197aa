package dev.subterra.jobs.cli;

import dev.subterra.workflow.InvalidWorkflowException;
import dev.subterra.workflow.Workflow;
import dev.subterra.workflow.WorkflowLoader;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** Checks workflow files and lists every problem with its line and column. */
@Command(name = "validate", mixinStandardHelpOptions = true,
    description = "Check workflows; list every problem with file:line:column. Exit 2 if any is invalid.")
final class ValidateCommand implements Callable<Integer> {
  @Parameters(arity = "1..*", paramLabel = "WORKFLOW", description = "Workflow files (.yaml or .json).")
  List<Path> files;

  @Spec picocli.CommandLine.Model.CommandSpec spec;

  @Override
  public Integer call() {
    int invalid = 0;
    for (Path file : files) {
      try {
        Workflow workflow = WorkflowLoader.load(file);
        spec.commandLine().getOut().println("valid   " + file + "  " + WorkflowFile.describe(workflow));
      } catch (InvalidWorkflowException e) {
        invalid++;
        spec.commandLine().getErr().println(e.getMessage());
      }
    }
    spec.commandLine().getOut().flush();
    return invalid == 0 ? 0 : SubterraCli.INVALID_INPUT;
  }
}

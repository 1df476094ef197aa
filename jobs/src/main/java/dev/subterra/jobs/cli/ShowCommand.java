package dev.subterra.jobs.cli;

import dev.subterra.workflow.Workflow;
import dev.subterra.workflow.render.DotRenderer;
import dev.subterra.workflow.render.MermaidRenderer;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** Prints a workflow as a flowchart. */
@Command(name = "show", mixinStandardHelpOptions = true,
    description = "Print a workflow as a Mermaid flowchart (paste into any Markdown viewer) or Graphviz DOT.")
final class ShowCommand implements Callable<Integer> {
  /** The renderings {@code show} can print. */
  enum Format { MERMAID, DOT }

  @Mixin WorkflowFile workflowFile;

  @Option(names = "--format", defaultValue = "mermaid",
      description = "mermaid or dot (default: ${DEFAULT-VALUE}); e.g. `... --format dot | dot -Tsvg > flow.svg`.")
  Format format;

  @Spec picocli.CommandLine.Model.CommandSpec spec;

  @Override
  public Integer call() throws Exception {
    Workflow workflow = workflowFile.load();
    String text = format == Format.DOT ? DotRenderer.render(workflow) : MermaidRenderer.render(workflow);
    spec.commandLine().getOut().print(text.endsWith("\n") ? text : text + "\n");
    spec.commandLine().getOut().flush();
    return 0;
  }
}

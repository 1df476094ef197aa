package dev.subterra.jobs.cli;

import dev.subterra.workflow.WorkflowCodec;
import dev.subterra.workflow.imports.ImportFormat;
import dev.subterra.workflow.imports.ImportResult;
import dev.subterra.workflow.imports.WorkflowImporter;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** Converts a workflow from another format into the native one. */
@Command(name = "import", mixinStandardHelpOptions = true,
    description = "Convert an agent2model flowchart or a STAR task schema into a native workflow (validated).")
final class ImportCommand implements Callable<Integer> {
  @Parameters(index = "0", paramLabel = "FILE", description = "The file to import.")
  Path file;

  @Option(names = "--from", required = true, paramLabel = "FORMAT",
      description = "agent2model (flowchart YAML) or star (task schema JSON; API definitions are read from"
          + " ../apis/apis beside the schemas folder when present).")
  String from;

  @Option(names = "--out", paramLabel = "FILE.yaml", description = "Where to write the native YAML (default: stdout).")
  Path out;

  @Spec picocli.CommandLine.Model.CommandSpec spec;

  @Override
  public Integer call() throws Exception {
    ImportResult result = WorkflowImporter.importFile(file, ImportFormat.fromCliName(from));
    PrintWriter err = spec.commandLine().getErr();
    result.warnings().forEach(w -> err.println("warning: " + w));
    err.flush();
    String yaml = WorkflowCodec.toYaml(result.workflow());
    if (out == null) {
      spec.commandLine().getOut().print(yaml);
      spec.commandLine().getOut().flush();
      return 0;
    }
    Path target = out.toAbsolutePath();
    Files.createDirectories(target.getParent());
    // Write beside the target and move into place, so an interrupted import never leaves half a file.
    Path temporary = Files.createTempFile(target.getParent(), "." + target.getFileName(), ".tmp");
    try {
      Files.writeString(temporary, yaml, StandardCharsets.UTF_8);
      Files.move(temporary, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    } finally {
      Files.deleteIfExists(temporary);
    }
    spec.commandLine().getOut().println("Imported " + file + " -> " + out + ": "
        + WorkflowFile.describe(result.workflow()));
    spec.commandLine().getOut().flush();
    return 0;
  }
}

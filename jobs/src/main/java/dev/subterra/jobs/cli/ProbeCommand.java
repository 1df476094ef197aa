package dev.subterra.jobs.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.subterra.jobs.probe.InvalidProbeSetException;
import dev.subterra.jobs.probe.Probe;
import dev.subterra.jobs.probe.ProbeReport;
import dev.subterra.jobs.probe.ProbeSet;
import dev.subterra.jobs.probe.ProbeSetLoader;
import dev.subterra.serving.ChatTurns;
import dev.subterra.serving.ServedModel;
import dev.subterra.training.artefact.ModelArtefact;
import dev.subterra.workflow.Workflow;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * Measures a trained student on hand-written conversations, teacher-forced through the server's own path; see
 * {@link Probe} and {@code docs/probe.md}.
 */
@Command(name = "probe", mixinStandardHelpOptions = true, sortOptions = false,
    description = "Play hand-written customer conversations (probes/*.yaml) teacher-forced through the server's "
        + "path and score each agent step: node, exact tool call, each argument; overall and per kind.")
final class ProbeCommand implements Callable<Integer> {
  private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

  @Option(names = "--model", required = true, paramLabel = "DIR",
      description = "The model/ directory of a run (from `train`).")
  Path model;

  @Option(names = "--conversations", required = true, paramLabel = "FILE",
      description = "The probe file, e.g. probes/travel-booking.yaml.")
  Path conversations;

  @Option(names = "--workflow", paramLabel = "FILE",
      description = "The workflow the model was compiled from (default: workflow.json beside DIR).")
  Path workflow;

  @Option(names = "--out", paramLabel = "FILE.json",
      description = "Also write the report with every step (expected and got) as JSON.")
  Path out;

  @Option(names = "--max-new-tokens", paramLabel = "N",
      description = "Most tokens per turn, as for serve (default: 64, at most half the context).")
  Integer maxNewTokens;

  @Option(names = "--max-batch", defaultValue = "32", paramLabel = "B",
      description = "Most steps decoded together (default: ${DEFAULT-VALUE}).")
  int maxBatch;

  @Option(names = "--show-wrong", defaultValue = "20", paramLabel = "N",
      description = "Wrong calls and wrong steps printed, each (default: ${DEFAULT-VALUE}).")
  int showWrong;

  @Spec picocli.CommandLine.Model.CommandSpec spec;

  @Override
  public Integer call() throws Exception {
    if (showWrong < 0) {
      throw new IllegalArgumentException("Invalid --show-wrong: " + showWrong + " (0 or more)");
    }
    if (maxBatch < 1) {
      throw new IllegalArgumentException("Invalid --max-batch: " + maxBatch + " (1 or more)");
    }
    if (out != null && Files.isDirectory(out)) {
      throw new IllegalArgumentException("Invalid --out " + out + ": a directory, not a file");
    }
    // The conversations are checked against the workflow before the weights are read.
    Workflow compiled = ServedModel.workflowOf(model, Optional.ofNullable(workflow), "probe");
    ProbeSet set;
    try {
      set = ProbeSetLoader.load(conversations, compiled);
    } catch (InvalidProbeSetException e) {
      spec.commandLine().getErr().println(e.getMessage());
      return SubterraCli.INVALID_INPUT;
    }
    ServedModel served = ServedModel.of(ModelArtefact.load(model), compiled);
    Probe probe = Probe.on(ChatTurns.of(served)).conversations(set).maxBatch(maxBatch);
    if (maxNewTokens != null) {
      probe.maxNewTokens(maxNewTokens);
    }
    ProbeReport report = probe.execute();
    PrintWriter printer = spec.commandLine().getOut();
    report.summary(showWrong).forEach(printer::println);
    if (out != null) {
      write(report);
      printer.println("Report: " + out);
    }
    printer.flush();
    return 0;
  }

  /** Writes the JSON report through a hidden sibling, so a reader never sees half a file. */
  private void write(ProbeReport report) throws IOException {
    Path target = out.toAbsolutePath();
    Files.createDirectories(target.getParent());
    Path temporary = target.resolveSibling("._tmp-" + target.getFileName());
    JSON.writeValue(temporary.toFile(), report.toJson());
    Files.move(temporary, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
  }
}

package dev.subterra.jobs.cli;

import dev.subterra.jobs.nightly.InvalidNightlyConfigException;
import dev.subterra.jobs.nightly.NightlyCompilation;
import dev.subterra.jobs.nightly.NightlyConfig;
import dev.subterra.jobs.nightly.NightlyResult;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;
import org.apache.spark.sql.SparkSession;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * Compiles each configured workflow that changed since its promoted model and promotes the new model only if it
 * passes the gate, through {@link NightlyCompilation}. The exit code tells a scheduler what happened.
 */
@Command(name = "nightly", mixinStandardHelpOptions = true, sortOptions = false,
    description = "Compile each configured workflow that changed since its promoted model; promote the new model only"
        + " if it passes the gate.",
    footer = {"", "Exit codes:",
        "  0  promoted: at least one new model was promoted, and nothing was refused or failed",
        "  3  unchanged: nothing changed, nothing was compiled (--unchanged-exit-code changes it)",
        "  4  refused: a new candidate was compiled but the gate refused it; the promoted model stays",
        "  1  failed: a compilation or the registry failed (the other workflows still ran)",
        "  2  invalid configuration or workflow: every problem as file:line:column: message; nothing ran",
        "With several workflows, the first that applies of: failed, refused, promoted, unchanged."})
final class NightlyCommand implements Callable<Integer> {
  @Option(names = "--config", required = true, paramLabel = "FILE",
      description = "The nightly configuration (YAML or JSON): workflows, registry, gate, policy.")
  Path config;

  @Option(names = "--unchanged-exit-code", defaultValue = "3", paramLabel = "N",
      description = "Exit code when nothing changed (default: ${DEFAULT-VALUE}; 0 suits schedulers that treat any"
          + " other code as a failure).")
  int unchangedExitCode;

  @Mixin SparkOptions sparkOptions;

  @Spec picocli.CommandLine.Model.CommandSpec spec;

  @Override
  public Integer call() throws Exception {
    if (unchangedExitCode < 0 || unchangedExitCode > 255) {
      throw new IllegalArgumentException("Invalid --unchanged-exit-code: " + unchangedExitCode + " (0 to 255)");
    }
    PrintWriter out = spec.commandLine().getOut();
    NightlyConfig nightly;
    try {
      nightly = NightlyConfig.load(config);
    } catch (InvalidNightlyConfigException e) {
      spec.commandLine().getErr().println(e.getMessage());
      return SubterraCli.INVALID_INPUT;
    }
    SparkSession[] started = new SparkSession[1];
    try {
      NightlyResult result = NightlyCompilation.on(() -> {
        if (started[0] == null) {
          started[0] = sparkOptions.start("subterra nightly");
        }
        return started[0];
      }).config(nightly).onLine(line -> {
        out.println(line);
        out.flush();
      }).execute();
      for (NightlyResult.Outcome o : result.outcomes()) {
        out.printf("%s: %s%s%n", o.workflowId(), o.status().name().toLowerCase(Locale.ROOT),
            o.candidateId() == null ? "" : " " + o.candidateId());
      }
      NightlyResult.Status status = result.status();
      out.printf("Nightly: %s (registry %s)%n", status.name().toLowerCase(Locale.ROOT), nightly.registry());
      out.flush();
      return status == NightlyResult.Status.UNCHANGED ? unchangedExitCode : status.exitCode();
    } finally {
      if (started[0] != null) {
        started[0].stop();
      }
    }
  }
}

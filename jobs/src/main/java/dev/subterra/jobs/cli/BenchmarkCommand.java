package dev.subterra.jobs.cli;

import dev.subterra.jobs.bench.PathsBenchmark;
import picocli.CommandLine.Command;

/** Groups the benchmarks; each prints its figures and the machine it ran on. */
@Command(name = "benchmark", mixinStandardHelpOptions = true,
    subcommands = {PathsBenchmark.class, dev.subterra.jobs.bench.SynthesisBenchmark.class,
        dev.subterra.jobs.bench.ServeBenchmark.class},
    description = "Run a benchmark and print a Markdown table for docs/benchmarks.md.")
final class BenchmarkCommand implements Runnable {
  @picocli.CommandLine.Spec picocli.CommandLine.Model.CommandSpec spec;

  @Override
  public void run() {
    spec.commandLine().usage(spec.commandLine().getOut());
  }
}

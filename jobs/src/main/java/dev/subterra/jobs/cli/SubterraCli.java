package dev.subterra.jobs.cli;

import dev.subterra.jobs.Provenance;
import dev.subterra.workflow.InvalidWorkflowException;
import java.io.PrintWriter;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * The {@code subterra} command.
 *
 * <p>Exit codes: 0 success; 2 bad usage or invalid input (a workflow, a configuration value), with every problem on
 * its own line; 1 any other failure, as one line. Set {@code SUBTERRA_DEBUG=1} to see stack traces.
 */
@Command(
    name = "subterra",
    mixinStandardHelpOptions = true,
    versionProvider = SubterraCli.Version.class,
    description = "Compiles an agentic workflow into the weights of a small model, on Apache Spark.",
    subcommands = {
      ValidateCommand.class,
      ShowCommand.class,
      ImportCommand.class,
      PathsCommand.class,
      SynthesizeCommand.class,
      TrainCommand.class,
      EvaluateCommand.class,
      CompileCommand.class,
      NightlyCommand.class,
      ServeCommand.class,
      ProbeCommand.class,
      StarCommand.class,
      BenchmarkCommand.class,
      CommandLine.HelpCommand.class
    })
public final class SubterraCli implements Runnable {
  /** Exit code for bad usage or invalid input. */
  public static final int INVALID_INPUT = 2;
  /** Exit code for any other failure. */
  public static final int FAILURE = 1;

  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  public static void main(String[] args) {
    System.exit(run(args));
  }

  /** Runs the command line and returns its exit code, without exiting: for tests and embedding. */
  public static int run(String... args) {
    return commandLine().execute(args);
  }

  static CommandLine commandLine() {
    return new CommandLine(new SubterraCli())
        .setExecutionExceptionHandler(SubterraCli::handle)
        .setCaseInsensitiveEnumValuesAllowed(true);
  }

  @Override
  public void run() {
    spec.commandLine().usage(spec.commandLine().getOut());
  }

  private static int handle(Exception e, CommandLine commandLine, CommandLine.ParseResult parseResult) {
    PrintWriter err = commandLine.getErr();
    if ("1".equals(System.getenv("SUBTERRA_DEBUG"))) {
      e.printStackTrace(err);
    }
    if (e instanceof InvalidWorkflowException invalid) {
      err.println(invalid.getMessage());
      return INVALID_INPUT;
    }
    if (e instanceof IllegalArgumentException) {
      err.println("Error: " + e.getMessage());
      return INVALID_INPUT;
    }
    String message = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
    err.println("Error: " + message.lines().findFirst().orElse(message));
    return FAILURE;
  }

  /** Prints the Subterra version and the Java running it. */
  static final class Version implements CommandLine.IVersionProvider {
    @Override
    public String[] getVersion() {
      return new String[] {"subterra " + Provenance.subterraVersion(), "java " + System.getProperty("java.version")};
    }
  }
}

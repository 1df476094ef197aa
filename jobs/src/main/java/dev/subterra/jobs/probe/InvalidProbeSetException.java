package dev.subterra.jobs.probe;

import java.util.List;

/**
 * A probe file that cannot be played, with every problem on its own line: {@code file:line:column: conversation <id>,
 * turn <n>: <what is wrong>}.
 */
public final class InvalidProbeSetException extends Exception {
  private static final long serialVersionUID = 1L;

  private final List<String> problems;

  public InvalidProbeSetException(String source, List<String> problems) {
    super("Invalid conversations " + source + ": " + problems.size() + (problems.size() == 1 ? " problem" : " problems")
        + System.lineSeparator() + String.join(System.lineSeparator(), problems));
    this.problems = List.copyOf(problems);
  }

  /** One line per problem. */
  public List<String> problems() {
    return problems;
  }
}

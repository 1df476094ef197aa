package dev.subterra.jobs.nightly;

import java.util.List;

/** A nightly configuration that cannot be used, with every problem on its own {@code file:line:column:} line. */
public final class InvalidNightlyConfigException extends Exception {
  private static final long serialVersionUID = 1L;

  private final List<String> problems;

  public InvalidNightlyConfigException(String source, List<String> problems) {
    super("Invalid nightly configuration " + source + ": " + problems.size()
        + (problems.size() == 1 ? " problem" : " problems") + System.lineSeparator()
        + String.join(System.lineSeparator(), problems));
    this.problems = List.copyOf(problems);
  }

  /** One line per problem. */
  public List<String> problems() {
    return problems;
  }
}

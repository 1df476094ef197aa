package dev.subterra.workflow;

import java.util.List;

/**
 * A workflow that cannot be used, with every problem found on its own line, each starting with where it is
 * ({@code file:line:column:} when the parser knows it).
 */
public final class InvalidWorkflowException extends Exception {
  private static final long serialVersionUID = 1L;

  private final String source;
  private final List<String> problems;

  public InvalidWorkflowException(String source, List<String> problems) {
    super(summary(source, problems));
    this.source = source;
    this.problems = List.copyOf(problems);
  }

  /** The file or name the workflow came from. */
  public String source() {
    return source;
  }

  /** One line per problem. */
  public List<String> problems() {
    return problems;
  }

  private static String summary(String source, List<String> problems) {
    String head = "Invalid workflow " + source + ": " + problems.size() + (problems.size() == 1 ? " problem" : " problems");
    return head + System.lineSeparator() + String.join(System.lineSeparator(), problems);
  }
}

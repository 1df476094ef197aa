package dev.subterra.synthesis;

/**
 * A scenario a teacher could not write, with the reason that goes to the rejected dataset. {@code retryable} says
 * whether a later run may succeed (rate limits, timeouts) or not (a malformed answer after every retry).
 */
public final class TeacherException extends Exception {
  private static final long serialVersionUID = 1L;

  private final boolean retryable;

  public TeacherException(String message, boolean retryable, Throwable cause) {
    super(message, cause);
    this.retryable = retryable;
  }

  public TeacherException(String message, boolean retryable) {
    this(message, retryable, null);
  }

  public boolean retryable() {
    return retryable;
  }
}

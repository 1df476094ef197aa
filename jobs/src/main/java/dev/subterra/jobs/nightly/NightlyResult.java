package dev.subterra.jobs.nightly;

import java.util.List;

/** What one nightly run did for each configured workflow, and the exit code that tells a scheduler. */
public record NightlyResult(List<Outcome> outcomes) {

  /** What happened to one workflow, with its exit code. */
  public enum Status {
    /** A new candidate passed the gate and is now promoted. */
    PROMOTED(0),
    /** Nothing changed since the promoted model (or the same inputs were already refused): nothing was compiled. */
    UNCHANGED(3),
    /** A new candidate was compiled and kept, but the gate refused it: the promoted model stays. */
    REFUSED(4),
    /** Compilation or promotion failed. */
    FAILED(1);

    private final int exitCode;

    Status(int exitCode) {
      this.exitCode = exitCode;
    }

    public int exitCode() {
      return exitCode;
    }
  }

  /**
   * One workflow's outcome.
   *
   * @param candidateId the candidate compiled, or null when nothing was compiled or compilation failed
   * @param reasons the gate's lines, or why nothing was compiled, or the failure
   */
  public record Outcome(String workflowId, Status status, String candidateId, List<String> reasons) {
    public Outcome {
      reasons = List.copyOf(reasons);
    }
  }

  public NightlyResult {
    outcomes = List.copyOf(outcomes);
  }

  /**
   * The run's status for a scheduler: failed if any workflow failed, else refused if any was refused, else promoted
   * if any was promoted, else unchanged.
   */
  public Status status() {
    for (Status s : List.of(Status.FAILED, Status.REFUSED, Status.PROMOTED)) {
      if (outcomes.stream().anyMatch(o -> o.status() == s)) {
        return s;
      }
    }
    return Status.UNCHANGED;
  }
}

package dev.subterra.synthesis;

import java.util.List;

/**
 * Whether a dialogue follows its scenario's path, and if not, every reason why. A dialogue conforms exactly when there
 * are no reasons; {@link #reason()} joins them for the rejected dataset.
 */
public record ConformanceResult(String dialogueId, List<String> reasons) {

  public ConformanceResult {
    reasons = List.copyOf(reasons);
  }

  public boolean conforms() {
    return reasons.isEmpty();
  }

  /** The reasons as one line, or an empty string when the dialogue conforms. */
  public String reason() {
    return String.join("; ", reasons);
  }
}

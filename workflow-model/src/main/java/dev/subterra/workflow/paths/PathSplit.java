package dev.subterra.workflow.paths;

import java.util.Locale;

/**
 * Which part of the data a path serves. Dialogues inherit the split of their path. Validation, test and held-out paths
 * are never followed by a training dialogue; held-out paths are reported on their own, as the measure of how the
 * student does on routes through the procedure it never saw.
 */
public enum PathSplit {
  TRAIN, VALIDATION, TEST, HELDOUT;

  /** The lower-case name written to Parquet and JSON. */
  public String wireName() {
    return name().toLowerCase(Locale.ROOT);
  }
}

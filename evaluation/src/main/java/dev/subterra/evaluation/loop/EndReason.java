package dev.subterra.evaluation.loop;

import com.fasterxml.jackson.annotation.JsonValue;
import java.util.Locale;

/** Why a closed-loop conversation stopped. */
public enum EndReason {
  /** The scenario's path was played to its terminal. */
  COMPLETED,
  /** The policy wrote no tag, or a tag that names no node of the workflow, and the runner stops there. */
  INVALID_TAG,
  /** The policy had nothing more to say before the path's end. */
  ENDED_EARLY,
  /** The conversation reached the runner's limit of agent turns. */
  TURN_LIMIT;

  @JsonValue
  public String wireName() {
    return name().toLowerCase(Locale.ROOT);
  }
}

package dev.subterra.synthesis;

import com.fasterxml.jackson.annotation.JsonValue;
import java.util.Locale;

/** Who produced a turn. */
public enum Role {
  /** The person the agent serves. */
  USER,
  /** The agent, whose turns the student learns to write. */
  AGENT,
  /** A system the agent called: the turn carries the call the agent made and the result it got. */
  TOOL;

  @JsonValue
  public String wireName() {
    return name().toLowerCase(Locale.ROOT);
  }
}

package dev.subterra.workflow;

import com.fasterxml.jackson.annotation.JsonValue;
import java.util.Locale;

/** What happens at a node: who speaks, who decides, or how the conversation ends. */
public enum NodeKind {
  /** The student speaks. */
  AGENT,
  /** The user speaks. */
  USER,
  /** A hub: no one speaks, one of its conditional edges is taken. */
  DECISION,
  /** The student calls a system; the outcome picks the edge. */
  TOOL,
  /** The conversation ends, with an outcome. */
  TERMINAL;

  @JsonValue
  public String wireName() {
    return name().toLowerCase(Locale.ROOT);
  }
}

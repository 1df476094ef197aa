package dev.subterra.workflow;

import com.fasterxml.jackson.annotation.JsonValue;
import java.util.Locale;

/** How a conversation that reaches a terminal node ended. */
public enum TerminalOutcome {
  SUCCESS,
  ABANDONMENT,
  ESCALATION;

  @JsonValue
  public String wireName() {
    return name().toLowerCase(Locale.ROOT);
  }
}

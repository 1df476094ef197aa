package dev.subterra.workflow;

import com.fasterxml.jackson.annotation.JsonValue;
import java.util.Locale;

/** The type of a scenario variable (slot). */
public enum SlotType {
  /** A short value such as a name or an airport code, drawn from a pool. */
  STRING,
  /** A number, drawn from a pool or from a {@code [min, max]} range. */
  NUMBER,
  /** An ISO-8601 date, drawn from a pool. */
  DATE,
  /** One of a closed list of values; guards may only compare with these. */
  ENUM,
  /** Free text such as a description of damage, drawn from a pool of examples. */
  TEXT;

  @JsonValue
  public String wireName() {
    return name().toLowerCase(Locale.ROOT);
  }
}

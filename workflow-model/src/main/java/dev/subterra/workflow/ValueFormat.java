package dev.subterra.workflow;

import com.fasterxml.jackson.annotation.JsonValue;
import java.util.Locale;

/**
 * How a slot's value, written the way people write it, is brought to the canonical value a tool call carries. The
 * conversation keeps what the customer wrote; the call carries the canonical value.
 */
public enum ValueFormat {
  /** A count or amount: number words ("six"), "1,500", "1.5k"; canonical as digits ("1500"). */
  NUMBER,
  /** A sum of money: as {@link #NUMBER}, with currency words and signs around it ("EUR 1,500", "€1.5k"). */
  MONEY,
  /** A calendar date: "March 14th", "14/03/2026", "14 Mar 2026"; canonical ISO-8601 ("2026-03-14"). */
  DATE,
  /** A length in days or nights: "a week" is 7, "a fortnight" 14, "ten days" 10; canonical as digits. */
  DURATION,
  /** An email address: trimmed and lower-cased. */
  EMAIL,
  /** One of an enum's values, matched without regard to case or spacing and written with its canonical spelling. */
  ENUM,
  /** Text as written, trimmed. */
  TEXT;

  @JsonValue
  public String wireName() {
    return name().toLowerCase(Locale.ROOT);
  }
}

package dev.subterra.workflow;

import com.fasterxml.jackson.annotation.JsonValue;
import java.util.Locale;

/**
 * The generator an open slot's values are drawn from in synthesis, beside the slot's own examples: large compositional
 * pools, so that a student is right about an unseen value only by copying it from the conversation.
 */
public enum ValueGenerator {
  /** Full names of people, across cultures ("Ana Souza", "Oluwaseun Adeyemi", "Nguyen Thi Lan"). */
  PERSON_NAME,
  /** Email addresses, derived from the scenario's person name when it has one ("ana.souza@example.com"). */
  EMAIL,
  /** Towns and cities ("Porto", "Manchester", "Cape Town"). */
  PLACE,
  /** References and codes shaped like the slot's examples ("BK-20931" gives "BK-" and five digits). */
  CODE,
  /** Short descriptions recombined from the slot's examples (a package, a product, a device). */
  DESCRIPTION;

  @JsonValue
  public String wireName() {
    return name().toLowerCase(Locale.ROOT);
  }
}

package dev.subterra.workflow.values;

import java.util.Objects;

/**
 * One way people write a slot's value, and whether it already says its own unit.
 *
 * <p>A form that carries its unit must not be put where the workflow's phrasing adds one: a duration written "a week"
 * reads wrong in "for {nights} nights", and money written "€1,500" reads wrong in "under {budget} EUR". Bare digits and
 * number words ("7", "seven", "1,500") carry none.
 *
 * @param text the value as written, never blank
 * @param carriesUnit whether {@code text} says its unit or currency ("a fortnight", "€1,500", "1,500 euros")
 */
public record WrittenForm(String text, boolean carriesUnit) {
  public WrittenForm {
    Objects.requireNonNull(text, "text");
    if (text.isBlank()) {
      throw new IllegalArgumentException("Invalid written form: '" + text + "'");
    }
  }
}

package dev.subterra.jobs.probe;

import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * What a probe conversation tests about the customer's wording, so that scores can be read per kind. The kinds are
 * the ways real customers left a template-trained student behind.
 */
public enum ProbeKind {
  /** Natural wording (lower case, typos, chit-chat, values spread over turns) with values from the workflow's lists. */
  NATURAL,
  /** Values written the way people write them: "a week", "two of us", "march 14th", "lisbon", "1.5k", "14/03/2026". */
  WRITTEN,
  /** Values in no value list of the workflow, written literally: small towns, names from many cultures, emails. */
  UNSEEN,
  /** A change of one or two values that keeps the rest: "same but cheaper", "can you try the 23rd instead". */
  REFINEMENT,
  /** A reference back to values given earlier: "same details as before" after a booking fell through. */
  REFERENCE;

  /** The name a probe file writes: {@code natural}, {@code written}, ... */
  public String wireName() {
    return name().toLowerCase(Locale.ROOT);
  }

  /** The kind a probe file names, if it is one. */
  public static Optional<ProbeKind> fromWireName(String name) {
    return Arrays.stream(values()).filter(k -> k.wireName().equals(name)).findFirst();
  }

  /** Every kind's wire name, in order. */
  public static List<String> wireNames() {
    return Arrays.stream(values()).map(ProbeKind::wireName).toList();
  }
}

package dev.subterra.synthesis.values;

/** Test helper: whether an address was made from a name, for tests outside this package. */
public final class EmailNames {
  private EmailNames() {}

  /** Whether the address's local part holds the name's first or last word, folded as addresses fold them. */
  public static boolean madeFrom(String email, String person) {
    String local = email.substring(0, email.indexOf('@'));
    String[] words = person.strip().split("\\s+");
    return local.contains(EmailAddresses.fold(words[0])) || local.contains(EmailAddresses.fold(words[words.length - 1]));
  }
}

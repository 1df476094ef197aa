package dev.subterra.synthesis.values;

import java.text.Normalizer;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;

/**
 * Email addresses derived from a person's name in the ways people pick them ("ana.souza", "asouza", "ana_souza",
 * "ana87", "souza.a") at reserved example domains and invented mail providers.
 *
 * <p>The local part is the name folded to ASCII letters ("Zoë Müller-Lüdenscheidt" gives "zoe" and
 * "mullerludenscheidt"); the first word of the name is taken as the first name and the last as the family name, which
 * is how an address is usually made from a name however the name is ordered.
 */
final class EmailAddresses {
  /** The reserved example domains, taken about half the time. */
  static final List<String> EXAMPLE_DOMAINS = List.of("example.com", "example.net", "example.org");
  /** Invented providers and country domains, so that the domain is copied too rather than guessed. */
  static final List<String> INVENTED_DOMAINS = List.of("mailnest.com", "postwave.net", "inboxly.io",
      "kestrelmail.com", "larkpost.co.uk", "bluefinch.net", "nimbusmail.de", "correoazul.es", "postarapida.it",
      "courriel-libre.fr", "caixapostal.com.br", "tapalghar.in", "yubinbako.jp", "harbourmail.org", "quillbox.com",
      "sunmail.co.za", "kiwipost.co.nz", "mapleinbox.ca", "oasismail.ae", "letterly.net");
  private static final double EXAMPLE_DOMAIN_CHANCE = 0.5;
  private static final int PATTERNS = 12;

  private EmailAddresses() {}

  /** An address for the person; every call draws its pattern and domain afresh. */
  static String derive(String person, SplittableRandom random) {
    String[] words = person.strip().split("\\s+");
    String first = fold(words[0]);
    String last = fold(words[words.length - 1]);
    if (first.isEmpty()) {
      first = "user";
    }
    if (last.isEmpty() || words.length == 1) {
      last = first;
    }
    String f = first.substring(0, 1);
    String l = last.substring(0, 1);
    String local = switch (random.nextInt(PATTERNS)) {
      case 0, 1 -> first + "." + last;
      case 2 -> f + last;
      case 3 -> first + "_" + last;
      case 4 -> first + last;
      case 5 -> first + digits(random);
      case 6 -> first + "." + last + digits(random);
      case 7 -> last + "." + first;
      case 8 -> f + "." + last;
      case 9 -> first + "." + l;
      case 10 -> first + "-" + last;
      default -> last + f + digits(random);
    };
    String domain = random.nextDouble() < EXAMPLE_DOMAIN_CHANCE
        ? EXAMPLE_DOMAINS.get(random.nextInt(EXAMPLE_DOMAINS.size()))
        : INVENTED_DOMAINS.get(random.nextInt(INVENTED_DOMAINS.size()));
    return local + "@" + domain;
  }

  /** Two digits, or a year of birth. */
  private static String digits(SplittableRandom random) {
    return random.nextBoolean() ? Integer.toString(10 + random.nextInt(90))
        : Integer.toString(1955 + random.nextInt(50));
  }

  /** Lower-case ASCII letters and digits of a word: accents dropped, apostrophes and hyphens gone. */
  static String fold(String word) {
    String lower = word.toLowerCase(Locale.ROOT).replace("ø", "o").replace("æ", "ae").replace("ß", "ss")
        .replace("ł", "l").replace("đ", "d").replace("ı", "i").replace("œ", "oe");
    String decomposed = Normalizer.normalize(lower, Normalizer.Form.NFD);
    return decomposed.replaceAll("[^a-z0-9]", "");
  }
}

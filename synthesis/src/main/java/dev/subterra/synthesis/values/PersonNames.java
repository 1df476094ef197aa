package dev.subterra.synthesis.values;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;

/**
 * Full names of people across cultures, each a given name and a family name of the same culture: a pool of tens of
 * thousands of names from a few hundred of each.
 *
 * <p>A culture is drawn first, uniformly, so that every culture is as likely as every other whatever the length of its
 * lists. Where a language has feminine family names (Polish, Russian, Czech, Greek), a woman's family name takes its
 * feminine form; where people often say the family name first (Chinese, Japanese, Korean, Vietnamese), half the names
 * are written that way, with the culture's middle name if it has one ("Nguyen Thi Lan", "Lan Nguyen"). The list format
 * is described at the top of {@code person-names.txt}.
 */
final class PersonNames {
  /** One culture's names and how they are put together. */
  record Culture(String id, List<String> given, List<String> male, List<String> female, List<String> family,
      List<String[]> feminine, List<String> middleMale, List<String> middleFemale, boolean eitherOrder,
      double secondFamily) {

    Culture {
      if (family.isEmpty() || given.isEmpty() && male.isEmpty() && female.isEmpty()) {
        throw new IllegalArgumentException("Invalid culture '" + id + "': it needs family names and given names"
            + " (given, male or female)");
      }
    }
  }

  private final List<Culture> cultures;

  PersonNames(List<Culture> cultures) {
    if (cultures.isEmpty()) {
      throw new IllegalArgumentException("Invalid person names: no culture");
    }
    this.cultures = List.copyOf(cultures);
  }

  List<Culture> cultures() {
    return cultures;
  }

  /** A name of any share. */
  String next(SplittableRandom random) {
    Culture culture = cultures.get(random.nextInt(cultures.size()));
    boolean female = false;
    String given;
    if (culture.given().isEmpty()) {
      female = culture.male().isEmpty() || (!culture.female().isEmpty() && random.nextBoolean());
      given = pick(female ? culture.female() : culture.male(), random);
    } else {
      given = pick(culture.given(), random);
    }
    int families = culture.family().size();
    int first = random.nextInt(families);
    String family = familyName(culture, first, female);
    if (families > 1 && random.nextDouble() < culture.secondFamily()) {
      // Any other family name of the culture, never the first one again.
      int second = random.nextInt(families - 1);
      family = family + " " + familyName(culture, second < first ? second : second + 1, female);
    }
    if (culture.eitherOrder() && random.nextBoolean()) {
      List<String> middles = female ? culture.middleFemale() : culture.middleMale();
      return middles.isEmpty() ? family + " " + given : family + " " + pick(middles, random) + " " + given;
    }
    return given + " " + family;
  }

  private static String familyName(Culture culture, int index, boolean female) {
    String family = culture.family().get(index);
    if (!female) {
      return family;
    }
    for (String[] rule : culture.feminine()) {
      if (family.endsWith(rule[0])) {
        return family.substring(0, family.length() - rule[0].length()) + rule[1];
      }
    }
    return family;
  }

  private static String pick(List<String> names, SplittableRandom random) {
    return names.get(random.nextInt(names.size()));
  }

  /** Parses the list format of {@code person-names.txt}; {@code origin} names the list in errors. */
  static PersonNames parse(List<String> lines, String origin) {
    List<Culture> cultures = new ArrayList<>();
    Builder current = null;
    for (String line : lines) {
      if (line.startsWith("[") && line.endsWith("]")) {
        if (current != null) {
          cultures.add(current.build());
        }
        current = new Builder(line.substring(1, line.length() - 1).strip());
        continue;
      }
      int colon = line.indexOf(':');
      if (current == null || colon < 0) {
        throw new IllegalArgumentException("Invalid line of " + origin + ": '" + line + "' (expected [culture] or"
            + " key: values)");
      }
      current.add(line.substring(0, colon).strip().toLowerCase(Locale.ROOT), line.substring(colon + 1).strip(),
          origin);
    }
    if (current != null) {
      cultures.add(current.build());
    }
    return new PersonNames(cultures);
  }

  private static final class Builder {
    final String id;
    final List<String> given = new ArrayList<>();
    final List<String> male = new ArrayList<>();
    final List<String> female = new ArrayList<>();
    final List<String> family = new ArrayList<>();
    final List<String[]> feminine = new ArrayList<>();
    final List<String> middleMale = new ArrayList<>();
    final List<String> middleFemale = new ArrayList<>();
    boolean either;
    double second;

    Builder(String id) {
      this.id = id;
    }

    void add(String key, String value, String origin) {
      switch (key) {
        case "given" -> given.addAll(list(value));
        case "male" -> male.addAll(list(value));
        case "female" -> female.addAll(list(value));
        case "family" -> family.addAll(list(value));
        case "middle-male" -> middleMale.addAll(list(value));
        case "middle-female" -> middleFemale.addAll(list(value));
        case "feminine" -> {
          for (String rule : list(value)) {
            String[] parts = rule.split(">", -1);
            if (parts.length != 2) {
              throw new IllegalArgumentException("Invalid feminine rule of " + origin + " [" + id + "]: '" + rule
                  + "' (expected suffix>replacement)");
            }
            feminine.add(new String[] {parts[0].strip(), parts[1].strip()});
          }
        }
        case "order" -> {
          if (!value.equals("either") && !value.equals("given-first")) {
            throw new IllegalArgumentException("Invalid order of " + origin + " [" + id + "]: '" + value
                + "' (expected given-first or either)");
          }
          either = value.equals("either");
        }
        case "double" -> {
          try {
            second = Double.parseDouble(value);
          } catch (NumberFormatException e) {
            second = -1;
          }
          if (!(second >= 0 && second <= 1)) {
            throw new IllegalArgumentException("Invalid double of " + origin + " [" + id + "]: '" + value
                + "' (expected a chance between 0 and 1)");
          }
        }
        default -> throw new IllegalArgumentException("Invalid key of " + origin + " [" + id + "]: '" + key + "'");
      }
    }

    Culture build() {
      return new Culture(id, distinct(given), distinct(male), distinct(female), distinct(family), List.copyOf(feminine),
          distinct(middleMale), distinct(middleFemale), either, second);
    }

    private static List<String> list(String value) {
      return Arrays.stream(value.split(",")).map(String::strip).filter(s -> !s.isEmpty()).toList();
    }

    private static List<String> distinct(List<String> names) {
      return names.stream().distinct().toList();
    }
  }
}

package dev.subterra.workflow.values;

import dev.subterra.workflow.Slot;
import dev.subterra.workflow.ValueFormat;
import java.math.BigDecimal;
import java.time.LocalDate;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Pattern;

/**
 * The reader and writer of one slot's values: it brings a value written the way people write it ("a week", "1.5k",
 * "March 14th", "lisbon") to the canonical value a tool call carries ("7", "1500", "2026-03-14", "Lisbon"), and lists
 * the ways people write a canonical value, for the template teacher to draw from.
 *
 * <p>{@link #canonical} is empty when the text cannot be read as the slot's value, so that the agent asks again rather
 * than make a wrong call. It reads by the slot's {@link Slot#normalisation() format}:
 * <ul>
 *   <li>{@code number}: one number, in digits ("6", "06", "6.5", "1,500", "1 500", "1.5k", "2k"), in words up to
 *       the millions ("six", "twenty-one", "a hundred", "fifteen hundred", "two thousand five hundred", "two and a
 *       half", "a dozen", "half a dozen"), "a couple" (2), inside a phrase whose point is the number ("two of us",
 *       "6 people", "4 nights", "party of 5"). Text with two numbers is rejected, even two equal ones ("2 adults and
 *       2 children" is not 2), as is a number glued to something that changes it ("6pm", "14th", "6+", "50%"). A dot
 *       is a decimal point; a comma groups thousands only before three digits ("6,5" is two numbers).</li>
 *   <li>{@code money}: as number, with currency signs, codes and words around it ("EUR 1,500", "1500 euros", "€1.5k",
 *       "£900", "$2,200", "two grand"). "1.500" is rejected: it is 1.5 in English and 1500 in much of Europe. When the
 *       slot's description and phrasings name exactly one currency, that is the slot's currency and an amount in
 *       another ("$900" in a EUR slot) is rejected, because it is not converted; so is an amount in cents or pence.
 *       Canonical: digits, with two decimals when not whole ("1500", "1500.50").</li>
 *   <li>{@code duration} (days or nights): as number, whole and not negative, with units: a day or night is 1, "a
 *       week" 7, "two weeks" 14, "a fortnight" 14, "a weekend" 2, "a couple of weeks" 14, "two weeks and 3 days" 17.
 *       "A week and a half" (10.5 days) and "a long weekend" (3 or 4) are rejected as not a whole number of days, as
 *       are months, years and hours.</li>
 *   <li>{@code date}: see {@link DateText}: ISO, "March 14th", "14 March", "14th of March", "Mar 14", "14 Mar 2026",
 *       "March 14, 2026", "the fourteenth of March", "14/03/2026", "14.03.2026", "3/14/2026". Numeric dates are day
 *       first unless the first number is over 12 in second place ("3/14/2026" is March 14). A date without a year is
 *       in the reference year: the year most of the slot's example values have (the earliest on a tie), never the
 *       clock's. Relative dates ("next week", "tomorrow") are rejected.</li>
 *   <li>{@code email}: the one address in the text, lower-cased, without "mailto:", surrounding "&lt;&gt;", quotes or
 *       trailing punctuation.</li>
 *   <li>{@code enum}: the slot's value spelled exactly as written, or else the one value that matches ignoring case,
 *       spaces, hyphens, underscores and a trailing plural "s"; empty when none or several match.</li>
 *   <li>{@code text}: trimmed, without trailing sentence punctuation.</li>
 * </ul>
 *
 * <p>{@link #writtenForms} lists, canonical first and in a fixed order, only forms that {@link #canonical} reads back
 * to the same value; each says whether it carries its unit ({@link WrittenForm#carriesUnit()}).
 *
 * <p>Instances are immutable and thread-safe. Nothing depends on the clock or the default locale.
 */
public final class ValueNormaliser {
  private static final Pattern EMAIL = Pattern.compile(
      "[\\p{L}\\p{N}!#$%&'*+/=?^_`{|}~-]+(?:\\.[\\p{L}\\p{N}!#$%&'*+/=?^_`{|}~-]+)*"
          + "@(?:[\\p{L}\\p{N}](?:[\\p{L}\\p{N}-]{0,61}[\\p{L}\\p{N}])?\\.)+\\p{L}{2,}");
  private static final String SENTENCE_END = ".!?,;:…";

  private final ValueFormat format;
  private final List<String> enumValues;
  private final Map<String, List<String>> enumValuesByKey;
  private final Integer referenceYear;
  private final Currency currency;

  private ValueNormaliser(ValueFormat format, List<String> enumValues, Integer referenceYear, Currency currency) {
    this.format = format;
    this.enumValues = List.copyOf(enumValues);
    Map<String, List<String>> byKey = new HashMap<>();
    for (String value : this.enumValues) {
      byKey.computeIfAbsent(enumKey(value), k -> new ArrayList<>()).add(value);
    }
    byKey.replaceAll((k, v) -> List.copyOf(v));
    this.enumValuesByKey = Map.copyOf(byKey);
    this.referenceYear = referenceYear;
    this.currency = currency;
  }

  /**
   * The normaliser of a slot's values, by its {@link Slot#normalisation() format}. An enum's values come from the
   * slot; a date's reference year from the years of its example values; money's currency from its description and
   * phrasings, when they name exactly one.
   */
  public static ValueNormaliser of(Slot slot) {
    Objects.requireNonNull(slot, "slot");
    ValueFormat format = slot.normalisation();
    List<String> values = slot.values().stream().filter(Objects::nonNull).map(String::strip).toList();
    // A text slot's listed values are examples, but one written in another case is the listed value ("lisbon").
    return new ValueNormaliser(format, format == ValueFormat.ENUM || format == ValueFormat.TEXT ? values : List.of(),
        format == ValueFormat.DATE ? referenceYear(values) : null,
        format == ValueFormat.MONEY ? currencyOf(slot) : null);
  }

  /** The format this normaliser reads and writes. */
  public ValueFormat format() {
    return format;
  }

  /**
   * The canonical value of a value as written, or empty when it cannot be read as this slot's value (the agent should
   * ask again). See the class comment for what each format reads.
   */
  public Optional<String> canonical(String written) {
    Objects.requireNonNull(written, "written");
    return switch (format) {
      // A day and its month ("Dec 19", "15 Oct 2026") are a date, never a count or an amount.
      case NUMBER, DURATION -> isDate(written) ? Optional.empty()
          : QuantityReader.read(written, format, null).map(ValueNormaliser::plain);
      case MONEY -> isDate(written) ? Optional.empty()
          : QuantityReader.read(written, format, currency).map(ValueNormaliser::money);
      case DATE -> DateText.read(written, referenceYear).map(LocalDate::toString);
      case EMAIL -> email(written);
      case ENUM -> enumValue(written);
      case TEXT -> Optional.of(trimSentence(written)).filter(t -> !t.isEmpty())
          .map(t -> enumValues.stream().filter(v -> v.equalsIgnoreCase(t)).findFirst().orElse(t));
    };
  }

  private static final Pattern MONTH = Pattern.compile(
      "(?i)\\b(jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec)[a-z]*\\b");

  /** Whether a text names a month and reads as a calendar date in any year ("Dec 19", "15 Oct 2026"). */
  private static boolean isDate(String written) {
    return MONTH.matcher(written).find() && DateText.read(written, 2000).isPresent();
  }

  /**
   * The ways people write a canonical value, the canonical value first, in a fixed order, each of which
   * {@link #canonical} reads back to {@code canonical}.
   *
   * <ul>
   *   <li>number: "6", "six"; "1500", "1,500", "1.5k", "fifteen hundred"; words for whole numbers below 100 and whole
   *       hundreds.</li>
   *   <li>money: as number, then, when the slot's currency is known, "€1,500", "1,500 euros", "EUR 1,500" (these
   *       carry their unit).</li>
   *   <li>duration: "7", "seven", "a week"; "14", "fourteen", "two weeks", "a fortnight"; "2", "two", "a weekend"
   *       (the unit forms carry their unit).</li>
   *   <li>date: "2026-03-14", "March 14th", "14 March", "14/03/2026", "14 Mar 2026", "Mar 14"; the forms without a
   *       year add it when the date is not in the reference year.</li>
   *   <li>enum: "Lisbon", "lisbon"; a lower-case value also capitalised, and one of several words hyphenated.</li>
   *   <li>email, text: the value itself.</li>
   * </ul>
   *
   * @throws IllegalArgumentException when {@code canonical} is not a canonical value of this slot
   */
  public List<WrittenForm> writtenForms(String canonical) {
    Objects.requireNonNull(canonical, "canonical");
    Optional<String> read = canonical(canonical);
    if (!read.equals(Optional.of(canonical))) {
      throw new IllegalArgumentException("Invalid canonical " + format.wireName() + " value: '" + canonical + "'"
          + read.map(c -> " (its canonical form is '" + c + "')").orElse(" (it cannot be read as one)"));
    }
    Map<String, Boolean> candidates = new LinkedHashMap<>();
    candidates.put(canonical, false);
    switch (format) {
      case NUMBER, MONEY, DURATION -> numberForms(new BigDecimal(canonical), candidates);
      case DATE -> DateText.forms(LocalDate.parse(canonical), referenceYear).forEach(f -> candidates.putIfAbsent(f, false));
      case ENUM -> {
        String lower = canonical.toLowerCase(Locale.ROOT);
        candidates.putIfAbsent(lower, false);
        if (lower.equals(canonical)) {
          candidates.putIfAbsent(Character.toUpperCase(lower.charAt(0)) + lower.substring(1), false);
        }
        candidates.putIfAbsent(lower.replaceAll("\\s+", "-"), false);
      }
      case EMAIL, TEXT -> {
      }
    }
    List<WrittenForm> forms = new ArrayList<>();
    candidates.forEach((text, carriesUnit) -> {
      if (canonical(text).equals(read)) {
        forms.add(new WrittenForm(text, carriesUnit));
      }
    });
    return List.copyOf(forms);
  }

  @Override
  public String toString() {
    return "ValueNormaliser[" + format.wireName() + (currency == null ? "" : ", " + currency)
        + (referenceYear == null ? "" : ", reference year " + referenceYear) + "]";
  }

  private void numberForms(BigDecimal value, Map<String, Boolean> candidates) {
    BigDecimal stripped = value.stripTrailingZeros();
    boolean whole = stripped.scale() <= 0;
    String grouped = grouped(value);
    candidates.putIfAbsent(grouped, false);
    if (whole && value.signum() >= 0 && value.compareTo(BigDecimal.valueOf(NumberWords.BILLION)) < 0) {
      long n = value.longValueExact();
      if (n >= 1_000 && n < 1_000_000 && n % 100 == 0) {
        candidates.putIfAbsent(plain(BigDecimal.valueOf(n, 3)) + "k", false);
      }
      if (n < 100 || n % 100 == 0) {
        candidates.putIfAbsent(n > 1_000 && n < 2_000 ? NumberWords.writeInHundreds(n) : NumberWords.write(n), false);
      }
      if (format == ValueFormat.DURATION) {
        durationForms(n, candidates);
      }
    }
    if (format == ValueFormat.MONEY && currency != null) {
      boolean one = value.compareTo(BigDecimal.ONE) == 0;
      currency.sign().ifPresent(sign -> candidates.putIfAbsent(sign + grouped, true));
      candidates.putIfAbsent(grouped + " " + currency.word(one), true);
      candidates.putIfAbsent(currency.name() + " " + grouped, true);
    }
  }

  private static void durationForms(long days, Map<String, Boolean> candidates) {
    if (days == 2) {
      candidates.putIfAbsent("a weekend", true);
    }
    if (days > 0 && days % 7 == 0 && days / 7 < NumberWords.BILLION) {
      long weeks = days / 7;
      candidates.putIfAbsent(weeks == 1 ? "a week" : NumberWords.write(weeks) + " weeks", true);
    }
    if (days == 14) {
      candidates.putIfAbsent("a fortnight", true);
    }
  }

  private Optional<String> enumValue(String written) {
    String text = trimSentence(written);
    if (text.length() >= 2 && (text.charAt(0) == '"' || text.charAt(0) == '\'')
        && text.charAt(text.length() - 1) == text.charAt(0)) {
      text = text.substring(1, text.length() - 1).strip();
    }
    if (enumValues.contains(text)) {
      return Optional.of(text); // spelled as declared: never ambiguous
    }
    List<String> matches = enumValuesByKey.getOrDefault(enumKey(text), List.of());
    return matches.size() == 1 ? Optional.of(matches.get(0)) : Optional.empty();
  }

  /** What an enum value is matched by: lower case, without spaces, hyphens, underscores or a trailing plural "s". */
  private static String enumKey(String value) {
    String key = value.toLowerCase(Locale.ROOT).replaceAll("[\\s_-]+", "");
    return key.length() > 1 && key.endsWith("s") ? key.substring(0, key.length() - 1) : key;
  }

  private static Optional<String> email(String written) {
    String whole = unwrapEmail(written.strip().toLowerCase(Locale.ROOT));
    if (EMAIL.matcher(whole).matches()) {
      return Optional.of(whole);
    }
    Set<String> found = new LinkedHashSet<>();
    for (String token : written.strip().toLowerCase(Locale.ROOT).split("\\s+")) {
      String address = unwrapEmail(token);
      if (EMAIL.matcher(address).matches()) {
        found.add(address);
      }
    }
    return found.size() == 1 ? Optional.of(found.iterator().next()) : Optional.empty();
  }

  /** Without "mailto:", surrounding brackets and quotes, or trailing punctuation. */
  private static String unwrapEmail(String text) {
    String t = text;
    String before;
    do {
      before = t;
      while (!t.isEmpty() && "<([{\"'".indexOf(t.charAt(0)) >= 0) {
        t = t.substring(1);
      }
      while (!t.isEmpty() && ">)]}\"'".indexOf(t.charAt(t.length() - 1)) >= 0
          || !t.isEmpty() && SENTENCE_END.indexOf(t.charAt(t.length() - 1)) >= 0) {
        t = t.substring(0, t.length() - 1);
      }
      if (t.startsWith("mailto:")) {
        t = t.substring("mailto:".length());
      }
      t = t.strip();
    } while (!t.equals(before));
    return t;
  }

  /** Trimmed, without trailing sentence punctuation ("Lisbon." is "Lisbon"). */
  private static String trimSentence(String written) {
    String t = written.strip();
    while (!t.isEmpty() && SENTENCE_END.indexOf(t.charAt(t.length() - 1)) >= 0) {
      t = t.substring(0, t.length() - 1).stripTrailing();
    }
    return t;
  }

  /** The year most example dates have, the earliest on a tie; null when no example is an ISO date. */
  private static Integer referenceYear(List<String> values) {
    Map<Integer, Integer> counts = new TreeMap<>();
    for (String value : values) {
      try {
        counts.merge(LocalDate.parse(value).getYear(), 1, Integer::sum);
      } catch (DateTimeParseException e) {
        // not an ISO date: validation reports it; it says nothing about the year
      }
    }
    Integer best = null;
    for (Map.Entry<Integer, Integer> e : counts.entrySet()) {
      if (best == null || e.getValue() > counts.get(best)) {
        best = e.getKey();
      }
    }
    return best;
  }

  /** The one currency the slot's description and phrasings name, or null when they name none or several. */
  private static Currency currencyOf(Slot slot) {
    StringBuilder text = new StringBuilder(slot.description() == null ? "" : slot.description());
    slot.phrasings().forEach(p -> text.append(' ').append(p));
    Set<Currency> named = EnumSet.noneOf(Currency.class);
    String lower = text.toString().toLowerCase(Locale.ROOT);
    for (String word : lower.split("[^\\p{L}]+")) {
      Currency.named(word).ifPresent(named::add);
    }
    for (char c : lower.toCharArray()) {
      Currency.signed(c).ifPresent(named::add);
    }
    return named.size() == 1 ? named.iterator().next() : null;
  }

  /** Digits, without trailing zeros: "1500", "6.5", "-5". */
  private static String plain(BigDecimal value) {
    BigDecimal stripped = value.stripTrailingZeros();
    return (stripped.scale() < 0 ? stripped.setScale(0) : stripped).toPlainString();
  }

  /** Digits, with two decimals when not whole: "1500", "1500.50". */
  private static String money(BigDecimal value) {
    BigDecimal stripped = value.stripTrailingZeros();
    if (stripped.scale() <= 0) {
      return stripped.setScale(0).toPlainString();
    }
    return (stripped.scale() <= 2 ? stripped.setScale(2) : stripped).toPlainString();
  }

  /** With commas between groups of three digits: "1,500", "1,500.50"; as plain below a thousand. */
  private static String grouped(BigDecimal value) {
    String digits = value.toPlainString();
    boolean negative = digits.startsWith("-");
    String unsigned = negative ? digits.substring(1) : digits;
    int dot = unsigned.indexOf('.');
    String whole = dot < 0 ? unsigned : unsigned.substring(0, dot);
    StringBuilder b = new StringBuilder();
    for (int i = 0; i < whole.length(); i++) {
      if (i > 0 && (whole.length() - i) % 3 == 0) {
        b.append(',');
      }
      b.append(whole.charAt(i));
    }
    return (negative ? "-" : "") + b + (dot < 0 ? "" : unsigned.substring(dot));
  }
}

package dev.subterra.workflow.values;

import java.time.DateTimeException;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * Calendar dates as people write them in English: read from ISO, numeric and month-name forms, and written back.
 *
 * <p>Numeric dates are day first, as in Europe, unless that is impossible: in "14/03/2026" the first number is over
 * 12 so it is the day, in "3/14/2026" the second is, so the first is the month, and in "05/03/2026", where both could
 * be either, the day comes first (5 March). A year-first date ("2026-03-14", "2026/03/14") is always year, month, day.
 * A date written without a year takes the reference year; with none, it cannot be read.
 */
final class DateText {
  static final List<String> MONTH_NAMES = List.of("January", "February", "March", "April", "May", "June", "July",
      "August", "September", "October", "November", "December");

  private static final Map<String, Integer> MONTHS = new HashMap<>();
  private static final Map<String, Integer> ORDINALS = new HashMap<>();
  private static final Pattern DATE;
  private static final Pattern WEEKDAY =
      Pattern.compile("(?<!\\p{L})(monday|tuesday|wednesday|thursday|friday|saturday|sunday)(?!\\p{L})");
  /** A second month named beside the date ("March 14th or April"); "may" and "march" are also everyday words. */
  private static final Pattern OTHER_MONTH = Pattern.compile("(?<!\\p{L})(january|february|april|june|july|august"
      + "|september|october|november|december)(?!\\p{L})");

  static {
    for (int m = 0; m < 12; m++) {
      String name = MONTH_NAMES.get(m).toLowerCase(Locale.ROOT);
      MONTHS.put(name, m + 1);
      MONTHS.put(name.substring(0, 3), m + 1);
    }
    MONTHS.put("sept", 9);
    List<String> units = List.of("first", "second", "third", "fourth", "fifth", "sixth", "seventh", "eighth", "ninth");
    List<String> teens = List.of("tenth", "eleventh", "twelfth", "thirteenth", "fourteenth", "fifteenth",
        "sixteenth", "seventeenth", "eighteenth", "nineteenth");
    for (int d = 1; d <= 9; d++) {
      ORDINALS.put(units.get(d - 1), d);
      ORDINALS.put("twenty-" + units.get(d - 1), 20 + d);
    }
    for (int d = 10; d <= 19; d++) {
      ORDINALS.put(teens.get(d - 10), d);
    }
    ORDINALS.put("twentieth", 20);
    ORDINALS.put("thirtieth", 30);
    ORDINALS.put("thirty-first", 31);
    String months = alternation(MONTHS.keySet().stream().toList());
    String ordinals = alternation(ORDINALS.keySet().stream().map(o -> o.replace("-", "[- ]")).toList());
    String iso = "(?<![\\d./-])(?<isoY>\\d{4})(?<isoS>[-/.])(?<isoM>\\d{1,2})\\k<isoS>(?<isoD>\\d{1,2})"
        + "(?!\\d|[-/.]\\d)";
    String numeric = "(?<![\\d./-])(?<numA>\\d{1,2})(?<numS>[-/.])(?<numB>\\d{1,2})(?:\\k<numS>(?<numY>\\d{4}|\\d{2}))?"
        + "(?!\\d|[-/.]\\d)";
    String dayMonth = day("dm", ordinals) + "(?:\\s+of)?[\\s-]+" + month("dm", months)
        + "(?:,?[\\s-]+(?<dmY>\\d{4})(?!\\d))?";
    String monthDay = month("md", months) + "[\\s-]+(?:the\\s+)?" + day("md", ordinals)
        + "(?:,?\\s+(?<mdY>\\d{4})(?!\\d))?";
    DATE = Pattern.compile(iso + "|" + numeric + "|" + dayMonth + "|" + monthDay);
  }

  private DateText() {
  }

  /**
   * The one date {@code written} states, or empty when it states none ("next week"), several different ones, an
   * impossible one (30 February), one with a weekday it does not fall on, or numbers that are not part of the date.
   *
   * @param referenceYear the year of a date written without one, or null to reject such dates
   */
  static Optional<LocalDate> read(String written, Integer referenceYear) {
    String s = written.toLowerCase(Locale.ROOT).replace('\u00A0', ' ').replace('\u2013', '-').replace('\u2011', '-');
    StringBuilder rest = new StringBuilder(s);
    LocalDate found = null;
    Matcher m = DATE.matcher(s);
    while (m.find()) {
      Optional<LocalDate> date;
      try {
        date = dateOf(m, referenceYear);
      } catch (DateTimeException e) {
        return Optional.empty(); // 30 February, month 13
      }
      if (date.isEmpty()) {
        continue; // its digits stay behind and reject the text
      }
      if (found != null && !found.equals(date.get())) {
        return Optional.empty();
      }
      found = date.get();
      for (int i = m.start(); i < m.end(); i++) {
        rest.setCharAt(i, ' ');
      }
    }
    if (found == null || rest.chars().anyMatch(c -> c >= '0' && c <= '9') || OTHER_MONTH.matcher(rest).find()) {
      return Optional.empty();
    }
    String weekday = found.getDayOfWeek().name().toLowerCase(Locale.ROOT);
    Matcher named = WEEKDAY.matcher(s);
    while (named.find()) {
      if (!named.group(1).equals(weekday)) {
        return Optional.empty();
      }
    }
    return Optional.of(found);
  }

  /**
   * The ways people write a date, ISO first: "March 14th", "14 March", "14/03/2026", "14 Mar 2026", "Mar 14". The
   * forms without a year say it ("March 14th, 2027") when the date is not in the reference year.
   */
  static List<String> forms(LocalDate date, Integer referenceYear) {
    boolean referenceYearOnly = referenceYear != null && referenceYear == date.getYear();
    String month = MONTH_NAMES.get(date.getMonthValue() - 1);
    String abbreviation = month.substring(0, 3);
    int day = date.getDayOfMonth();
    int year = date.getYear();
    String ordinal = day + NumberWords.ordinalSuffix(day);
    return List.of(
        date.toString(),
        referenceYearOnly ? month + " " + ordinal : month + " " + ordinal + ", " + year,
        referenceYearOnly ? day + " " + month : day + " " + month + " " + year,
        String.format(Locale.ROOT, "%02d/%02d/%04d", day, date.getMonthValue(), year),
        day + " " + abbreviation + " " + year,
        referenceYearOnly ? abbreviation + " " + day : abbreviation + " " + day + ", " + year);
  }

  /** The date a match states; empty when it is not one after all; throws for an impossible date. */
  private static Optional<LocalDate> dateOf(Matcher m, Integer referenceYear) {
    if (m.group("isoY") != null) {
      return Optional.of(LocalDate.of(Integer.parseInt(m.group("isoY")), Integer.parseInt(m.group("isoM")),
          Integer.parseInt(m.group("isoD"))));
    }
    if (m.group("numA") != null) {
      String yearText = m.group("numY");
      if (yearText == null && m.group("numS").equals("-")) {
        return Optional.empty(); // "3-4" is a range more often than a date
      }
      int a = Integer.parseInt(m.group("numA"));
      int b = Integer.parseInt(m.group("numB"));
      boolean monthFirst = a <= 12 && b > 12;
      Integer year = yearText == null ? referenceYear
          : yearText.length() == 2 ? 2000 + Integer.parseInt(yearText) : Integer.valueOf(yearText);
      return year == null ? Optional.empty()
          : Optional.of(LocalDate.of(year, monthFirst ? a : b, monthFirst ? b : a));
    }
    String prefix = m.group("dmM") != null ? "dm" : "md";
    String yearText = m.group(prefix + "Y");
    Integer year = yearText == null ? referenceYear : Integer.valueOf(yearText);
    if (year == null) {
      return Optional.empty();
    }
    String digits = m.group(prefix + "D");
    int day = digits != null ? Integer.parseInt(digits)
        : ORDINALS.get(m.group(prefix + "O").replace(' ', '-'));
    return Optional.of(LocalDate.of(year, MONTHS.get(m.group(prefix + "M")), day));
  }

  private static String day(String prefix, String ordinals) {
    return "(?<![\\p{L}\\d])(?:(?<" + prefix + "D>\\d{1,2})(?:st|nd|rd|th)?|(?<" + prefix + "O>" + ordinals + "))"
        + "(?![\\p{L}\\d])";
  }

  private static String month(String prefix, String months) {
    return "(?<!\\p{L})(?<" + prefix + "M>" + months + ")(?!\\p{L})\\.?";
  }

  /** Longest first, so that no alternative stops at a shorter one it begins with. */
  private static String alternation(List<String> words) {
    return words.stream().sorted(Comparator.comparingInt(String::length).reversed().thenComparing(w -> w))
        .collect(Collectors.joining("|", "(?:", ")"));
  }
}

package dev.subterra.workflow.values;

import java.util.List;

/** English number words, read one word at a time and written for whole numbers below a billion. */
final class NumberWords {
  static final List<String> SMALL = List.of("zero", "one", "two", "three", "four", "five", "six", "seven", "eight",
      "nine", "ten", "eleven", "twelve", "thirteen", "fourteen", "fifteen", "sixteen", "seventeen", "eighteen",
      "nineteen");
  static final List<String> TENS = List.of("", "", "twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty",
      "ninety");
  static final long BILLION = 1_000_000_000L;

  private NumberWords() {
  }

  /** The value of "zero" to "nineteen", or -1. */
  static int small(String word) {
    return SMALL.indexOf(word);
  }

  /** The value of "twenty" to "ninety", or -1. */
  static int tens(String word) {
    int i = TENS.indexOf(word);
    return i >= 2 ? i * 10 : -1;
  }

  /** The multiplier of "thousand" or "million", or 0. */
  static long scale(String word) {
    return switch (word) {
      case "thousand" -> 1_000L;
      case "million" -> 1_000_000L;
      default -> 0L;
    };
  }

  /** Whether a word is part of how a number is said, so that it cannot be ignored when it stands alone. */
  static boolean isNumberWord(String word) {
    return small(word) >= 0 || tens(word) >= 0 || scale(word) > 0 || word.equals("hundred") || word.equals("dozen");
  }

  /** A whole number {@code 0 <= n < 1e9} in words: "twenty-one", "two thousand five hundred". */
  static String write(long n) {
    if (n < 0 || n >= BILLION) {
      throw new IllegalArgumentException("Invalid number to write in words: " + n);
    }
    if (n < 20) {
      return SMALL.get((int) n);
    }
    if (n < 100) {
      return TENS.get((int) (n / 10)) + (n % 10 == 0 ? "" : "-" + SMALL.get((int) (n % 10)));
    }
    if (n < 1_000) {
      return SMALL.get((int) (n / 100)) + " hundred" + rest(n % 100);
    }
    if (n < 1_000_000) {
      return write(n / 1_000) + " thousand" + rest(n % 1_000);
    }
    return write(n / 1_000_000) + " million" + rest(n % 1_000_000);
  }

  /** "fifteen hundred" for a whole number of hundreds between 1100 and 1900, which people say that way. */
  static String writeInHundreds(long n) {
    if (n <= 1_000 || n >= 2_000 || n % 100 != 0) {
      throw new IllegalArgumentException("Invalid number to write in hundreds: " + n);
    }
    return write(n / 100) + " hundred";
  }

  /** The English ordinal suffix of a day of the month: "st", "nd", "rd" or "th". */
  static String ordinalSuffix(int n) {
    if (n % 100 >= 11 && n % 100 <= 13) {
      return "th";
    }
    return switch (n % 10) {
      case 1 -> "st";
      case 2 -> "nd";
      case 3 -> "rd";
      default -> "th";
    };
  }

  private static String rest(long n) {
    return n == 0 ? "" : " " + write(n);
  }
}

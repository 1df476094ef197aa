package dev.subterra.workflow.values;

import dev.subterra.workflow.ValueFormat;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads the one quantity a piece of text states, for the {@code number}, {@code money} and {@code duration} formats.
 *
 * <p>The text is cut into numerals, words, currencies and breaks (punctuation). A numeral, or a run of number words
 * ("two thousand five hundred", "a couple", "half a dozen"), is one mention; a duration mention may be followed by
 * its unit ("two weeks", "a fortnight"). Other words are ignored, because the number is the point of the phrase ("two
 * of us", "party of 5"). Anything that could change the number's meaning and that this reader does not understand
 * ("6pm", "14th", "6+", "50%", a lone "hundred" or "half") makes the whole text unreadable: a wrong tool call costs
 * more than asking again.
 */
final class QuantityReader {
  private static final BigDecimal HALF = new BigDecimal("0.5");
  private static final BigDecimal THOUSAND = BigDecimal.valueOf(1_000);

  /**
   * Digit groups of three after commas ("1,500"), or after single spaces ("1 500"), or plain digits; each with an
   * optional decimal part after a dot. A comma before anything but three digits ends the numeral ("6,5" is 6 and 5).
   */
  private static final Pattern NUMERAL = Pattern.compile(
      "-?(?:\\d{1,3}(?:,\\d{3})+(?:\\.\\d+)?(?!\\d)|\\d{1,3}(?: \\d{3})+(?:\\.\\d+)?(?!\\d)|\\d+(?:\\.\\d+)?)");
  /** "1.500" is one and a half in English and fifteen hundred in much of Europe. */
  private static final Pattern DOT_BEFORE_THREE_DIGITS = Pattern.compile("-?[1-9]\\d{0,2}\\.\\d{3}");
  /** Words that may be written against a numeral ("1500eur", "4nights") without changing what it means. */
  private static final Set<String> ATTACHABLE =
      Set.of("day", "days", "night", "nights", "week", "weeks", "people", "pax", "adults", "guests", "persons");
  /** Words that only multiply or add to a number, so one standing alone means the text was not understood. */
  private static final Set<String> DANGLING = Set.of("hundred", "thousand", "million", "dozen", "half");
  /** Words that "a" or "an" counts as one of. */
  private static final Set<String> COUNTED_BY_ARTICLE = Set.of("hundred", "thousand", "million", "dozen", "couple");
  /** Money in units below the currency's own, which this reader does not convert. */
  private static final Set<String> SUBUNITS = Set.of("cent", "cents", "pence", "penny", "p");
  /** Durations in units that are not a whole number of days. */
  private static final Set<String> OTHER_TIME_UNITS =
      Set.of("month", "months", "year", "years", "hour", "hours", "minute", "minutes");

  private QuantityReader() {
  }

  /** A piece of the text. */
  sealed interface Token permits Num, Word, Cur, Break {
  }

  /** A numeral, with "k" applied; {@code dotBeforeThreeDigits} marks the "1.500" ambiguity. */
  record Num(BigDecimal value, boolean dotBeforeThreeDigits) implements Token {
  }

  /** A lower-case word. */
  record Word(String text) implements Token {
  }

  /** A currency sign, code or word. */
  record Cur(Currency currency) implements Token {
  }

  /** Punctuation, which ends a run of number words. */
  enum Break implements Token {
    BREAK
  }

  private record Quantity(BigDecimal value, int unitDays, int start, int end, boolean dotBeforeThreeDigits) {
  }

  private record Spoken(BigDecimal value, int end, boolean dotBeforeThreeDigits) {
  }

  private enum Last { NONE, NUM, ARTICLE, UNIT, TEEN, TENS, HUNDRED, SCALE, AND, HALF, DONE }

  /**
   * The quantity that {@code written} states in the given format, or empty when it states none, several, or one this
   * reader cannot be sure of.
   *
   * @param format {@code NUMBER}, {@code MONEY} or {@code DURATION}
   * @param slotCurrency for money, the one currency the slot is in, or null when it is not known
   */
  static Optional<BigDecimal> read(String written, ValueFormat format, Currency slotCurrency) {
    List<Token> tokens = tokens(written);
    if (tokens == null) {
      return Optional.empty();
    }
    if (format == ValueFormat.MONEY && !currencyFits(tokens, slotCurrency)) {
      return Optional.empty();
    }
    if (format == ValueFormat.DURATION && namesAnotherTimeUnit(tokens)) {
      return Optional.empty();
    }
    List<Quantity> quantities = quantities(tokens, format);
    if (quantities == null) {
      return Optional.empty();
    }
    BigDecimal value;
    if (quantities.size() == 1) {
      value = quantities.get(0).value();
    } else if (format == ValueFormat.DURATION && isWeeksAndDays(quantities, tokens)) {
      value = quantities.get(0).value().add(quantities.get(1).value());
    } else {
      return Optional.empty();
    }
    if (format == ValueFormat.MONEY && quantities.stream().anyMatch(Quantity::dotBeforeThreeDigits)) {
      return Optional.empty();
    }
    if (format != ValueFormat.NUMBER && value.signum() < 0) {
      return Optional.empty();
    }
    if (format == ValueFormat.DURATION && value.stripTrailingZeros().scale() > 0) {
      return Optional.empty();
    }
    return Optional.of(value);
  }

  /** The text cut into tokens, or null when a numeral is glued to something that may change its meaning. */
  static List<Token> tokens(String written) {
    String s = prepare(written);
    List<Token> out = new ArrayList<>();
    int i = 0;
    int n = s.length();
    while (i < n) {
      char c = s.charAt(i);
      if (Character.isWhitespace(c)) {
        i++;
        continue;
      }
      boolean afterLetterOrDigit = i > 0 && Character.isLetterOrDigit(s.charAt(i - 1));
      boolean negative = c == '-' && i + 1 < n && isDigit(s.charAt(i + 1)) && !afterLetterOrDigit;
      if (isDigit(c) || negative) {
        if (afterLetterOrDigit && (out.isEmpty() || !(out.get(out.size() - 1) instanceof Cur))) {
          return null; // "abc123", "1.5k2"
        }
        Matcher m = NUMERAL.matcher(s).region(i, n);
        m.useTransparentBounds(true);
        if (!m.lookingAt()) {
          return null;
        }
        String literal = m.group();
        BigDecimal value = new BigDecimal(literal.replace(",", "").replace(" ", ""));
        boolean dotBeforeThree = DOT_BEFORE_THREE_DIGITS.matcher(literal).matches();
        i = m.end();
        if (i < n && Character.isLetter(s.charAt(i))) {
          int end = wordEnd(s, i);
          String suffix = s.substring(i, end);
          Optional<Currency> currency = Currency.named(suffix);
          if (suffix.equals("k")) {
            out.add(new Num(value.multiply(THOUSAND), dotBeforeThree));
          } else if (currency.isPresent()) {
            out.add(new Num(value, dotBeforeThree));
            out.add(new Cur(currency.get()));
          } else if (ATTACHABLE.contains(suffix)) {
            out.add(new Num(value, dotBeforeThree));
            out.add(new Word(suffix));
          } else {
            return null; // "6pm", "14th", "2x"
          }
          i = end;
        } else if (i < n && "+%°".indexOf(s.charAt(i)) >= 0) {
          return null; // "6+" is at least six, "50%" a share
        } else {
          out.add(new Num(value, dotBeforeThree));
        }
      } else if (Character.isLetter(c)) {
        int end = wordEnd(s, i);
        String word = s.substring(i, end);
        Optional<Currency> currency = Currency.named(word);
        if (end < n && isDigit(s.charAt(end)) && currency.isEmpty()) {
          return null;
        }
        out.add(currency.<Token>map(Cur::new).orElse(new Word(word)));
        i = end;
      } else {
        Optional<Currency> currency = Currency.signed(c);
        if (c == '-' && i > 0 && Character.isLetter(s.charAt(i - 1)) && i + 1 < n && isDigit(s.charAt(i + 1))) {
          return null; // a code such as "BK-20931" or "A-100", not a number
        }
        if (currency.isPresent()) {
          out.add(new Cur(currency.get()));
        } else if (c == '-' && afterLetterOrDigit && i + 1 < n && Character.isLetterOrDigit(s.charAt(i + 1))
            && !(isDigit(s.charAt(i - 1)) && isDigit(s.charAt(i + 1)))) {
          // a hyphen inside "twenty-one" or "7-night" joins words; between digits ("3-4") it is a range
        } else {
          out.add(Break.BREAK);
        }
        i++;
      }
    }
    return out;
  }

  private static String prepare(String written) {
    StringBuilder b = new StringBuilder(written.length());
    for (char c : written.toLowerCase(Locale.ROOT).toCharArray()) {
      b.append(switch (c) {
        case '\u00A0', '\u2007', '\u2009', '\u202F' -> ' '; // no-break and thin spaces group digits ("1 500")
        case '\u2010', '\u2011', '\u2012', '\u2013', '\u2014', '\u2212' -> '-';
        case '\u2019' -> '\'';
        default -> c;
      });
    }
    return b.toString();
  }

  private static boolean isDigit(char c) {
    return c >= '0' && c <= '9';
  }

  private static int wordEnd(String s, int i) {
    int j = i;
    while (j < s.length()
        && (Character.isLetter(s.charAt(j))
            || (s.charAt(j) == '\'' && j + 1 < s.length() && Character.isLetter(s.charAt(j + 1)) && j > i))) {
      j++;
    }
    return j;
  }

  private static boolean currencyFits(List<Token> tokens, Currency slotCurrency) {
    Set<Currency> named = new HashSet<>();
    for (Token token : tokens) {
      if (token instanceof Cur cur) {
        named.add(cur.currency());
      } else if (token instanceof Word word && SUBUNITS.contains(word.text())) {
        return false;
      }
    }
    if (named.size() > 1) {
      return false;
    }
    return slotCurrency == null || named.isEmpty() || named.contains(slotCurrency);
  }

  private static boolean namesAnotherTimeUnit(List<Token> tokens) {
    for (int i = 0; i < tokens.size(); i++) {
      String word = word(tokens, i);
      if (word != null && (OTHER_TIME_UNITS.contains(word)
          || (word.equals("long") && "weekend".equals(word(tokens, i + 1))))) {
        return true; // a long weekend is three days or four
      }
    }
    return false;
  }

  /** Every mention in order, or null when a word that only modifies a number stands alone. */
  private static List<Quantity> quantities(List<Token> t, ValueFormat format) {
    boolean duration = format == ValueFormat.DURATION;
    List<Quantity> out = new ArrayList<>();
    int i = 0;
    while (i < t.size()) {
      BigDecimal quantity;
      int end;
      boolean dotBeforeThree = false;
      if (duration && isArticle(word(t, i)) && unitDays(word(t, i + 1)) > 0) {
        quantity = BigDecimal.ONE; // "a week"
        end = i + 1;
      } else if (duration && "half".equals(word(t, i)) && isArticle(word(t, i + 1))
          && unitDays(word(t, i + 2)) > 0) {
        quantity = HALF; // "half a week", rejected later as not whole
        end = i + 2;
      } else if (startsNumber(t, i)) {
        Spoken spoken = spoken(t, i, format);
        quantity = spoken.value();
        end = spoken.end();
        dotBeforeThree = spoken.dotBeforeThreeDigits();
      } else if (word(t, i) != null && DANGLING.contains(word(t, i))) {
        return null;
      } else {
        i++;
        continue;
      }
      int unitDays = 0;
      if (duration) {
        int k = "of".equals(word(t, end)) ? end + 1 : end; // "a couple of weeks"
        unitDays = unitDays(word(t, k));
        if (unitDays > 0) {
          k++;
          if ("and".equals(word(t, k)) && isArticle(word(t, k + 1)) && "half".equals(word(t, k + 2))) {
            quantity = quantity.add(HALF); // "a week and a half"
            k += 3;
          }
          end = k;
        }
      }
      BigDecimal value = unitDays == 0 ? quantity : quantity.multiply(BigDecimal.valueOf(unitDays));
      out.add(new Quantity(value, unitDays, i, end, dotBeforeThree));
      i = end;
    }
    return out;
  }

  /** "two weeks and 3 days": weeks, then "and", then days or nights. */
  private static boolean isWeeksAndDays(List<Quantity> quantities, List<Token> tokens) {
    if (quantities.size() != 2) {
      return false;
    }
    Quantity weeks = quantities.get(0);
    Quantity days = quantities.get(1);
    return weeks.unitDays() >= 7 && days.unitDays() == 1 && days.start() == weeks.end() + 1
        && "and".equals(word(tokens, weeks.end()));
  }

  private static boolean startsNumber(List<Token> t, int i) {
    if (i < t.size() && t.get(i) instanceof Num) {
      return true;
    }
    String w = word(t, i);
    if (w == null) {
      return false;
    }
    if (NumberWords.small(w) >= 0 || NumberWords.tens(w) >= 0 || w.equals("couple")) {
      return true;
    }
    if (isArticle(w)) {
      return countedByArticle(word(t, i + 1));
    }
    return w.equals("half") && isArticle(word(t, i + 1)) && countedByArticle(word(t, i + 2))
        && !"couple".equals(word(t, i + 2));
  }

  /** One mention: a numeral or number words, with the words that scale it ("1.5 thousand", "two grand"). */
  private static Spoken spoken(List<Token> t, int i, ValueFormat format) {
    BigDecimal total = BigDecimal.ZERO;
    BigDecimal current = BigDecimal.ZERO;
    long lastScale = Long.MAX_VALUE;
    boolean dotBeforeThree = false;
    Last last = Last.NONE;
    int j = i;
    if ("half".equals(word(t, j))) {
      current = HALF; // "half a dozen": the multiplier follows the article
      last = Last.ARTICLE;
      j += 2;
    }
    loop:
    while (j < t.size() && last != Last.DONE) {
      if (t.get(j) instanceof Num num) {
        if (last != Last.NONE) {
          break;
        }
        current = num.value();
        dotBeforeThree = num.dotBeforeThreeDigits();
        last = Last.NUM;
        j++;
        continue;
      }
      String w = word(t, j);
      if (w == null) {
        break;
      }
      boolean wordsMayFollow = EnumSet.of(Last.NONE, Last.HUNDRED, Last.SCALE, Last.AND).contains(last);
      boolean counted = EnumSet.of(Last.NUM, Last.ARTICLE, Last.UNIT, Last.TEEN, Last.TENS, Last.HALF).contains(last);
      int small = NumberWords.small(w);
      int tens = NumberWords.tens(w);
      long scale = NumberWords.scale(w);
      if (w.equals("k") && last == Last.NUM) {
        scale = 1_000; // "2 k"
      } else if (w.equals("grand") && format == ValueFormat.MONEY) {
        scale = 1_000;
      }
      switch (w) {
        case "a", "an" -> {
          if (last != Last.NONE || !countedByArticle(word(t, j + 1))) {
            break loop;
          }
          current = BigDecimal.ONE;
          last = Last.ARTICLE;
          j++;
        }
        case "couple" -> {
          if (last != Last.NONE && last != Last.ARTICLE) {
            break loop;
          }
          current = BigDecimal.valueOf(2);
          last = Last.DONE;
          j++;
        }
        case "hundred", "dozen" -> {
          if (!counted || current.signum() <= 0 || current.compareTo(BigDecimal.valueOf(100)) >= 0) {
            break loop;
          }
          current = current.multiply(BigDecimal.valueOf(w.equals("hundred") ? 100 : 12));
          last = w.equals("hundred") ? Last.HUNDRED : Last.DONE;
          j++;
        }
        case "and" -> {
          if ((last == Last.NUM || last == Last.UNIT || last == Last.TEEN || last == Last.TENS)
              && isArticle(word(t, j + 1)) && "half".equals(word(t, j + 2))) {
            current = current.add(HALF); // "two and a half"
            last = Last.HALF;
            j += 3;
          } else if ((last == Last.HUNDRED || last == Last.SCALE) && isWordAfterAnd(word(t, j + 1))) {
            last = Last.AND; // "a hundred and fifty"
            j++;
          } else {
            break loop;
          }
        }
        default -> {
          if (small >= 0 && small < 10) {
            if (!(wordsMayFollow || (last == Last.TENS && small > 0))) {
              break loop;
            }
            current = current.add(BigDecimal.valueOf(small));
            last = Last.UNIT;
          } else if (small >= 10 || tens > 0) {
            if (!wordsMayFollow) {
              break loop;
            }
            current = current.add(BigDecimal.valueOf(small >= 10 ? small : tens));
            last = small >= 10 ? Last.TEEN : Last.TENS;
          } else if (scale > 0) {
            if (!(counted || last == Last.HUNDRED) || current.signum() <= 0
                || current.compareTo(THOUSAND) >= 0 || scale >= lastScale) {
              break loop;
            }
            total = total.add(current.multiply(BigDecimal.valueOf(scale)));
            current = BigDecimal.ZERO;
            lastScale = scale;
            last = w.equals("grand") ? Last.DONE : Last.SCALE;
          } else {
            break loop;
          }
          j++;
        }
      }
    }
    return new Spoken(total.add(current), j, dotBeforeThree);
  }

  private static boolean isWordAfterAnd(String w) {
    return w != null && (NumberWords.small(w) > 0 || NumberWords.tens(w) > 0);
  }

  private static boolean countedByArticle(String w) {
    return w != null && COUNTED_BY_ARTICLE.contains(w);
  }

  private static boolean isArticle(String w) {
    return "a".equals(w) || "an".equals(w);
  }

  /** Days in one of a duration unit: 1 for a day or night, 7 a week, 14 a fortnight, 2 a weekend; else 0. */
  private static int unitDays(String w) {
    if (w == null) {
      return 0;
    }
    return switch (w) {
      case "day", "days", "night", "nights" -> 1;
      case "week", "weeks" -> 7;
      case "fortnight", "fortnights" -> 14;
      case "weekend", "weekends" -> 2;
      default -> 0;
    };
  }

  private static String word(List<Token> t, int i) {
    return i >= 0 && i < t.size() && t.get(i) instanceof Word word ? word.text() : null;
  }
}

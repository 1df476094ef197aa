package dev.subterra.workflow.values;

import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/** A currency that money values may be written with: its sign, ISO code and the words people use for it. */
enum Currency {
  EUR("€", "euro", "euros", List.of("euro", "euros")),
  USD("$", "dollar", "dollars", List.of("dollar", "dollars", "buck", "bucks")),
  GBP("£", "pound", "pounds", List.of("pound", "pounds", "quid", "sterling")),
  JPY("¥", "yen", "yen", List.of("yen")),
  CHF(null, "franc", "francs", List.of("franc", "francs")),
  INR("₹", "rupee", "rupees", List.of("rupee", "rupees"));

  private static final Map<String, Currency> BY_WORD = new HashMap<>();

  static {
    for (Currency currency : values()) {
      BY_WORD.put(currency.name().toLowerCase(Locale.ROOT), currency);
      for (String word : currency.words) {
        BY_WORD.put(word, currency);
      }
    }
  }

  private final String sign;
  private final String singular;
  private final String plural;
  private final List<String> words;

  Currency(String sign, String singular, String plural, List<String> words) {
    this.sign = sign;
    this.singular = singular;
    this.plural = plural;
    this.words = words;
  }

  /** The currency a lower-case word or ISO code names ("euros", "eur", "quid"). */
  static Optional<Currency> named(String lowerCaseWord) {
    return Optional.ofNullable(BY_WORD.get(lowerCaseWord));
  }

  /** The currency a sign stands for; "$" is taken to be the US dollar. */
  static Optional<Currency> signed(char sign) {
    for (Currency currency : values()) {
      if (currency.sign != null && currency.sign.charAt(0) == sign) {
        return Optional.of(currency);
      }
    }
    return Optional.empty();
  }

  /** The sign, or empty for a currency written only with its code or name. */
  Optional<String> sign() {
    return Optional.ofNullable(sign);
  }

  /** The word for an amount: "euro" for one, "euros" otherwise. */
  String word(boolean one) {
    return one ? singular : plural;
  }
}

package dev.subterra.workflow.values;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.subterra.workflow.Slot;
import dev.subterra.workflow.SlotType;
import dev.subterra.workflow.ValueFormat;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * {@link ValueNormaliser}: what each format reads, what it rejects, and the round trip that every written form of a
 * canonical value reads back to it.
 */
class ValueNormaliserTest {
  /** Seed of the random values in the round-trip properties. */
  private static final long SEED = 20260314L;

  private static final ValueNormaliser NUMBER =
      ValueNormaliser.of(Slot.pool(SlotType.NUMBER, "Party size.", List.of("1", "2", "6")));
  private static final ValueNormaliser MONEY = ValueNormaliser.of(new Slot(SlotType.NUMBER,
      "Total budget for the whole party, in EUR.", List.of("900", "1500", "2200"), null, null, null, ValueFormat.MONEY,
      List.of("under {budget} EUR", "no more than {budget} euros")));
  private static final ValueNormaliser MONEY_ANY_CURRENCY = ValueNormaliser.of(new Slot(SlotType.NUMBER,
      "Total budget.", List.of("900", "1500"), null, null, null, ValueFormat.MONEY, null));
  private static final ValueNormaliser DURATION = ValueNormaliser.of(new Slot(SlotType.NUMBER, "Length of stay in"
      + " nights.", List.of("3", "7", "14"), null, null, null, ValueFormat.DURATION, List.of("for {nights} nights")));
  private static final ValueNormaliser DATE = ValueNormaliser.of(Slot.pool(SlotType.DATE, "Outbound travel date.",
      List.of("2026-03-14", "2026-04-02", "2027-01-10", "2026-12-19")));
  private static final ValueNormaliser EMAIL = ValueNormaliser.of(new Slot(SlotType.STRING, "Where the confirmation"
      + " goes.", List.of("grace.oc@example.net"), null, null, null, ValueFormat.EMAIL, null));
  private static final ValueNormaliser ENUM = ValueNormaliser.of(Slot.pool(SlotType.ENUM, "Destination.",
      List.of("Lisbon", "Cape Town", "screen sharing", "plan limits", "Free", "Pro", "Pros")));
  private static final ValueNormaliser TEXT =
      ValueNormaliser.of(Slot.pool(SlotType.TEXT, "What happened.", List.of("The screen is cracked")));

  @Test
  void formatIsTheSlotsOrItsTypesDefault() {
    assertThat(NUMBER.format()).isEqualTo(ValueFormat.NUMBER);
    assertThat(MONEY.format()).isEqualTo(ValueFormat.MONEY);
    assertThat(DATE.format()).isEqualTo(ValueFormat.DATE);
    assertThat(ENUM.format()).isEqualTo(ValueFormat.ENUM);
    assertThat(TEXT.format()).isEqualTo(ValueFormat.TEXT);
    assertThat(ValueNormaliser.of(Slot.pool(SlotType.STRING, "A name.", List.of("Ana"))).format())
        .isEqualTo(ValueFormat.TEXT);
  }

  @Nested
  class Numbers {
    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource(delimiter = '|', textBlock = """
        6                         | 6
        06                        | 6
        6.5                       | 6.5
        6.50                      | 6.5
        '  6  '                   | 6
        six                       | 6
        Six.                      | 6
        twenty-one                | 21
        twenty one                | 21
        ninety-nine               | 99
        a hundred                 | 100
        one hundred and five      | 105
        a hundred and fifty       | 150
        fifteen hundred           | 1500
        twenty-one hundred        | 2100
        two thousand five hundred | 2500
        two thousand and twenty-six | 2026
        a thousand                | 1000
        one hundred thousand      | 100000
        two million               | 2000000
        zero                      | 0
        a couple                  | 2
        a couple of us            | 2
        a dozen                   | 12
        half a dozen              | 6
        two and a half            | 2.5
        1,500                     | 1500
        "1,500.00"                | 1500
        12,000                    | 12000
        "1,234,567"               | 1234567
        1.5k                      | 1500
        2k                        | 2000
        2K                        | 2000
        2 k                       | 2000
        1.5 thousand              | 1500
        1 500                     | 1500
        1\u00A0500                | 1500
        two of us                 | 2
        the two of us             | 2
        6 people                  | 6
        4 nights                  | 4
        4nights                   | 4
        party of 5                | 5
        a party of five           | 5
        we are six                | 6
        -5                        | -5
        1.500                     | 1.5
        """)
    void reads(String written, String canonical) {
      assertThat(NUMBER.canonical(written.replace("\\u00A0", "\u00A0"))).contains(canonical);
    }

    @ParameterizedTest(name = "[{index}] '{0}'")
    @ValueSource(strings = {"", " ", "abc", "a few", "several", "some of us", "five or six", "5 or 6", "six, seven",
        "2 adults and 2 children", "6 6", "3-4", "3–4", "6,5", "1,50", "6/7", "10:30", "6pm", "14th", "6+", "50%",
        "abc123", "BK-20931", "A-100", "Dec 19", "15 Oct 2026", "1e3", "hundreds of us", "half", "a half", "five six", "one two three",
        "two thousand thousand", "a week", "1.5k2", "twenty zero"})
    void rejects(String written) {
      assertThat(NUMBER.canonical(written)).isEmpty();
    }

    @Test
    void writtenForms() {
      assertThat(texts(NUMBER, "6")).containsExactly("6", "six");
      assertThat(texts(NUMBER, "21")).containsExactly("21", "twenty-one");
      assertThat(texts(NUMBER, "150")).containsExactly("150");
      assertThat(texts(NUMBER, "1500")).containsExactly("1500", "1,500", "1.5k", "fifteen hundred");
      assertThat(texts(NUMBER, "2500")).containsExactly("2500", "2,500", "2.5k", "two thousand five hundred");
      assertThat(texts(NUMBER, "6.5")).containsExactly("6.5");
      assertThat(texts(NUMBER, "-5")).containsExactly("-5");
      assertThat(NUMBER.writtenForms("6")).noneMatch(WrittenForm::carriesUnit);
    }
  }

  @Nested
  class Money {
    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource(delimiter = '|', textBlock = """
        1500            | 1500
        EUR 1,500       | 1500
        eur1500         | 1500
        1500 euros      | 1500
        1500eur         | 1500
        €1.5k           | 1500
        € 1 500         | 1500
        "1,500.00"      | 1500
        1500.5          | 1500.50
        1500.50 EUR     | 1500.50
        two grand       | 2000
        1.5 grand       | 1500
        fifteen hundred euros | 1500
        under 1500 EUR  | 1500
        around €2,200 all in | 2200
        """)
    void reads(String written, String canonical) {
      assertThat(MONEY.canonical(written)).contains(canonical);
    }

    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource(delimiter = '|', textBlock = """
        £900     | 900
        $2,200   | 2200
        USD 2200 | 2200
        900 quid | 900
        €1,500   | 1500
        """)
    void readsAnyCurrencyWhenTheSlotNamesNone(String written, String canonical) {
      assertThat(MONEY_ANY_CURRENCY.canonical(written)).contains(canonical);
    }

    @ParameterizedTest(name = "[{index}] '{0}'")
    @ValueSource(strings = {"$2,200", "£900", "900 dollars", "€900 or $1000", "1.500", "€1.500", "50 cents",
        "-500", "1500 to 2000", "a lot", "1,500.00 or so, maybe 2k"})
    void rejects(String written) {
      assertThat(MONEY.canonical(written)).isEmpty();
    }

    @Test
    void rejectsTwoCurrenciesEvenWhenTheSlotNamesNone() {
      assertThat(MONEY_ANY_CURRENCY.canonical("€1500 ($1600)")).isEmpty();
      assertThat(MONEY_ANY_CURRENCY.canonical("1500 euros in dollars")).isEmpty();
    }

    @Test
    void writtenFormsCarryTheSlotsCurrencyLast() {
      assertThat(MONEY.writtenForms("1500")).containsExactly(
          new WrittenForm("1500", false), new WrittenForm("1,500", false), new WrittenForm("1.5k", false),
          new WrittenForm("fifteen hundred", false), new WrittenForm("€1,500", true),
          new WrittenForm("1,500 euros", true), new WrittenForm("EUR 1,500", true));
      assertThat(texts(MONEY, "900")).containsExactly("900", "nine hundred", "€900", "900 euros", "EUR 900");
      assertThat(texts(MONEY, "1500.50")).containsExactly("1500.50", "1,500.50", "€1,500.50", "1,500.50 euros",
          "EUR 1,500.50");
      assertThat(texts(MONEY_ANY_CURRENCY, "1500")).containsExactly("1500", "1,500", "1.5k", "fifteen hundred");
    }

    @Test
    void writtenFormsRejectANonCanonicalValue() {
      assertThatThrownBy(() -> MONEY.writtenForms("1,500")).isInstanceOf(IllegalArgumentException.class)
          .hasMessage("Invalid canonical money value: '1,500' (its canonical form is '1500')");
      assertThatThrownBy(() -> MONEY.writtenForms("1500.5")).isInstanceOf(IllegalArgumentException.class)
          .hasMessage("Invalid canonical money value: '1500.5' (its canonical form is '1500.50')");
      assertThatThrownBy(() -> MONEY.writtenForms("lots")).isInstanceOf(IllegalArgumentException.class)
          .hasMessage("Invalid canonical money value: 'lots' (it cannot be read as one)");
    }
  }

  @Nested
  class Durations {
    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource(delimiter = '|', textBlock = """
        7                    | 7
        seven                | 7
        a week               | 7
        one week             | 7
        1 week               | 7
        for a week           | 7
        two weeks            | 14
        2 weeks              | 14
        a fortnight          | 14
        a couple of weeks    | 14
        three weeks          | 21
        ten days             | 10
        a weekend            | 2
        5 nights             | 5
        5-night stay         | 5
        a 7-night stay       | 7
        a night              | 1
        a couple of nights   | 2
        two weeks and 3 days | 17
        a week and two days  | 9
        """)
    void reads(String written, String canonical) {
      assertThat(DURATION.canonical(written)).contains(canonical);
    }

    @ParameterizedTest(name = "[{index}] '{0}'")
    @ValueSource(strings = {"a week and a half", "one and a half weeks", "half a week", "6.5", "a long weekend",
        "a month", "two months", "a year", "48 hours", "next week", "the week", "a few days", "a week or two",
        "7 nights, a week", "5 or 6 nights", "-3", "fortnight"})
    void rejects(String written) {
      assertThat(DURATION.canonical(written)).isEmpty();
    }

    @Test
    void writtenFormsSayWhichCarryTheirUnit() {
      assertThat(DURATION.writtenForms("7")).containsExactly(
          new WrittenForm("7", false), new WrittenForm("seven", false), new WrittenForm("a week", true));
      assertThat(DURATION.writtenForms("14")).containsExactly(new WrittenForm("14", false),
          new WrittenForm("fourteen", false), new WrittenForm("two weeks", true), new WrittenForm("a fortnight", true));
      assertThat(DURATION.writtenForms("2")).containsExactly(
          new WrittenForm("2", false), new WrittenForm("two", false), new WrittenForm("a weekend", true));
      assertThat(texts(DURATION, "10")).containsExactly("10", "ten");
      assertThat(texts(DURATION, "21")).containsExactly("21", "twenty-one", "three weeks");
    }
  }

  @Nested
  class Dates {
    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource(delimiter = '|', textBlock = """
        2026-03-14              | 2026-03-14
        2026/03/14              | 2026-03-14
        2026-3-4                | 2026-03-04
        March 14th              | 2026-03-14
        march 14                | 2026-03-14
        14 March                | 2026-03-14
        14th of March           | 2026-03-14
        the 14th of March       | 2026-03-14
        the fourteenth of March | 2026-03-14
        March the 14th          | 2026-03-14
        Mar 14                  | 2026-03-14
        Mar. 14                 | 2026-03-14
        Sept 26                 | 2026-09-26
        14 Mar 2026             | 2026-03-14
        14-Mar-2026             | 2026-03-14
        '14 March, 2027'        | 2027-03-14
        'March 14, 2026'        | 2026-03-14
        March 14 2027           | 2027-03-14
        'Saturday, March 14th'  | 2026-03-14
        on March 14th please    | 2026-03-14
        the twenty-first of May | 2026-05-21
        first of May            | 2026-05-01
        14/03/2026              | 2026-03-14
        14.03.2026              | 2026-03-14
        14-03-2026              | 2026-03-14
        14/03/26                | 2026-03-14
        14/03                   | 2026-03-14
        3/14/2026               | 2026-03-14
        05/03/2026              | 2026-03-05
        5/3/2026                | 2026-03-05
        '14/03/2026 (March 14th)' | 2026-03-14
        29 Feb 2028             | 2028-02-29
        """)
    void reads(String written, String canonical) {
      assertThat(DATE.canonical(written)).contains(canonical);
    }

    @ParameterizedTest(name = "[{index}] '{0}'")
    @ValueSource(strings = {"next week", "tomorrow", "next Friday", "in two weeks", "March", "March 2026", "the 14th",
        "14", "14/13/2026", "13/14/2026", "30 Feb 2026", "29 Feb 2026", "March 14th or 15th", "March 14 or April 2",
        "14/03/2026 or 15/03/2026", "Friday, March 14th", "March 14th or April", "3-4", "March 14th at 10",
        "2026-03-14T10:00", "32 March", "abc"})
    void rejects(String written) {
      assertThat(DATE.canonical(written)).isEmpty();
    }

    @Test
    void referenceYearIsTheYearMostExamplesHaveTheEarliestOnATie() {
      ValueNormaliser tie = ValueNormaliser.of(
          Slot.pool(SlotType.DATE, "d", List.of("2028-01-01", "2027-05-05", "2028-02-02", "2027-06-06")));
      assertThat(tie.canonical("March 14th")).contains("2027-03-14");
      ValueNormaliser noExamples = ValueNormaliser.of(Slot.pool(SlotType.DATE, "d", List.of()));
      assertThat(noExamples.canonical("March 14th")).isEmpty();
      assertThat(noExamples.canonical("March 14th, 2026")).contains("2026-03-14");
    }

    @Test
    void writtenForms() {
      assertThat(texts(DATE, "2026-03-14")).containsExactly(
          "2026-03-14", "March 14th", "14 March", "14/03/2026", "14 Mar 2026", "Mar 14");
      assertThat(texts(DATE, "2027-01-02")).containsExactly(
          "2027-01-02", "January 2nd, 2027", "2 January 2027", "02/01/2027", "2 Jan 2027", "Jan 2, 2027");
      assertThat(DATE.writtenForms("2026-03-14")).noneMatch(WrittenForm::carriesUnit);
      assertThatThrownBy(() -> DATE.writtenForms("14/03/2026")).isInstanceOf(IllegalArgumentException.class)
          .hasMessage("Invalid canonical date value: '14/03/2026' (its canonical form is '2026-03-14')");
    }
  }

  @Nested
  class Emails {
    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource(delimiter = '|', textBlock = """
        grace.oc@example.net                   | grace.oc@example.net
        Grace.OC@Example.net                   | grace.oc@example.net
        '  grace.oc@example.net  '             | grace.oc@example.net
        <grace.oc@example.net>                 | grace.oc@example.net
        mailto:Grace.OC@example.net            | grace.oc@example.net
        grace.oc@example.net.                  | grace.oc@example.net
        my email is Grace.OC@Example.net       | grace.oc@example.net
        Grace O'Connell <grace.oc@example.net> | grace.oc@example.net
        t.nowak+trips@mail.example.co.uk       | t.nowak+trips@mail.example.co.uk
        """)
    void reads(String written, String canonical) {
      assertThat(EMAIL.canonical(written)).contains(canonical);
    }

    @ParameterizedTest(name = "[{index}] '{0}'")
    @ValueSource(strings = {"", "grace", "grace.oc@", "@example.net", "grace@example", "grace@@example.net",
        "grace..oc@example.net", "grace@-example.net", "a@b.com or c@d.com", "not an email"})
    void rejects(String written) {
      assertThat(EMAIL.canonical(written)).isEmpty();
    }

    @Test
    void writtenFormsAreTheAddressItself() {
      assertThat(texts(EMAIL, "grace.oc@example.net")).containsExactly("grace.oc@example.net");
    }
  }

  @Nested
  class Enums {
    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource(delimiter = '|', textBlock = """
        Lisbon         | Lisbon
        lisbon         | Lisbon
        LISBON         | Lisbon
        Lisbon.        | Lisbon
        cape town      | Cape Town
        Cape-Town      | Cape Town
        capetown       | Cape Town
        cape_town      | Cape Town
        Screen Sharing | screen sharing
        screen-sharing | screen sharing
        plan limit     | plan limits
        plan-limits    | plan limits
        free           | Free
        Pro            | Pro
        Pros           | Pros
        """)
    void reads(String written, String canonical) {
      assertThat(ENUM.canonical(written)).contains(canonical);
    }

    @ParameterizedTest(name = "[{index}] '{0}'")
    @ValueSource(strings = {"pro", "PRO", "pros", "Kyoto", "", "Lisbon or Cape Town", "the pro plan"})
    void rejectsNoneAndAmbiguous(String written) {
      assertThat(ENUM.canonical(written)).isEmpty();
    }

    @Test
    void writtenForms() {
      assertThat(texts(ENUM, "Lisbon")).containsExactly("Lisbon", "lisbon");
      assertThat(texts(ENUM, "Cape Town")).containsExactly("Cape Town", "cape town", "cape-town");
      assertThat(texts(ENUM, "screen sharing")).containsExactly("screen sharing", "Screen sharing", "screen-sharing");
      assertThat(texts(ENUM, "Pro")).containsExactly("Pro");
      assertThatThrownBy(() -> ENUM.writtenForms("Kyoto")).isInstanceOf(IllegalArgumentException.class)
          .hasMessage("Invalid canonical enum value: 'Kyoto' (it cannot be read as one)");
    }
  }

  @Nested
  class Texts {
    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource(delimiter = '|', textBlock = """
        The screen is cracked      | The screen is cracked
        '  The screen is cracked. ' | The screen is cracked
        The screen is cracked!!    | The screen is cracked
        'Is it cracked? ...'       | Is it cracked
        a.b.c                      | a.b.c
        """)
    void reads(String written, String canonical) {
      assertThat(TEXT.canonical(written)).contains(canonical);
    }

    @Test
    void rejectsEmptyText() {
      assertThat(TEXT.canonical("")).isEmpty();
      assertThat(TEXT.canonical(" ... ")).isEmpty();
    }

    @Test
    void writtenFormsAreTheTextItself() {
      assertThat(texts(TEXT, "The screen is cracked")).containsExactly("The screen is cracked");
      assertThatThrownBy(() -> TEXT.writtenForms("Cracked.")).isInstanceOf(IllegalArgumentException.class)
          .hasMessage("Invalid canonical text value: 'Cracked.' (its canonical form is 'Cracked')");
    }
  }

  /** Every written form of a canonical value reads back to it, and the canonical value comes first. */
  @Nested
  class RoundTrip {
    @Test
    void numbers() {
      Random random = new Random(SEED);
      List<String> values = new ArrayList<>();
      IntStream.rangeClosed(0, 2_100).forEach(n -> values.add(Integer.toString(n)));
      IntStream.rangeClosed(1, 1_000).forEach(n -> values.add(Integer.toString(n * 100)));
      IntStream.range(0, 500).forEach(n -> values.add(Integer.toString(random.nextInt(1_000_000_000))));
      values.addAll(List.of("0.5", "6.5", "1234.75", "-5", "-1500"));
      assertRoundTrips(NUMBER, values);
    }

    @Test
    void money() {
      Random random = new Random(SEED);
      List<String> values = new ArrayList<>();
      IntStream.rangeClosed(0, 2_100).forEach(n -> values.add(Integer.toString(n)));
      IntStream.rangeClosed(1, 1_000).forEach(n -> values.add(Integer.toString(n * 50)));
      IntStream.range(0, 500).forEach(n -> values.add(Integer.toString(random.nextInt(10_000_000))));
      values.addAll(List.of("0.50", "9.99", "1500.50", "123456.05"));
      assertRoundTrips(MONEY, values);
      assertRoundTrips(MONEY_ANY_CURRENCY, values);
    }

    @Test
    void durations() {
      assertRoundTrips(DURATION, IntStream.rangeClosed(0, 400).mapToObj(Integer::toString).toList());
    }

    @Test
    void dates() {
      List<String> values = new ArrayList<>();
      for (LocalDate d = LocalDate.of(2025, 12, 1); d.isBefore(LocalDate.of(2027, 2, 1)); d = d.plusDays(1)) {
        values.add(d.toString());
      }
      values.add("2028-02-29");
      assertRoundTrips(DATE, values);
    }

    @Test
    void enumsEmailsAndTexts() {
      assertRoundTrips(ENUM, List.of("Lisbon", "Cape Town", "screen sharing", "plan limits", "Free", "Pro", "Pros"));
      assertRoundTrips(EMAIL, List.of("grace.oc@example.net", "ana.souza@example.com", "dcohen@example.com"));
      assertRoundTrips(TEXT, List.of("The screen is cracked", "the direct-flight package with a 4-star hotel"));
    }

    private static void assertRoundTrips(ValueNormaliser normaliser, List<String> canonicals) {
      for (String canonical : canonicals) {
        List<WrittenForm> forms = normaliser.writtenForms(canonical);
        assertThat(forms).as("forms of %s", canonical).isNotEmpty();
        assertThat(forms.get(0).text()).isEqualTo(canonical);
        assertThat(forms).extracting(WrittenForm::text).doesNotHaveDuplicates();
        for (WrittenForm form : forms) {
          assertThat(normaliser.canonical(form.text())).as("%s read back (a form of %s)", form.text(), canonical)
              .contains(canonical);
        }
      }
    }
  }

  @Test
  void writtenFormsAreDeterministic() {
    assertThat(MONEY.writtenForms("2200")).isEqualTo(MONEY.writtenForms("2200"));
    assertThat(DATE.writtenForms("2026-12-19")).isEqualTo(DATE.writtenForms("2026-12-19"));
  }

  @Test
  void sharedAcrossThreadsGivesTheSameAnswers() throws Exception {
    List<String> inputs = List.of("two weeks", "a fortnight", "ten days", "5 nights", "a weekend");
    List<Optional<String>> expected = inputs.stream().map(DURATION::canonical).toList();
    ExecutorService pool = Executors.newFixedThreadPool(2);
    try {
      List<Callable<List<Optional<String>>>> tasks = new ArrayList<>();
      for (int t = 0; t < 8; t++) {
        tasks.add(() -> inputs.stream().map(DURATION::canonical).toList());
      }
      for (Future<List<Optional<String>>> result : pool.invokeAll(tasks)) {
        assertThat(result.get()).isEqualTo(expected);
      }
    } finally {
      pool.shutdownNow();
    }
  }

  @Test
  void workflowSlotsReadAsDocumented() {
    ValueNormaliser budget = MONEY;
    assertThat(budget.toString()).isEqualTo("ValueNormaliser[money, EUR]");
    assertThat(DATE.toString()).isEqualTo("ValueNormaliser[date, reference year 2026]");
  }

  private static List<String> texts(ValueNormaliser normaliser, String canonical) {
    return normaliser.writtenForms(canonical).stream().map(WrittenForm::text).toList();
  }
}

package dev.subterra.synthesis.values;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class CodeShapeTest {
  private static final long SEED = 11;
  private static final int DRAWS = 500;

  @Test
  void bookingReferencesKeepTheirPrefixAndVaryTheirDigits() {
    assertThat(codes(List.of("BK-20931", "BK-77120", "BK-31458", "BK-60274", "BK-88516")))
        .allMatch(c -> c.matches("BK-\\d{5}")).hasSizeGreaterThan(DRAWS * 9 / 10);
  }

  @Test
  void whatEnoughExamplesShareIsKeptEvenInsideTheDigits() {
    assertThat(codes(List.of("CR-2026-118734", "CR-2026-204551", "CR-2026-093312", "CR-2026-377180")))
        .allMatch(c -> c.matches("CR-2026-\\d{6}"));
    assertThat(codes(List.of("HL-MTR-4471902", "HL-MTR-3308815", "HL-MTR-5920437")))
        .allMatch(c -> c.matches("HL-MTR-\\d{7}"));
  }

  @Test
  void platesAndPostcodesKeepTheShapeOfTheirLettersDigitsAndSpaces() {
    assertThat(codes(List.of("LK19 XTR", "BD70 FPE", "MA21 WUN", "YS18 KHV")))
        .allMatch(c -> c.matches("[A-Z]{2}\\d{2} [A-Z]{3}"));
    List<String> postcodes = List.of("LS6 2QT", "BS1 5TR", "CF10 3AT", "M4 1HN", "G2 8LU");
    assertThat(codes(postcodes)).allMatch(c -> c.matches("[A-Z]{1,2}\\d{1,2} \\d[A-Z]{2}"))
        .anyMatch(c -> c.length() == 6).anyMatch(c -> c.length() == 8);
  }

  @Test
  void oneExampleKeepsItsLeadingLettersAndPunctuationOnly() {
    assertThat(codes(List.of("BK-20931"))).allMatch(c -> c.matches("BK-\\d{5}")).hasSizeGreaterThan(DRAWS * 9 / 10);
    assertThat(codes(List.of("ab12-x"))).allMatch(c -> c.matches("ab\\d\\d-[a-z]"));
  }

  @Test
  void theSameSeedGivesTheSameCodes() {
    CodeShape shape = new CodeShape(List.of("BK-20931", "BK-77120"));
    SplittableRandom a = new SplittableRandom(SEED);
    SplittableRandom b = new SplittableRandom(SEED);
    for (int i = 0; i < 20; i++) {
      assertThat(shape.next(a)).isEqualTo(shape.next(b));
    }
  }

  private static Set<String> codes(List<String> examples) {
    CodeShape shape = new CodeShape(examples);
    SplittableRandom random = new SplittableRandom(SEED);
    Set<String> codes = new HashSet<>();
    for (int i = 0; i < DRAWS; i++) {
      codes.add(shape.next(random));
    }
    return codes;
  }
}

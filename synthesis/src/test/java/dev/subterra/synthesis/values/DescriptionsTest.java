package dev.subterra.synthesis.values;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class DescriptionsTest {
  static final List<String> PACKAGES = List.of(
      "the direct-flight package with a 4-star hotel in the old town",
      "the saver package with one stop and a 3-star hotel near the station",
      "the boutique package with a sea-view room and breakfast included",
      "the flexible package with free cancellation up to 14 days before departure",
      "the family package with a two-bedroom apartment and airport transfers",
      "the city-break package with a design hotel and late checkout",
      "the all-inclusive package with a resort on the coast",
      "the night-flight package with a central 3-star hotel");
  static final List<String> DEVICES = List.of("Windows 11 laptop", "MacBook Air", "Windows 10 desktop", "MacBook Pro",
      "iMac", "Surface Pro", "Mac mini", "Dell XPS laptop", "ThinkPad", "Ubuntu desktop");
  static final List<String> LOCATIONS = List.of("the Riverside Retail Park car park in Bristol",
      "the multi-storey car park on King Street in Manchester", "Elm Grove in Cardiff", "the station car park in Reading",
      "Church Street in York", "the supermarket car park on Hill Lane in Norwich", "Mill Road in Leeds");
  private static final long SEED = 13;
  private static final int DRAWS = 2_000;

  @Test
  void packagesRecombineIntoManyNewOnesInTheExamplesWords() {
    Set<String> drawn = draw(PACKAGES);

    assertThat(drawn).hasSizeGreaterThan(150).doesNotContainAnyElementsOf(PACKAGES);
    assertReusesWords(drawn, PACKAGES);
    assertThat(drawn).anyMatch(d -> d.startsWith("the boutique package with") && !d.contains("sea-view"))
        .allMatch(d -> d.startsWith("the "));
  }

  @Test
  void shortDescriptionsRecombineAtTheirFirstOrLastWord() {
    Set<String> drawn = draw(DEVICES);

    assertThat(drawn).hasSizeGreaterThan(25).doesNotContainAnyElementsOf(DEVICES);
    assertReusesWords(drawn, DEVICES);
    assertThat(drawn).contains("MacBook laptop", "Windows 12 laptop");
  }

  @Test
  void placesInDescriptionsAreSwappedAtTheirConnector() {
    Set<String> drawn = draw(LOCATIONS);

    assertThat(drawn).hasSizeGreaterThan(30).doesNotContainAnyElementsOf(LOCATIONS).contains("Elm Grove in Leeds");
    assertReusesWords(drawn, LOCATIONS);
  }

  @Test
  void theSameSeedGivesTheSameDescriptions() {
    Descriptions descriptions = new Descriptions(PACKAGES);
    List<String> a = new ArrayList<>();
    List<String> b = new ArrayList<>();
    SplittableRandom first = new SplittableRandom(SEED);
    SplittableRandom second = new SplittableRandom(SEED);
    for (int i = 0; i < 50; i++) {
      a.add(descriptions.next(first));
      b.add(descriptions.next(second));
    }
    assertThat(a).isEqualTo(b);
  }

  @Test
  void oneWordExamplesAllowNothingNewAndGiveAnExample() {
    Descriptions descriptions = new Descriptions(List.of("iMac"));

    assertThat(descriptions.next(new SplittableRandom(SEED))).isEqualTo("iMac");
    assertThatThrownBy(() -> new Descriptions(List.of())).isInstanceOf(IllegalArgumentException.class)
        .hasMessage("Cannot recombine descriptions: the slot has no example descriptions");
  }

  private static Set<String> draw(List<String> examples) {
    Descriptions descriptions = new Descriptions(examples);
    SplittableRandom random = new SplittableRandom(SEED);
    Set<String> drawn = new HashSet<>();
    for (int i = 0; i < DRAWS; i++) {
      drawn.add(descriptions.next(random));
    }
    return drawn;
  }

  /** Every word is a word of the examples once numbers are masked: "5-star" reuses "4-star". */
  private static void assertReusesWords(Set<String> drawn, List<String> examples) {
    Set<String> vocabulary = new HashSet<>();
    examples.forEach(e -> vocabulary.addAll(List.of(e.replaceAll("\\d+", "#").split(" "))));
    assertThat(drawn).allSatisfy(d -> assertThat(vocabulary).containsAll(List.of(d.replaceAll("\\d+", "#").split(" "))));
  }
}

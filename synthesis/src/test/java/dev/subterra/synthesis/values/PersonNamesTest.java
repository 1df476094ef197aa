package dev.subterra.synthesis.values;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class PersonNamesTest {
  private static final long SEED = 3;
  private static final int DRAWS = 20_000;

  @Test
  void twentyThousandDrawsGiveThousandsOfDistinctNames() {
    Set<String> names = new HashSet<>();
    SplittableRandom random = new SplittableRandom(SEED);
    for (int i = 0; i < DRAWS; i++) {
      names.add(ValuePools.names().next(random));
    }

    assertThat(names).hasSizeGreaterThanOrEqualTo(5_000);
    assertThat(names).anyMatch(n -> n.contains("'")).anyMatch(n -> n.matches(".*\\p{L}-\\p{L}.*"))
        .anyMatch(n -> !n.matches("\\p{ASCII}+"));
    assertThat(names).allMatch(n -> n.matches("\\S+( \\S+)+"));
  }

  @Test
  void namesComeFromManyCulturesWithHundredsOfGivenAndFamilyNames() {
    List<PersonNames.Culture> cultures = ValuePools.names().cultures();
    Set<String> given = new HashSet<>();
    Set<String> family = new HashSet<>();
    cultures.forEach(c -> {
      given.addAll(c.given());
      given.addAll(c.male());
      given.addAll(c.female());
      family.addAll(c.family());
    });

    assertThat(cultures).hasSizeGreaterThanOrEqualTo(30);
    assertThat(cultures.stream().map(PersonNames.Culture::id)).contains("yoruba", "east_african", "southern_african",
        "arabic", "turkish", "persian", "north_indian", "chinese", "japanese", "korean", "vietnamese", "filipino",
        "polish", "nordic", "hispanic", "anglo", "francophone", "germanic", "italian", "greek", "pacific");
    assertThat(given).hasSizeGreaterThan(500);
    assertThat(family).hasSizeGreaterThan(500);
  }

  @Test
  void theSameSeedGivesTheSameNames() {
    assertThat(draw(SEED)).isEqualTo(draw(SEED)).isNotEqualTo(draw(SEED + 1));
  }

  @Test
  void aWomansFamilyNameTakesItsFeminineFormAndFamilyFirstNamesKeepTheirMiddle() {
    PersonNames names = PersonNames.parse(List.of(
        "[polish]", "female: Anna", "family: Kowalski", "feminine: cki>cka, ski>ska",
        "[vietnamese]", "order: either", "female: Lan", "family: Nguyen", "middle-female: Thi"), "test");
    Set<String> drawn = new HashSet<>();
    SplittableRandom random = new SplittableRandom(SEED);
    for (int i = 0; i < 200; i++) {
      drawn.add(names.next(random));
    }

    assertThat(drawn).containsExactlyInAnyOrder("Anna Kowalska", "Lan Nguyen", "Nguyen Thi Lan");
  }

  @Test
  void aSecondFamilyNameIsAddedAtTheCulturesChance() {
    PersonNames names = PersonNames.parse(List.of("[hispanic]", "given: Sofia", "family: Garcia, Marquez",
        "double: 1"), "test");

    assertThat(names.next(new SplittableRandom(SEED))).isIn("Sofia Garcia Marquez", "Sofia Marquez Garcia");
  }

  @Test
  void aMalformedListIsRejectedWithTheLine() {
    assertThatThrownBy(() -> PersonNames.parse(List.of("given: Ana"), "names.txt"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("Invalid line of names.txt: 'given: Ana' (expected [culture] or key: values)");
    assertThatThrownBy(() -> PersonNames.parse(List.of("[x]", "given: Ana", "family: Souza", "order: last"), "n"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("Invalid order of n [x]: 'last' (expected given-first or either)");
    assertThatThrownBy(() -> PersonNames.parse(List.of("[x]", "family: Souza"), "n"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("Invalid culture 'x': it needs family names and given names (given, male or female)");
  }

  private static List<String> draw(long seed) {
    SplittableRandom random = new SplittableRandom(seed);
    List<String> names = new ArrayList<>();
    for (int i = 0; i < 50; i++) {
      names.add(ValuePools.names().next(random));
    }
    return names;
  }
}

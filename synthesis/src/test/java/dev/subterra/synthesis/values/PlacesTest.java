package dev.subterra.synthesis.values;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class PlacesTest {
  private static final long SEED = 5;

  @Test
  void hundredsOfPlacesWorldwideWithMultiWordNames() {
    List<String> places = ValuePools.places().all();

    assertThat(places).hasSizeGreaterThanOrEqualTo(300).doesNotHaveDuplicates();
    assertThat(places).contains("Porto", "Cape Town", "Rio de Janeiro", "Santa Cruz de Tenerife", "Kyoto", "Lagos",
        "Ouro Preto", "Hay-on-Wye", "Nuku'alofa", "Ho Chi Minh City");
    assertThat(places).allMatch(p -> !p.isBlank() && p.equals(p.strip()));
  }

  @Test
  void theSameSeedGivesTheSamePlaces() {
    assertThat(draw(SEED)).isEqualTo(draw(SEED)).isNotEqualTo(draw(SEED + 1));
  }

  private static List<String> draw(long seed) {
    SplittableRandom random = new SplittableRandom(seed);
    List<String> places = new ArrayList<>();
    for (int i = 0; i < 30; i++) {
      places.add(ValuePools.places().next(random));
    }
    return places;
  }
}

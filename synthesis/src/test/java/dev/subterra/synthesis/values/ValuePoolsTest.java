package dev.subterra.synthesis.values;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import dev.subterra.workflow.Slot;
import dev.subterra.workflow.SlotType;
import dev.subterra.workflow.ValueGenerator;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class ValuePoolsTest {
  private static final long SEED = 7;
  /** How far the held-out fraction of a few thousand hashed values may stray from the share. */
  private static final double SHARE_TOLERANCE = 0.03;
  /** Standard errors a held-out fraction of a smaller pool may stray from the share. */
  private static final double SIGMAS = 3;
  private static final int DRAWS = 4_000;
  private static final List<String> LISTED_NAMES = List.of("Ana Souza", "Kenji Ito", "Priya Raman", "Tomasz Nowak",
      "Grace O'Connell", "Mateo Herrera", "Aisha Bello", "Lars Eriksen", "Mei Lin", "David Cohen");
  private static final List<String> LISTED_EMAILS = List.of("ana.souza@example.com", "kenji.ito@example.net",
      "priya.r@example.org", "t.nowak@example.com");

  @Test
  void aboutAQuarterOfEveryGeneratorsValuesIsHeldOut() {
    for (ValueGenerator generator : ValueGenerator.values()) {
      ValuePool pool = pool(generator);
      Set<String> distinct = new HashSet<>();
      SplittableRandom random = new SplittableRandom(SEED);
      for (int i = 0; i < DRAWS; i++) {
        distinct.add(pool.generate(null, random));
      }
      long held = distinct.stream().filter(v -> ValuePools.shareOf(generator, v) == ValueShare.HELDOUT).count();
      double p = ValuePools.HELDOUT_SHARE;
      double tolerance = SIGMAS * Math.sqrt(p * (1 - p) / distinct.size());
      assertThat((double) held / distinct.size()).as(generator.name())
          .isCloseTo(ValuePools.HELDOUT_SHARE, within(tolerance));
    }
  }

  @Test
  void theShareOfAValueIsStableAndDependsOnItsGenerator() {
    assertThat(ValuePools.shareOf(ValueGenerator.PLACE, "Porto"))
        .isEqualTo(ValuePools.shareOf(ValueGenerator.PLACE, "Porto"));
    // The same text is hashed with its generator, so the shares of two generators are drawn independently.
    long differ = 0;
    SplittableRandom random = new SplittableRandom(SEED);
    for (int i = 0; i < DRAWS; i++) {
      String code = "X" + random.nextInt(1_000_000);
      if (ValuePools.shareOf(ValueGenerator.CODE, code) != ValuePools.shareOf(ValueGenerator.DESCRIPTION, code)) {
        differ++;
      }
    }
    double expected = 2 * ValuePools.HELDOUT_SHARE * (1 - ValuePools.HELDOUT_SHARE);
    assertThat((double) differ / DRAWS).isCloseTo(expected, within(SHARE_TOLERANCE));
  }

  @Test
  void heldOutAndTrainingDrawsAreDisjointAndHeldOutNeverGivesAListedValue() {
    for (ValueGenerator generator : ValueGenerator.values()) {
      ValuePool pool = pool(generator);
      SplittableRandom random = new SplittableRandom(SEED);
      Set<String> training = new HashSet<>();
      Set<String> heldOut = new HashSet<>();
      for (int i = 0; i < DRAWS / 4; i++) {
        training.add(pool.draw(ValueShare.TRAINING, null, random).orElseThrow());
        heldOut.add(pool.draw(ValueShare.HELDOUT, null, random).orElseThrow());
      }
      assertThat(heldOut).as(generator.name()).doesNotContainAnyElementsOf(training)
          .doesNotContainAnyElementsOf(pool.listed())
          .allSatisfy(v -> assertThat(ValuePools.shareOf(generator, v)).isEqualTo(ValueShare.HELDOUT));
      assertThat(training).as(generator.name()).allSatisfy(v -> assertThat(pool.shareOf(v))
          .isEqualTo(ValueShare.TRAINING));
    }
  }

  @Test
  void listedValuesAreTrainingValuesWhateverTheirHash() {
    ValuePool pool = ValuePool.of(ValueGenerator.PERSON_NAME, LISTED_NAMES);
    String hashedOut = heldOutName();
    ValuePool listing = ValuePool.of(ValueGenerator.PERSON_NAME, List.of(hashedOut));

    assertThat(pool.listed()).allSatisfy(v -> assertThat(pool.shareOf(v)).isEqualTo(ValueShare.TRAINING));
    assertThat(listing.shareOf(hashedOut)).isEqualTo(ValueShare.TRAINING);
    assertThat(listing.admits(ValueShare.HELDOUT, hashedOut)).isFalse();
    assertThat(pool.admits(ValueShare.HELDOUT, hashedOut)).isTrue();
  }

  @Test
  void theSameSeedDrawsTheSameValues() {
    for (ValueGenerator generator : ValueGenerator.values()) {
      ValuePool pool = pool(generator);
      assertThat(draws(pool, ValueShare.HELDOUT, SEED)).as(generator.name())
          .isEqualTo(draws(pool, ValueShare.HELDOUT, SEED))
          .isNotEqualTo(draws(pool, ValueShare.HELDOUT, SEED + 1));
    }
  }

  @Test
  void anEmailDerivesFromThePersonAndFollowsItsShare() {
    ValuePool emails = ValuePool.of(ValueGenerator.EMAIL, LISTED_EMAILS);
    SplittableRandom random = new SplittableRandom(SEED);
    String held = heldOutName();
    String[] words = held.split(" ");
    String first = EmailAddresses.fold(words[0]);
    String last = EmailAddresses.fold(words[words.length - 1]);
    for (int i = 0; i < 50; i++) {
      String email = emails.draw(ValueShare.HELDOUT, held, random).orElseThrow();
      assertThat(ValuePools.shareOf(ValueGenerator.EMAIL, email)).isEqualTo(ValueShare.HELDOUT);
      String local = email.substring(0, email.indexOf('@'));
      assertThat(local.contains(first) || local.contains(last)).as(email).isTrue();
    }
  }

  @Test
  void anEmailWithoutAPersonDerivesFromANameOfItsShare() {
    ValuePool emails = ValuePool.of(ValueGenerator.EMAIL, LISTED_EMAILS);
    SplittableRandom random = new SplittableRandom(SEED);
    for (int i = 0; i < 200; i++) {
      assertThat(emails.draw(ValueShare.TRAINING, null, random).orElseThrow())
          .matches("[a-z0-9._+-]+@[a-z0-9.-]+\\.[a-z]+")
          .satisfies(e -> assertThat(emails.shareOf(e)).isEqualTo(ValueShare.TRAINING));
    }
  }

  @Test
  void aGeneratorWithoutHeldOutValuesDrawsNothing() {
    // One example with no letter or digit to vary: every code is the example, a training value.
    ValuePool pool = ValuePool.of(ValueGenerator.CODE, List.of("--"));

    assertThat(pool.draw(ValueShare.HELDOUT, null, new SplittableRandom(SEED))).isEqualTo(Optional.empty());
    assertThat(pool.draw(ValueShare.TRAINING, null, new SplittableRandom(SEED))).contains("--");
  }

  @Test
  void onlyAnOpenSlotWithAGeneratorHasAPool() {
    assertThatThrownBy(() -> ValuePools.forSlot(Slot.pool(SlotType.STRING, "a name", List.of("Ana"))))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("Cannot build a value pool: the slot has no generator");
    assertThatThrownBy(() -> ValuePools.forSlot(new Slot(SlotType.ENUM, "a city", List.of("Porto"), null, null,
        ValueGenerator.PLACE, null, null))).isInstanceOf(IllegalArgumentException.class)
        .hasMessage("Cannot build a value pool: the slot is ENUM, and only string and text slots take a generator");
    assertThatThrownBy(() -> ValuePool.of(ValueGenerator.CODE, List.of()))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("Cannot infer a code shape: the slot has no example codes");
  }

  /** A pool per generator with examples like the bundled workflows'. */
  static ValuePool pool(ValueGenerator generator) {
    return switch (generator) {
      case PERSON_NAME -> ValuePool.of(generator, LISTED_NAMES);
      case EMAIL -> ValuePool.of(generator, LISTED_EMAILS);
      case PLACE -> ValuePool.of(generator, List.of("Lisbon", "Kyoto", "Reykjavik", "Cape Town"));
      case CODE -> ValuePool.of(generator, List.of("BK-20931", "BK-77120", "BK-31458", "BK-60274"));
      case DESCRIPTION -> ValuePool.of(generator, DescriptionsTest.PACKAGES);
    };
  }

  private static List<String> draws(ValuePool pool, ValueShare share, long seed) {
    SplittableRandom random = new SplittableRandom(seed);
    List<String> values = new ArrayList<>();
    for (int i = 0; i < 20; i++) {
      values.add(pool.draw(share, null, random).orElseThrow());
    }
    return values;
  }

  private static String heldOutName() {
    SplittableRandom random = new SplittableRandom(SEED);
    while (true) {
      String name = ValuePools.names().next(random);
      if (ValuePools.shareOf(ValueGenerator.PERSON_NAME, name) == ValueShare.HELDOUT) {
        return name;
      }
    }
  }
}

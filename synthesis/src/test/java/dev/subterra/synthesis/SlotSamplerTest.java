package dev.subterra.synthesis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import dev.subterra.synthesis.values.EmailNames;
import dev.subterra.synthesis.values.ValuePool;
import dev.subterra.synthesis.values.ValuePools;
import dev.subterra.synthesis.values.ValueShare;
import dev.subterra.workflow.Guard;
import dev.subterra.workflow.Slot;
import dev.subterra.workflow.SlotType;
import dev.subterra.workflow.ValueGenerator;
import dev.subterra.workflow.Workflow;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class SlotSamplerTest {
  private static final int MAX_DRAWS = ScenarioPlanner.MAX_DRAWS;
  private static final int SCENARIOS = 400;
  /** How far the fraction of listed values among a few hundred training draws may stray from the chance. */
  private static final double LISTED_TOLERANCE = 0.06;

  @Test
  void heldOutDrawsGiveOnlyHeldOutValuesThatNoSlotLists() throws Exception {
    Workflow travel = Fixtures.bundled("travel-booking.yaml");
    Map<String, ValuePool> pools = pools(travel);

    for (Map<String, String> values : draws(travel.slots(), ValueShare.HELDOUT, List.of(), List.of())) {
      pools.forEach((slot, pool) -> assertThat(pool.admits(ValueShare.HELDOUT, values.get(slot)))
          .as("%s = %s", slot, values.get(slot)).isTrue());
      assertThat(travel.slots().get("depart_date").values()).contains(values.get("depart_date"));
    }
  }

  @Test
  void trainingDrawsGiveListedValuesAQuarterOfTheTimeAndNeverAHeldOutValue() throws Exception {
    Workflow travel = Fixtures.bundled("travel-booking.yaml");
    Map<String, ValuePool> pools = pools(travel);
    Map<String, Integer> listed = new LinkedHashMap<>();

    for (Map<String, String> values : draws(travel.slots(), ValueShare.TRAINING, List.of(), List.of())) {
      pools.forEach((slot, pool) -> {
        String value = values.get(slot);
        assertThat(pool.shareOf(value)).as("%s = %s", slot, value).isEqualTo(ValueShare.TRAINING);
        if (pool.listed().contains(value)) {
          listed.merge(slot, 1, Integer::sum);
        }
      });
    }

    for (String slot : List.of("destination", "traveller_name", "option_name", "booking_ref")) {
      assertThat((double) listed.getOrDefault(slot, 0) / SCENARIOS).as(slot)
          .isCloseTo(SlotSampler.LISTED_CHANCE, within(LISTED_TOLERANCE));
    }
  }

  @Test
  void anEmailDerivesFromTheScenariosNameInBothShares() throws Exception {
    Workflow travel = Fixtures.bundled("travel-booking.yaml");
    for (ValueShare share : ValueShare.values()) {
      int derived = 0;
      for (Map<String, String> values : draws(travel.slots(), share, List.of(), List.of())) {
        if (EmailNames.madeFrom(values.get("contact_email"), values.get("traveller_name"))) {
          derived++;
        }
      }
      // A listed name is a training name too, so every training email derives from the name as well.
      assertThat(derived).as(share.name()).isEqualTo(SCENARIOS);
    }
  }

  @Test
  void anOpenSlotWithoutAGeneratorKeepsDrawingFromItsExamples() {
    Map<String, Slot> slots = Map.of("shop", Slot.pool(SlotType.STRING, "a shop", List.of("Dave's Garage", "A1 Autos")));

    for (ValueShare share : ValueShare.values()) {
      assertThat(draws(slots, share, List.of(), List.of())).allSatisfy(v -> assertThat(v.get("shop"))
          .isIn("Dave's Garage", "A1 Autos"));
    }
  }

  @Test
  void requiredGuardsOnAGeneratedSlotHoldByDrawingAgain() throws Exception {
    // One example gives the codes A0 to A9; a guard that refuses all but one training code leaves that one.
    Slot code = new Slot(SlotType.STRING, "a code", List.of("A1"), null, null, ValueGenerator.CODE, null, null);
    ValuePool pool = ValuePools.forSlot(code);
    List<String> codes = new ArrayList<>();
    for (int d = 0; d < 10; d++) {
      codes.add("A" + d);
    }
    String kept = codes.stream().filter(c -> !c.equals("A1") && pool.admits(ValueShare.TRAINING, c)).findFirst()
        .orElseThrow();
    List<String> refused = codes.stream().filter(c -> !c.equals(kept)).toList();
    Guard notIn = new Guard("ref", Guard.Op.NOT_IN, null, refused);

    assertThat(draws(Map.of("ref", code), ValueShare.TRAINING, List.of(notIn), List.of()))
        .allSatisfy(v -> assertThat(v.get("ref")).isEqualTo(kept));
  }

  @Test
  void aGuardThatNamesTheValueWinsOverTheShare() throws Exception {
    Workflow travel = Fixtures.bundled("travel-booking.yaml");
    Guard porto = new Guard("destination", Guard.Op.EQ, "Porto", null);
    Guard either = new Guard("origin", Guard.Op.IN, null, List.of("Faro", "Braga"));

    assertThat(draws(travel.slots(), ValueShare.HELDOUT, List.of(porto, either), List.of())).allSatisfy(v -> {
      assertThat(v.get("destination")).isEqualTo("Porto");
      assertThat(v.get("origin")).isIn("Faro", "Braga");
    });
  }

  @Test
  void avoidedGuardsOnAGeneratedSlotFailWhenTheyCan() throws Exception {
    Workflow travel = Fixtures.bundled("travel-booking.yaml");
    Guard lisbon = new Guard("destination", Guard.Op.EQ, "Lisbon", null);

    assertThat(draws(travel.slots(), ValueShare.TRAINING, List.of(), List.of(lisbon)))
        .noneSatisfy(v -> assertThat(v.get("destination")).isEqualTo("Lisbon"));
  }

  @Test
  void aGeneratorWithoutHeldOutValuesIsUnsatisfiableWithItsReason() {
    Slot dashes = new Slot(SlotType.STRING, "a code", List.of("--"), null, null, ValueGenerator.CODE, null, null);
    SlotSampler sampler = new SlotSampler(Map.of("ref", dashes), MAX_DRAWS, ValueShare.HELDOUT);

    assertThatThrownBy(() -> sampler.draw(List.of(), List.of(), new SplittableRandom(1)))
        .isInstanceOf(SlotSampler.Unsatisfiable.class)
        .hasMessage("Cannot draw slot 'ref': its code generator gave no held-out value in "
            + ValuePools.MAX_SHARE_DRAWS + " draws");
    assertThat(draws(Map.of("ref", dashes), ValueShare.TRAINING, List.of(), List.of()))
        .allSatisfy(v -> assertThat(v.get("ref")).isEqualTo("--"));
  }

  @Test
  void theSameSeedDrawsTheSameValuesInDeclaredOrder() throws Exception {
    Workflow travel = Fixtures.bundled("travel-booking.yaml");
    SlotSampler sampler = new SlotSampler(travel.slots(), MAX_DRAWS, ValueShare.HELDOUT);

    Map<String, String> first = sampler.draw(List.of(), List.of(), new SplittableRandom(42));
    Map<String, String> second = sampler.draw(List.of(), List.of(), new SplittableRandom(42));

    assertThat(first).isEqualTo(second);
    assertThat(first.keySet()).containsExactlyElementsOf(travel.slots().keySet());
    assertThat(first).isNotEqualTo(sampler.draw(List.of(), List.of(), new SplittableRandom(43)));
  }

  private static Map<String, ValuePool> pools(Workflow workflow) {
    Map<String, ValuePool> pools = new LinkedHashMap<>();
    workflow.slots().forEach((name, slot) -> {
      if (slot.generate() != null) {
        pools.put(name, ValuePools.forSlot(slot));
      }
    });
    assertThat(pools).isNotEmpty();
    return pools;
  }

  private static List<Map<String, String>> draws(Map<String, Slot> slots, ValueShare share, List<Guard> required,
      List<Guard> avoided) {
    SlotSampler sampler = new SlotSampler(slots, MAX_DRAWS, share);
    List<Map<String, String>> draws = new ArrayList<>();
    for (int seed = 0; seed < SCENARIOS; seed++) {
      try {
        draws.add(sampler.draw(required, avoided, new SplittableRandom(seed)));
      } catch (SlotSampler.Unsatisfiable e) {
        throw new AssertionError(e.getMessage(), e);
      }
    }
    return draws;
  }
}

package dev.subterra.synthesis.values;

import dev.subterra.workflow.Slot;
import dev.subterra.workflow.ValueGenerator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.SplittableRandom;

/**
 * The generated values of one open slot: its generator, shaped by the slot's examples where the generator needs them
 * (codes, descriptions), with the slot's listed values counted as training values.
 *
 * <p>Every draw takes its randomness from the caller's {@link SplittableRandom}, so a scenario's seed fixes its values.
 * A draw of one share generates values until one is of that share, at most {@link ValuePools#MAX_SHARE_DRAWS} times.
 * Instances are immutable and thread-safe.
 */
public final class ValuePool {
  private final ValueGenerator generator;
  private final List<String> listed;
  private final Set<String> listedSet;
  private final CodeShape codes;
  private final Descriptions descriptions;

  private ValuePool(ValueGenerator generator, List<String> listed) {
    this.generator = generator;
    this.listed = List.copyOf(listed);
    this.listedSet = Set.copyOf(new LinkedHashSet<>(listed));
    this.codes = generator == ValueGenerator.CODE ? new CodeShape(listed) : null;
    this.descriptions = generator == ValueGenerator.DESCRIPTION ? new Descriptions(listed) : null;
  }

  /**
   * The pool of an open slot with a generator.
   *
   * @throws IllegalArgumentException when the slot has no generator, is not open, or (for codes and descriptions)
   *     has no examples to take the shape from
   */
  public static ValuePool of(Slot slot) {
    if (slot.generate() == null) {
      throw new IllegalArgumentException("Cannot build a value pool: the slot has no generator");
    }
    if (!slot.isOpen()) {
      throw new IllegalArgumentException("Cannot build a value pool: the slot is " + slot.type()
          + ", and only string and text slots take a generator");
    }
    return new ValuePool(slot.generate(), slot.values());
  }

  /** A pool of a generator with these listed values, as a slot declaring both would have. */
  public static ValuePool of(ValueGenerator generator, List<String> listed) {
    return new ValuePool(generator, listed);
  }

  public ValueGenerator generator() {
    return generator;
  }

  /** The slot's own values, which are training values whatever their hash. */
  public List<String> listed() {
    return listed;
  }

  /** The share of a value of this slot: training for a listed value, else as {@link ValuePools#shareOf} says. */
  public ValueShare shareOf(String value) {
    return listedSet.contains(value) ? ValueShare.TRAINING : ValuePools.shareOf(generator, value);
  }

  /** Whether a value may be drawn for a share: held-out draws also never give a listed value. */
  public boolean admits(ValueShare share, String value) {
    return share == ValueShare.HELDOUT ? !listedSet.contains(value) && shareOf(value) == ValueShare.HELDOUT
        : shareOf(value) == ValueShare.TRAINING;
  }

  /**
   * A generated value of either share. An email derives from {@code person} when given, and from a random name
   * otherwise; other generators ignore it.
   */
  public String generate(String person, SplittableRandom random) {
    return switch (generator) {
      case PERSON_NAME -> ValuePools.names().next(random);
      case EMAIL -> EmailAddresses.derive(person != null ? person : ValuePools.names().next(random), random);
      case PLACE -> ValuePools.places().next(random);
      case CODE -> codes.next(random);
      case DESCRIPTION -> descriptions.next(random);
    };
  }

  /**
   * A generated value of the share, or empty when the generator gave none in {@link ValuePools#MAX_SHARE_DRAWS}
   * draws (a code or description slot whose examples allow few values).
   *
   * <p>An email derives from {@code person}, the scenario's person name, which the caller passes only when the name
   * is of the same share; the pattern and domain are drawn again until the address is of the share too. Without a
   * person, or when the person's addresses all miss the share, it derives from a random name of the share.
   */
  public Optional<String> draw(ValueShare share, String person, SplittableRandom random) {
    for (int draw = 0; draw < ValuePools.MAX_SHARE_DRAWS; draw++) {
      String value;
      if (generator == ValueGenerator.EMAIL) {
        boolean ownName = person != null && draw < ValuePools.MAX_SHARE_DRAWS / 2;
        String name = ownName ? person : nameOf(share, random);
        if (name == null) {
          return Optional.empty();
        }
        value = EmailAddresses.derive(name, random);
      } else {
        value = generate(person, random);
      }
      if (admits(share, value)) {
        return Optional.of(value);
      }
    }
    return Optional.empty();
  }

  private static String nameOf(ValueShare share, SplittableRandom random) {
    for (int draw = 0; draw < ValuePools.MAX_SHARE_DRAWS; draw++) {
      String name = ValuePools.names().next(random);
      if (ValuePools.shareOf(ValueGenerator.PERSON_NAME, name) == share) {
        return name;
      }
    }
    return null;
  }
}

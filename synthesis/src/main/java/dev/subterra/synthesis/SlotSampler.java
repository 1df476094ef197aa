package dev.subterra.synthesis;

import dev.subterra.synthesis.values.ValuePool;
import dev.subterra.synthesis.values.ValuePools;
import dev.subterra.synthesis.values.ValueShare;
import dev.subterra.workflow.Guard;
import dev.subterra.workflow.Slot;
import dev.subterra.workflow.ValueGenerator;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.SplittableRandom;

/**
 * Draws a value for every slot of a workflow such that the guards a path must pass hold ({@code required}) and, where
 * possible, the guards of the branches it did not take fail ({@code avoided}), so that a rule-based router reading the
 * values would take the same branches.
 *
 * <p>Pools are filtered exactly. Ranges are first narrowed by the ordering guards and then sampled with at most
 * {@code maxDraws} rejection draws for the rest ({@code ne}, {@code not_in}). Required guards that no value satisfies
 * raise {@link Unsatisfiable}; avoided guards are dropped one by one when they cannot all fail.
 *
 * <p>An open slot with a generator draws from its {@link ValuePool}, in the sampler's {@link ValueShare}: for training,
 * one of its listed values with chance {@link #LISTED_CHANCE} and a generated training value otherwise; for held-out,
 * always a generated held-out value. Its guards are met by drawing again, at most {@code maxDraws} times, unless a guard
 * names the values ({@code eq}, {@code in}), which leaves nothing to generate: those draw from the listed and named
 * values. An email derives from the scenario's person name (the first drawn slot that generates person names) when
 * that name is of the sampler's share, and then never takes a listed value, which would not match the name. Slots are
 * drawn in declared order from the one random stream, so the same seed gives the same values.
 */
final class SlotSampler {
  /** The chance that a training draw of a generated slot takes one of the slot's listed values. */
  static final double LISTED_CHANCE = 0.25;

  /** Why a set of guards cannot be met; the message is the rejection reason. */
  static final class Unsatisfiable extends Exception {
    private static final long serialVersionUID = 1L;

    Unsatisfiable(String message) {
      super(message);
    }
  }

  private final Map<String, Slot> slots;
  private final int maxDraws;
  private final ValueShare share;
  private final Map<String, ValuePool> pools = new LinkedHashMap<>();

  /** A sampler of training values. */
  SlotSampler(Map<String, Slot> slots, int maxDraws) {
    this(slots, maxDraws, ValueShare.TRAINING);
  }

  SlotSampler(Map<String, Slot> slots, int maxDraws, ValueShare share) {
    this.slots = slots;
    this.maxDraws = maxDraws;
    this.share = share;
    slots.forEach((name, slot) -> {
      if (slot != null && slot.generate() != null && slot.isOpen()) {
        pools.put(name, ValuePool.of(slot));
      }
    });
  }

  /** A value for every slot in declared order; a slot left without a value (an {@code absent} guard) is omitted. */
  Map<String, String> draw(List<Guard> required, List<Guard> avoided, SplittableRandom random) throws Unsatisfiable {
    Map<String, String> values = new LinkedHashMap<>();
    for (Map.Entry<String, Slot> entry : slots.entrySet()) {
      String name = entry.getKey();
      List<Guard> must = on(name, required);
      List<Guard> mustNot = on(name, avoided);
      String value = drawOne(name, entry.getValue(), must, mustNot, values, random);
      if (value != null) {
        values.put(name, value);
      }
    }
    return values;
  }

  /**
   * Another value for slot {@code name} under the same guards, for a user who changes it: different from
   * {@code current} where the guards allow one within {@code maxDraws} draws, else null.
   */
  String drawAgain(String name, String current, List<Guard> required, List<Guard> avoided, Map<String, String> drawn,
      SplittableRandom random) throws Unsatisfiable {
    Slot slot = slots.get(name);
    for (int draw = 0; slot != null && draw < maxDraws; draw++) {
      String value = drawOne(name, slot, on(name, required), on(name, avoided), drawn, random);
      if (value != null && !value.equals(current)) {
        return value;
      }
    }
    return null;
  }

  private String drawOne(String name, Slot slot, List<Guard> must, List<Guard> mustNot, Map<String, String> drawn,
      SplittableRandom random) throws Unsatisfiable {
    boolean wantsAbsent = must.stream().anyMatch(g -> g.op() == Guard.Op.ABSENT);
    if (wantsAbsent) {
      if (!passesAll(must, null)) {
        throw new Unsatisfiable("Cannot draw slot '" + name + "': the path requires " + must
            + ", which contradict each other");
      }
      return null;
    }
    ValuePool pool = pools.get(name);
    if (pool != null) {
      return generated(name, pool, must, mustNot, drawn, random);
    }
    if (!slot.values().isEmpty()) {
      return fromPool(name, slot.values(), must, mustNot, random);
    }
    if (slot.min() != null && slot.max() != null) {
      return fromRange(name, slot.min(), slot.max(), must, mustNot, random);
    }
    if (!passesAll(must, null)) {
      throw new Unsatisfiable("Cannot draw slot '" + name + "': it has no pool, and the path requires " + must);
    }
    return null;
  }

  private String generated(String name, ValuePool pool, List<Guard> must, List<Guard> mustNot,
      Map<String, String> drawn, SplittableRandom random) throws Unsatisfiable {
    if (must.stream().anyMatch(g -> g.op() == Guard.Op.EQ || g.op() == Guard.Op.IN)) {
      Set<String> named = new LinkedHashSet<>(pool.listed());
      for (Guard guard : must) {
        if (guard.op() == Guard.Op.EQ && guard.value() != null) {
          named.add(guard.value());
        } else if (guard.op() == Guard.Op.IN && guard.values() != null) {
          named.addAll(guard.values());
        }
      }
      return fromPool(name, new ArrayList<>(named), must, mustNot, random);
    }
    String person = person(pool, drawn);
    String value = drawUntil(() -> generatedValue(name, pool, person, random), must, mustNot);
    if (value == null) {
      throw new Unsatisfiable("Cannot draw slot '" + name + "': no " + shareName() + " value of its "
          + pool.generator().wireName() + " generator satisfied " + must + " in " + maxDraws + " draws");
    }
    return value;
  }

  /** One value of the sampler's share, guards aside. */
  private String generatedValue(String name, ValuePool pool, String person, SplittableRandom random)
      throws Unsatisfiable {
    List<String> listed = pool.listed();
    if (share == ValueShare.TRAINING) {
      boolean derived = pool.generator() == ValueGenerator.EMAIL && person != null;
      if (!derived && !listed.isEmpty() && random.nextDouble() < LISTED_CHANCE) {
        return listed.get(random.nextInt(listed.size()));
      }
      Optional<String> value = pool.draw(share, person, random);
      if (value.isPresent()) {
        return value.get();
      }
      if (!listed.isEmpty()) {
        // Listed values are training values, and all a generator with too few values of its own has to give.
        return listed.get(random.nextInt(listed.size()));
      }
    } else {
      Optional<String> value = pool.draw(share, person, random);
      if (value.isPresent()) {
        return value.get();
      }
    }
    throw new Unsatisfiable("Cannot draw slot '" + name + "': its " + pool.generator().wireName() + " generator gave"
        + " no " + shareName() + " value in " + ValuePools.MAX_SHARE_DRAWS + " draws");
  }

  /**
   * The scenario's person name for an email to derive from: the first drawn slot that generates person names, when
   * its value is of the sampler's share; else null, and the email derives from a random name of the share.
   */
  private String person(ValuePool pool, Map<String, String> drawn) {
    if (pool.generator() != ValueGenerator.EMAIL) {
      return null;
    }
    for (Map.Entry<String, ValuePool> entry : pools.entrySet()) {
      String name = drawn.get(entry.getKey());
      if (entry.getValue().generator() == ValueGenerator.PERSON_NAME && name != null) {
        return entry.getValue().shareOf(name) == share ? name : null;
      }
    }
    return null;
  }

  private String shareName() {
    return share == ValueShare.HELDOUT ? "held-out" : "training";
  }

  private static String fromPool(String name, List<String> pool, List<Guard> must, List<Guard> mustNot,
      SplittableRandom random) throws Unsatisfiable {
    List<String> feasible = new ArrayList<>();
    for (String candidate : pool) {
      if (passesAll(must, candidate)) {
        feasible.add(candidate);
      }
    }
    if (feasible.isEmpty()) {
      throw new Unsatisfiable("Cannot draw slot '" + name + "': no value of its pool " + pool + " satisfies " + must);
    }
    for (Guard avoid : mustNot) {
      List<String> narrower = feasible.stream().filter(v -> !avoid.test(v)).toList();
      if (!narrower.isEmpty()) {
        feasible = narrower;
      }
    }
    return feasible.get(random.nextInt(feasible.size()));
  }

  private String fromRange(String name, double min, double max, List<Guard> must, List<Guard> mustNot,
      SplittableRandom random) throws Unsatisfiable {
    boolean integral = min == Math.rint(min) && max == Math.rint(max);
    double lo = min;
    double hi = max;
    // Narrow by the ordering guards first, so that a guard like `amount > 490` on [5, 500] needs no luck.
    for (Guard guard : must) {
      Double bound = number(guard.value());
      if (bound == null) {
        continue;
      }
      switch (guard.op()) {
        case GT -> lo = Math.max(lo, integral ? Math.floor(bound) + 1 : bound);
        case GE -> lo = Math.max(lo, integral ? Math.ceil(bound) : bound);
        case LT -> hi = Math.min(hi, integral ? Math.ceil(bound) - 1 : bound);
        case LE -> hi = Math.min(hi, integral ? Math.floor(bound) : bound);
        case EQ -> {
          lo = Math.max(lo, bound);
          hi = Math.min(hi, bound);
        }
        default -> { }
      }
    }
    if (lo > hi) {
      throw new Unsatisfiable("Cannot draw slot '" + name + "': no value in [" + format(min, integral) + ", "
          + format(max, integral) + "] satisfies " + must);
    }
    double low = lo;
    double high = hi;
    String value = drawUntil(() -> format(integral ? low + random.nextLong((long) (high - low) + 1)
        : (low == high ? low : low + random.nextDouble() * (high - low)), integral), must, mustNot);
    if (value == null) {
      throw new Unsatisfiable("Cannot draw slot '" + name + "': no value in [" + format(lo, integral) + ", "
          + format(hi, integral) + "] satisfied " + must + " in " + maxDraws + " draws");
    }
    return value;
  }

  /**
   * The first of at most {@code maxDraws} draws that passes every guard of {@code must} and fails every guard of
   * {@code mustNot}; else the first that passes {@code must} (an avoided guard that cannot fail is dropped); else null.
   */
  private String drawUntil(Draw draw, List<Guard> must, List<Guard> mustNot) throws Unsatisfiable {
    String fallback = null;
    for (int i = 0; i < maxDraws; i++) {
      String candidate = draw.next();
      if (!passesAll(must, candidate)) {
        continue;
      }
      if (mustNot.stream().noneMatch(g -> g.test(candidate))) {
        return candidate;
      }
      if (fallback == null) {
        fallback = candidate;
      }
    }
    return fallback;
  }

  /** One draw of a value, which may find the slot cannot be drawn at all. */
  @FunctionalInterface
  private interface Draw {
    String next() throws Unsatisfiable;
  }

  private static List<Guard> on(String slot, List<Guard> guards) {
    return guards.stream().filter(g -> slot.equals(g.slot())).toList();
  }

  private static boolean passesAll(List<Guard> guards, String value) {
    for (Guard guard : guards) {
      if (!guard.test(value)) {
        return false;
      }
    }
    return true;
  }

  private static Double number(String text) {
    if (text == null) {
      return null;
    }
    try {
      return Double.parseDouble(text);
    } catch (NumberFormatException notANumber) {
      return null;
    }
  }

  /** Integers without a decimal point; other numbers to two decimals, as prices are written. */
  static String format(double x, boolean integral) {
    if (integral) {
      return Long.toString(Math.round(x));
    }
    return BigDecimal.valueOf(x).setScale(2, RoundingMode.HALF_UP).stripTrailingZeros().toPlainString();
  }
}

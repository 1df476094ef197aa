package dev.subterra.workflow.paths;

import dev.subterra.workflow.Guard;
import dev.subterra.workflow.Slot;
import dev.subterra.workflow.Workflow;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The slot values a path still allows, given the guards on the edges it took: a path whose guards no single scenario
 * can satisfy (the user's issue is "audio" at one hub and "recording" at the next) can never be acted out, so
 * enumeration drops it.
 *
 * <p>A slot keeps its value for a whole conversation, as synthesis draws it once. Pool slots are tracked exactly, as
 * the set of pool values still allowed; number ranges as an interval, with {@code ne} and list operators left
 * unchecked on ranges (they almost never empty one). {@code present} and {@code absent} are not constraints here.
 */
final class PathConstraints implements Serializable {
  private static final long serialVersionUID = 1L;

  /** Per slot (by index), either a pool of values or a numeric range. */
  private final List<String> slots;
  private final List<List<String>> pools;
  private final double[] rangeMin;
  private final double[] rangeMax;
  /** Per edge: the guarded slot's index, or -1 for an unguarded edge; and what the guard allows. */
  private final int[] guardedSlot;
  private final BitSet[] allowedValues;
  private final Interval[] allowedRange;

  /** The allowed values of every slot: a pool bitset or a range, per slot index. Immutable once built. */
  static final class Admissible implements Serializable {
    private static final long serialVersionUID = 1L;
    private final BitSet[] pools;
    private final Interval[] ranges;

    private Admissible(BitSet[] pools, Interval[] ranges) {
      this.pools = pools;
      this.ranges = ranges;
    }
  }

  /** A numeric interval with open or closed ends. */
  record Interval(double lo, boolean loOpen, double hi, boolean hiOpen) implements Serializable {
    Interval intersect(Interval other) {
      double l = Math.max(lo, other.lo);
      boolean lOpen = lo == other.lo ? loOpen || other.loOpen : (lo > other.lo ? loOpen : other.loOpen);
      double h = Math.min(hi, other.hi);
      boolean hOpen = hi == other.hi ? hiOpen || other.hiOpen : (hi < other.hi ? hiOpen : other.hiOpen);
      return new Interval(l, lOpen, h, hOpen);
    }

    boolean isEmpty() {
      return lo > hi || (lo == hi && (loOpen || hiOpen));
    }
  }

  private PathConstraints(Workflow workflow, List<Guard> edgeGuards) {
    Map<String, Integer> index = new LinkedHashMap<>();
    this.slots = new ArrayList<>(workflow.slots().keySet());
    this.pools = new ArrayList<>();
    this.rangeMin = new double[slots.size()];
    this.rangeMax = new double[slots.size()];
    for (int s = 0; s < slots.size(); s++) {
      Slot slot = workflow.slots().get(slots.get(s));
      index.put(slots.get(s), s);
      pools.add(slot.values());
      rangeMin[s] = slot.min() == null ? Double.NEGATIVE_INFINITY : slot.min();
      rangeMax[s] = slot.max() == null ? Double.POSITIVE_INFINITY : slot.max();
    }
    int edges = edgeGuards.size();
    this.guardedSlot = new int[edges];
    this.allowedValues = new BitSet[edges];
    this.allowedRange = new Interval[edges];
    for (int e = 0; e < edges; e++) {
      Guard guard = edgeGuards.get(e);
      Integer slot = guard == null || guard.op() == null ? null : index.get(guard.slot());
      guardedSlot[e] = slot == null ? -1 : slot;
      if (slot == null) {
        continue;
      }
      List<String> pool = pools.get(slot);
      if (!pool.isEmpty()) {
        BitSet allowed = new BitSet(pool.size());
        for (int v = 0; v < pool.size(); v++) {
          allowed.set(v, guard.op().takesNothing() || guard.test(pool.get(v)));
        }
        allowedValues[e] = allowed;
      } else {
        allowedRange[e] = interval(guard);
      }
    }
  }

  static PathConstraints of(Workflow workflow, List<Guard> edgeGuards) {
    return new PathConstraints(workflow, edgeGuards);
  }

  /** Everything allowed: the state at the start of a path. */
  Admissible unconstrained() {
    BitSet[] all = new BitSet[slots.size()];
    Interval[] ranges = new Interval[slots.size()];
    for (int s = 0; s < slots.size(); s++) {
      all[s] = new BitSet();
      all[s].set(0, pools.get(s).size());
      ranges[s] = new Interval(rangeMin[s], false, rangeMax[s], false);
    }
    return new Admissible(all, ranges);
  }

  /** The state after taking {@code edge}: the same object for an unguarded edge, null when nothing is left. */
  Admissible take(Admissible state, int edge) {
    int s = guardedSlot[edge];
    if (s < 0) {
      return state;
    }
    if (allowedValues[edge] != null) {
      BitSet narrowed = (BitSet) state.pools[s].clone();
      narrowed.and(allowedValues[edge]);
      if (narrowed.isEmpty()) {
        return null;
      }
      BitSet[] pools = state.pools.clone();
      pools[s] = narrowed;
      return new Admissible(pools, state.ranges);
    }
    if (allowedRange[edge] == null) {
      return state;
    }
    Interval narrowed = state.ranges[s].intersect(allowedRange[edge]);
    if (narrowed.isEmpty()) {
      return null;
    }
    Interval[] ranges = state.ranges.clone();
    ranges[s] = narrowed;
    return new Admissible(state.pools, ranges);
  }

  /** Whether a whole path of edges can be acted out by one scenario. */
  boolean feasible(int[] edges) {
    Admissible state = unconstrained();
    for (int edge : edges) {
      state = take(state, edge);
      if (state == null) {
        return false;
      }
    }
    return true;
  }

  private static Interval interval(Guard guard) {
    double inf = Double.POSITIVE_INFINITY;
    double v;
    try {
      v = guard.value() == null ? Double.NaN : Double.parseDouble(guard.value());
    } catch (NumberFormatException e) {
      return null;
    }
    return switch (guard.op()) {
      case EQ -> new Interval(v, false, v, false);
      case LT -> new Interval(-inf, false, v, true);
      case LE -> new Interval(-inf, false, v, false);
      case GT -> new Interval(v, true, inf, false);
      case GE -> new Interval(v, false, inf, false);
      default -> null;
    };
  }
}

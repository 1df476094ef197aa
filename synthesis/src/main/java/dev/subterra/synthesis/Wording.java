package dev.subterra.synthesis;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * Which share of the user's wording a conversation speaks: training dialogues speak the training share, and
 * evaluation's held-out-language cohort the held-out share, so that the student is measured on phrasings it never
 * trained on, as held-out paths measure it on routes it never took.
 *
 * <p>Every list of alternatives (a user node's templates, a slot's phrasings, the ways to open, join and close a turn)
 * is split the same way on every run and machine: each alternative gets a stable draw from its list's name and its own
 * text, and the {@link #HELD_OUT_SHARE} of the list with the lowest draws is held out (at least one). Lists shorter than
 * {@link #MIN_TO_SPLIT} are not split: both shares speak all of them.
 */
public enum Wording {
  /** What training dialogues say. */
  TRAINING,
  /** What only evaluation's held-out-language users say. */
  HELDOUT;

  /** The share of every list of alternatives that is held out of training. */
  public static final double HELD_OUT_SHARE = 0.25;
  /** Lists shorter than this are spoken whole by both shares. */
  public static final int MIN_TO_SPLIT = 3;

  /**
   * Whether this share speaks one alternative of an open-ended family {@code name} (the shapes of a value's written
   * forms, which no list holds whole): it is held out when its own stable draw falls in the held-out share.
   */
  public boolean speaks(String name, String alternative) {
    double u = (StableIds.seed("wording", name, alternative) >>> 11) * 0x1.0p-53;
    return (u < HELD_OUT_SHARE) == (this == HELDOUT);
  }

  /** The alternatives of list {@code name} that this share speaks, in their given order. */
  public List<String> of(String name, List<String> alternatives) {
    if (alternatives.size() < MIN_TO_SPLIT) {
      return alternatives;
    }
    List<String> byDraw = new ArrayList<>(alternatives);
    byDraw.sort(Comparator.comparingLong((String a) -> StableIds.seed("wording", name, a)).thenComparing(a -> a));
    int held = (int) Math.max(1, Math.round(alternatives.size() * HELD_OUT_SHARE));
    List<String> heldOut = byDraw.subList(0, held);
    return alternatives.stream().filter(a -> heldOut.contains(a) == (this == HELDOUT)).toList();
  }
}

package dev.subterra.synthesis.values;

/**
 * The share of generated values a scenario's open slots draw from: the training share, or the held-out share kept out
 * of training so that evaluation can measure how a student does on values it never saw.
 *
 * <p>Which share a value belongs to is decided once, by {@link ValuePools#shareOf}; a slot's own listed values are
 * always training values ({@link ValuePool#shareOf}).
 */
public enum ValueShare {
  /** Values a student may be trained on: a slot's listed values and the generated values outside the held-out share. */
  TRAINING,
  /** Generated values kept out of training, none of them a slot's listed value. */
  HELDOUT
}

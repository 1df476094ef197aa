package dev.subterra.evaluation.metrics;

import com.fasterxml.jackson.annotation.JsonValue;
import dev.subterra.synthesis.Wording;
import dev.subterra.synthesis.values.ValueShare;
import java.util.Locale;

/**
 * A group of evaluation conversations by how far the users' language is from training's: the wording the simulated
 * users speak and where their open values come from. Where {@link Cohort} tells routes apart (training, unseen and
 * held-out paths), this tells language apart; every language cohort is scored over all its routes.
 *
 * <p>The headline of an evaluation is {@link #HEADLINE}: a figure on the training distribution is a sanity check, not
 * what a customer will see.
 */
public enum LanguageCohort {
  /** Users who speak the training share of the wording, with values drawn as training's were. */
  IN_DISTRIBUTION(Wording.TRAINING, ValueShare.TRAINING),
  /** Users who speak only the held-out share of the wording: templates, phrasings, openers no training dialogue used. */
  HELDOUT_LANGUAGE(Wording.HELDOUT, ValueShare.TRAINING),
  /** Users whose open values (names, places, emails, codes) come from the held-out share of the value generators. */
  UNSEEN_VALUES(Wording.TRAINING, ValueShare.HELDOUT);

  /** The cohort the summary's headline metrics come from. */
  public static final LanguageCohort HEADLINE = HELDOUT_LANGUAGE;

  private final Wording wording;
  private final ValueShare valueShare;

  LanguageCohort(Wording wording, ValueShare values) {
    this.wording = wording;
    this.valueShare = values;
  }

  /** The share of the wording the cohort's users speak. */
  public Wording wording() {
    return wording;
  }

  /** The share of the generated open values the cohort's scenarios draw from. */
  public ValueShare valueShare() {
    return valueShare;
  }

  @JsonValue
  public String wireName() {
    return name().toLowerCase(Locale.ROOT);
  }
}

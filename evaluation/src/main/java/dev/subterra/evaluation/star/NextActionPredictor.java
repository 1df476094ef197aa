package dev.subterra.evaluation.star;

import java.util.List;

/** Predicts the wizard's action at labelled turns of real dialogues, from each turn's history alone. */
public interface NextActionPredictor {
  /** A short name for reports: {@code student}, {@code majority}, {@code schema}. */
  String name();

  /** The predicted label of each turn, in order; never reads the turns' labels. */
  List<String> predict(List<WizardTurn> turns);
}

package dev.subterra.evaluation.star;

import dev.subterra.synthesis.Turn;
import java.util.List;

/**
 * A labelled wizard turn of a real STAR dialogue: the action the wizard took and the conversation before it.
 *
 * @param dialogueId the dialogue's id
 * @param task the dialogue's task
 * @param happy whether the dialogue is a happy one
 * @param event the index of the wizard's event in the dialogue
 * @param label the action: a {@code pick_suggestion}'s {@code ActionLabel}, or {@code query}, {@code query_check} or
 *     {@code query_book} for a query
 * @param history the conversation before the turn, as the student reads it
 */
public record WizardTurn(int dialogueId, String task, boolean happy, int event, String label, List<Turn> history) {
  public WizardTurn {
    history = List.copyOf(history);
  }
}

package dev.subterra.evaluation.star;

import java.util.List;

/**
 * One STAR dialogue between a user and a wizard, as the corpus records it.
 *
 * @param id the corpus's {@code DialogueID}
 * @param tasks the tasks the wizard could serve ({@code Scenario.WizardCapabilities[].Task})
 * @param happy whether the user followed the happy path ({@code Scenario.Happy})
 * @param multiTask whether the user had several tasks ({@code Scenario.MultiTask})
 * @param events the events in order
 */
public record StarDialogue(int id, List<String> tasks, boolean happy, boolean multiTask, List<StarEvent> events) {
  public StarDialogue {
    tasks = List.copyOf(tasks);
    events = List.copyOf(events);
  }

  /** Whether the wizard served exactly one task and the user had one: the dialogues the benchmark scores. */
  public boolean singleTask() {
    return !multiTask && tasks.size() == 1;
  }

  /** The one task of a single-task dialogue. */
  public String task() {
    if (!singleTask()) {
      throw new IllegalStateException("Dialogue " + id + " is not single-task: " + tasks);
    }
    return tasks.get(0);
  }
}

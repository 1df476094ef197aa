package dev.subterra.synthesis;

import dev.subterra.workflow.Workflow;

/**
 * Writes the dialogue of a scenario: every turn of the scenario's path, in order, agent and user turns alike.
 *
 * <p>Implementations must be safe to call from many threads and, given the same workflow and scenario, write the same
 * dialogue (a remote teacher does so through its cache). One failed scenario is a {@link TeacherException}, never an
 * unchecked exception that would fail a whole partition.
 */
public interface Teacher {
  /** A stable name recorded with each dialogue, such as {@code template} or {@code openai:gpt-4o-mini}. */
  String name();

  /** The dialogue for one scenario of a validated workflow. */
  Dialogue write(Workflow workflow, Scenario scenario) throws TeacherException;
}

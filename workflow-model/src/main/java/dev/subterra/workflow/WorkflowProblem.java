package dev.subterra.workflow;

/**
 * One thing wrong with a workflow: where it is, as a JSON pointer into the document ({@code /nodes/3/next/0/to}), and
 * what is wrong, in words that name the node and field.
 */
public record WorkflowProblem(String pointer, String message) {}

/**
 * Policies: what writes the agent's side of a closed-loop conversation, be it the compiled student, the teacher's own
 * dialogues replayed as an upper bound, or a baseline.
 */
package dev.subterra.evaluation.policy;

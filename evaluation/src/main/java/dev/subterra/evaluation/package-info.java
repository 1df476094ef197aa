/**
 * Evaluation: plays held-out scenarios against a policy in a closed loop, scores adherence to the procedure, and prices
 * a conversation for the student and for frontier-model baselines.
 */
package dev.subterra.evaluation;

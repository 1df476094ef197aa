/**
 * The STAR benchmark: real human wizard-of-oz dialogues of STAR, their labelled wizard turns and histories, the
 * student's next-action prediction next to a majority and a schema-following baseline, scored by accuracy and weighted
 * F1 per task and pooled.
 */
package dev.subterra.evaluation.star;

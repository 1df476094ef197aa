/** The model artefact: a directory with the student's configuration, tokenizer, weights and provenance. */
package dev.subterra.training.artefact;

/**
 * The student: tokenizer, dialogue serialisation, the SameDiff transformer, its trainer, the saved artefact and the
 * decoder. Each lives in its own subpackage; {@link dev.subterra.training.Backend} picks and reports the ND4J backend.
 */
package dev.subterra.training;

/**
 * The offline template teacher: dialogues written from a workflow's templates, prompts and conditions, varied by the
 * scenario's persona and styles, and deterministic per scenario seed.
 */
package dev.subterra.synthesis.template;

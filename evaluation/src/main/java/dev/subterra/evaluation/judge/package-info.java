/**
 * The seam for an optional LLM judge that scores closed-loop conversations on the paper's five criteria; the judge
 * itself (an OpenAI-compatible endpoint with a rubric stored as data) plugs in here.
 */
package dev.subterra.evaluation.judge;

/**
 * The optional LLM judge: conversations scored on the paper's five criteria by an OpenAI-compatible endpoint, with the
 * rubric stored as data ({@code judge/rubric.json}), failures recorded per conversation, and means with bootstrap
 * intervals.
 */
package dev.subterra.evaluation.judge;

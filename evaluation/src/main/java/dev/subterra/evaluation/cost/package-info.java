/**
 * Cost per conversation: the student on self-hosted hardware, and the frontier-model baselines it replaces (the
 * procedure in the prompt, or an orchestrator with per-node prompts), priced from data files with dates and sources.
 */
package dev.subterra.evaluation.cost;

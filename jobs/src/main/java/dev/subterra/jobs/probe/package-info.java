/**
 * The {@code probe} command: hand-written customer conversations (under {@code probes/}) played teacher-forced through
 * the server's own path, scored step by step on node, tool call and argument, overall and per kind of wording.
 */
package dev.subterra.jobs.probe;

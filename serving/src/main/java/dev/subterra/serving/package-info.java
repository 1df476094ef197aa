/**
 * Serves a compiled student over the OpenAI chat-completions protocol: {@link dev.subterra.serving.ChatCompletionServer}
 * (HTTP, authentication, limits, routing), {@link dev.subterra.serving.ChatTurns} (a request's messages to the student's
 * next turn, also for in-process callers), {@link dev.subterra.serving.BatchScheduler} (continuous batching into the
 * KV-cache decoder) and {@link dev.subterra.serving.ServerMetrics} (Prometheus text).
 */
package dev.subterra.serving;

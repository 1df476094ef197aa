/**
 * The OpenAI-compatible teacher: a chat-completions client with concurrency limits, adaptive rate limiting and retries,
 * a durable content-addressed cache of its calls, and the teacher that writes each turn of a dialogue with it.
 */
package dev.subterra.synthesis.openai;

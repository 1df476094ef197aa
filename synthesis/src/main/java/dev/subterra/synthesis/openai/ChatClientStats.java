package dev.subterra.synthesis.openai;

/**
 * What a {@link ChatClient} has done: HTTP requests sent, retries, and the failures that caused them, with the adaptive
 * concurrency limit as it stands.
 */
public record ChatClientStats(
    long requests,
    long succeeded,
    long retries,
    long throttled,
    long serverErrors,
    long timeouts,
    long connectionFailures,
    long malformed,
    long rejected,
    double concurrencyLimit) {}

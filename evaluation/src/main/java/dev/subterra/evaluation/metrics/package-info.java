/**
 * Closed-loop metrics: per-conversation scores, their aggregates with seeded bootstrap confidence intervals, pass^k,
 * chrF, and the summary with stable keys that reports and the promotion gate read.
 */
package dev.subterra.evaluation.metrics;

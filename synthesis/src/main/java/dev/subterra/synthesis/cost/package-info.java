/**
 * What teacher calls cost: token usage, a versioned price table read from a data file, and a thread-safe ledger that
 * enforces a budget in US dollars before a call is made rather than after.
 */
package dev.subterra.synthesis.cost;

/** The decoder: KV-cached greedy and sampled generation of agent turns, one conversation or many at once. */
package dev.subterra.training.decode;

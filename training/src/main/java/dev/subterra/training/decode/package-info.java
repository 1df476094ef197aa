/**
 * The decoder: KV-cached greedy and sampled generation of agent turns, one conversation or many at once; and the tag
 * scorer, which ranks candidate node tags as the next token.
 */
package dev.subterra.training.decode;

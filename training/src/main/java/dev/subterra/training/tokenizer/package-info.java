/** The byte-level BPE tokenizer, with special tokens for roles, turn ends, tool calls and one tag per workflow node. */
package dev.subterra.training.tokenizer;

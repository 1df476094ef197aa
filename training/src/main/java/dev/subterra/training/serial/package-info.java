/** Serialisation of dialogues into token sequences with a loss mask over the agent's turns, cut into windows. */
package dev.subterra.training.serial;

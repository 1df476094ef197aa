/** The trainer: AdamW with warm-up and cosine decay, validation, early stopping, and checkpoints that resume exactly. */
package dev.subterra.training.train;

/**
 * The student expressed as a DL4J {@code ComputationGraph}: the transformer body as one {@code SameDiffLayer} built
 * from {@link dev.subterra.training.model.TransformerGraph}'s definition, and a sparse softmax cross-entropy loss layer
 * masked to agent turns. This is the form dl4j-spark's distributed training accepts; the ordinary trainer does not use
 * it.
 */
package dev.subterra.training.graph;

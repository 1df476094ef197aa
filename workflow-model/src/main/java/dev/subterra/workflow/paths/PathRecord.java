package dev.subterra.workflow.paths;

/**
 * A path as stored: its place in enumeration order, its weight and its split.
 *
 * <p>{@code weight} is the path's rarity: one over the number of paths through its least-travelled edge. A path that is
 * the only way through some edge weighs 1; synthesis can weight scenarios by it so that rare branches are not drowned
 * out by the common ones.
 */
public record PathRecord(WorkflowPath path, long ordinal, double weight, PathSplit split) {}

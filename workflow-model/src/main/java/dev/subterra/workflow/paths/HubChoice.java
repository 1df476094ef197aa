package dev.subterra.workflow.paths;

/** The edge a path takes where its node offers several: the node, the chosen target, and the edge's label. */
public record HubChoice(String node, String to, String label) {}

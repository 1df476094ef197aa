/**
 * Renderings of a workflow graph for people: Mermaid flowcharts for Markdown and Graphviz DOT, with a shape per node
 * kind and edge labels.
 */
package dev.subterra.workflow.render;

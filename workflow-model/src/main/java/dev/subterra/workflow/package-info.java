/**
 * The workflow graph that Subterra compiles: immutable records, loading from YAML or JSON, and validation.
 * Everything downstream (enumeration, synthesis, training) reads these records and never a file format.
 */
package dev.subterra.workflow;

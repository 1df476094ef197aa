/**
 * Slot values as people write them: {@link dev.subterra.workflow.values.ValueNormaliser} reads "a week", "1.5k" or
 * "March 14th" as the canonical value a tool call carries, and lists the ways people write a canonical value.
 */
package dev.subterra.workflow.values;

/**
 * Path enumeration: every route from the start to a terminal, with loops unrolled to a bound, stable path ids,
 * coverage, seeded sampling when the path space is too large, and the train/validation/test/held-out split.
 */
package dev.subterra.workflow.paths;

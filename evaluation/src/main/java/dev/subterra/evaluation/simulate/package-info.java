/**
 * The other side of a closed-loop conversation: a rule-based user who acts out a scenario, and tools that answer calls
 * from the scenario, both deterministic and both blind to the agent's node tags.
 */
package dev.subterra.evaluation.simulate;

/**
 * The closed loop: a policy plays held-out scenarios against the user and tool simulators, and every agent turn is
 * recorded beside the node and call the scenario's path expected there.
 */
package dev.subterra.evaluation.loop;

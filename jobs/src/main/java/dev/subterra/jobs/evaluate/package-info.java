/** The evaluate job: the student played closed-loop on fresh scenarios, scored, priced and reported. */
package dev.subterra.jobs.evaluate;

/** The bag-of-words next-node baseline in Spark MLlib, which the transformer student has to beat. */
package dev.subterra.jobs.baseline;

/** The train job: the run's dialogues into the student artefact, on the node where the job is placed. */
package dev.subterra.jobs.train;

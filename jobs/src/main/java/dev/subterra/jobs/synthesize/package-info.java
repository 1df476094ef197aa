/** The synthesize job: scenarios from paths, dialogues from a teacher on every partition, checks and deduplication. */
package dev.subterra.jobs.synthesize;

/**
 * Dialogue synthesis: scenarios drawn from paths, the dialogues a teacher writes for them, and the teachers.
 * Plain Java, unit-tested without Spark; the synthesize job fans it out over partitions.
 */
package dev.subterra.synthesis;

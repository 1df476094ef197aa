/** Subterra's Spark jobs and command line: each job fans plain-Java library logic out over partitions. */
package dev.subterra.jobs;

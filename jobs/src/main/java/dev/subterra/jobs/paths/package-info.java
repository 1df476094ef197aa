/** The distributed path enumeration job and the Parquet schema of its output. */
package dev.subterra.jobs.paths;

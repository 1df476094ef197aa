/** Starting Spark: the one place that decides which master and settings a job runs with. */
package dev.subterra.jobs.spark;

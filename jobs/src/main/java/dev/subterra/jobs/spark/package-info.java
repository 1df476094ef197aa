/**
 * Starting Spark: the one place that decides which master and settings a job runs with, and the Kryo set-up that
 * {@code cluster-config/spark-defaults.conf} names.
 */
package dev.subterra.jobs.spark;

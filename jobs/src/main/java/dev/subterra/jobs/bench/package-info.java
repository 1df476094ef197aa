/** Benchmarks that print their figures and the machine they ran on; results go to docs/benchmarks.md. */
package dev.subterra.jobs.bench;

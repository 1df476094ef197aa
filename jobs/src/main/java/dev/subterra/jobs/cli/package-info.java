/** The {@code subterra} command line: one subcommand per job, with the exit codes a scheduler can act on. */
package dev.subterra.jobs.cli;

/**
 * Nightly compilation and promotion: a configuration of workflows, a registry that keeps every candidate model with a
 * promoted pointer and a history, and the gate that decides whether a new candidate replaces the promoted one.
 */
package dev.subterra.jobs.nightly;

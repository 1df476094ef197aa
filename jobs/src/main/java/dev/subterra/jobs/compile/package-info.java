/** The whole pipeline as one action: paths, synthesize, train and evaluate into one run directory. */
package dev.subterra.jobs.compile;

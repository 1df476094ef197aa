/** The student transformer: its configuration, its SameDiff graphs and the immutable trained model. */
package dev.subterra.training.model;

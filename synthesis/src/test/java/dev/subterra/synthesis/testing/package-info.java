/** Test fixtures shared by the synthesis tests: a scripted chat-completions server and a log-capturing SLF4J binding. */
package dev.subterra.synthesis.testing;

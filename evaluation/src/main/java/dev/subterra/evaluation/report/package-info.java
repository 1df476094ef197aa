/** The evaluation's self-contained HTML report and its charts, drawn with JFreeChart and inlined as PNG. */
package dev.subterra.evaluation.report;

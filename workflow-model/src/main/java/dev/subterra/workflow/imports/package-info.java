/**
 * Importers that translate other workflow formats (agent2model flowcharts, STAR task schemas) into the native model,
 * returning a validated workflow and the warnings of the translation.
 */
package dev.subterra.workflow.imports;

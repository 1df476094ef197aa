package dev.subterra.jobs.compile;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.Map;

/**
 * One stage's entry in a run's {@code manifest.json}: what it read (inputs and their content hashes), how it was
 * configured, what it wrote (outputs and their hashes), row counts, timings, spend, versions and how it ended.
 *
 * @param status {@value #RUNNING} while it runs (and after a kill), {@value #COMPLETED} or {@value #FAILED}
 * @param action what the last attempt did: {@value #RAN} or {@value #SKIPPED} (its inputs and configuration matched a
 *     completed output)
 * @param fingerprint the hash of the stage name, the code version, the configuration and the input hashes: a
 *     completed stage with the same fingerprint and intact outputs is not run again
 * @param attempts how many times the stage has started with this fingerprint (a resumed stage counts more than one)
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record StageRecord(
    String name,
    String status,
    String action,
    String fingerprint,
    Map<String, Object> configuration,
    Map<String, String> inputs,
    Map<String, String> outputs,
    Map<String, Long> rows,
    String startedAt,
    String finishedAt,
    Double seconds,
    Double spendUsd,
    Integer attempts,
    Map<String, Object> versions,
    String error) {

  public static final String RUNNING = "running";
  public static final String COMPLETED = "completed";
  public static final String FAILED = "failed";
  public static final String RAN = "ran";
  public static final String SKIPPED = "skipped";

  public StageRecord {
    configuration = configuration == null ? Map.of() : configuration;
    inputs = inputs == null ? Map.of() : inputs;
    outputs = outputs == null ? Map.of() : outputs;
    rows = rows == null ? Map.of() : rows;
  }

  public boolean completed() {
    return COMPLETED.equals(status);
  }

  /** A copy marked skipped by a later attempt, everything else as it was recorded. */
  StageRecord skipped() {
    return new StageRecord(name, status, SKIPPED, fingerprint, configuration, inputs, outputs, rows, startedAt,
        finishedAt, seconds, spendUsd, attempts, versions, error);
  }
}

package dev.subterra.jobs.compile;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.annotation.JsonInclude;
import dev.subterra.jobs.io.RunFiles;
import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.Map;
import org.apache.hadoop.fs.Path;

/**
 * A run's {@code manifest.json}: the workflow, the run's status, the versions that ran it, and one
 * {@link StageRecord} per stage. It is rewritten atomically (through {@link RunFiles}) whenever a stage starts, ends
 * or fails, so that a killed run leaves a manifest that says which stage was running.
 *
 * @param status {@code running}, {@code completed} or {@code failed}
 * @param options the compile options of the latest attempt
 */
public record RunManifest(
    int format,
    String workflowId,
    String workflowHash,
    String runDir,
    String status,
    String startedAt,
    String updatedAt,
    Map<String, Object> options,
    Map<String, Object> versions,
    Map<String, StageRecord> stages) {

  /** The manifest's file name in the run directory. */
  public static final String FILE = "manifest.json";
  public static final int FORMAT = 1;

  static final ObjectMapper JSON = new ObjectMapper()
      .setPropertyNamingStrategy(PropertyNamingStrategies.SNAKE_CASE)
      .setSerializationInclusion(JsonInclude.Include.NON_NULL)
      .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
      .enable(SerializationFeature.INDENT_OUTPUT);

  public RunManifest {
    stages = stages == null ? new LinkedHashMap<>() : new LinkedHashMap<>(stages);
  }

  /** The stage's record, or null if the run has none. */
  public StageRecord stage(String name) {
    return stages.get(name);
  }

  /** Reads a run's manifest, or returns null when the run has none yet. */
  public static RunManifest read(RunFiles files, Path runDir) throws IOException {
    String text = files.readText(new Path(runDir, FILE));
    if (text == null) {
      return null;
    }
    try {
      return JSON.readValue(text, RunManifest.class);
    } catch (IOException e) {
      throw new IllegalArgumentException("Invalid manifest: " + new Path(runDir, FILE) + " (" + e.getMessage()
          .lines().findFirst().orElse("") + ")", e);
    }
  }

  /** Writes it atomically to the run directory. */
  public void write(RunFiles files, Path runDir) throws IOException {
    files.writeText(new Path(runDir, FILE), JSON.writeValueAsString(this));
  }

  RunManifest with(String newStatus, String now, StageRecord record) {
    Map<String, StageRecord> next = new LinkedHashMap<>(stages);
    if (record != null) {
      next.put(record.name(), record);
    }
    return new RunManifest(format, workflowId, workflowHash, runDir, newStatus, startedAt, now, options, versions,
        next);
  }
}

package dev.subterra.workflow.imports;

import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;

/** A foreign workflow format that Subterra can import, named on the command line by {@link #cliName()}. */
public enum ImportFormat {
  /** agent2model flowcharts: {@code name}, {@code start}, {@code nodes} by id, {@code scenario_variables}. */
  AGENT2MODEL,
  /** STAR task schemas in the format of Mehri &amp; Eskenazi 2021: {@code replies}, {@code graph}, {@code r_graph}. */
  STAR;

  /** The name used by {@code subterra import --from}. */
  public String cliName() {
    return name().toLowerCase(Locale.ROOT);
  }

  /** The format with this command-line name, ignoring case. */
  public static ImportFormat fromCliName(String name) {
    for (ImportFormat format : values()) {
      if (format.cliName().equalsIgnoreCase(name == null ? "" : name.trim())) {
        return format;
      }
    }
    throw new IllegalArgumentException("Invalid import format: " + name + " (use one of "
        + Arrays.stream(values()).map(ImportFormat::cliName).collect(Collectors.joining(", ")) + ")");
  }
}

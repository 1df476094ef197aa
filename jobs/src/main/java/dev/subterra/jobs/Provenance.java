package dev.subterra.jobs;

import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Where an artefact came from: the versions of Subterra, Spark and Java, the machine, and the time it was made.
 * Each artefact adds its own input hashes and configuration beside this.
 */
public final class Provenance {
  private Provenance() {}

  /** The provenance fields of this process, with the Spark version that ran the job. */
  public static Map<String, Object> current(String sparkVersion) {
    Map<String, Object> fields = new LinkedHashMap<>();
    fields.put("subterra_version", subterraVersion());
    fields.put("spark_version", sparkVersion);
    fields.put("java_version", System.getProperty("java.version"));
    fields.put("java_vendor", System.getProperty("java.vendor"));
    fields.put("os", System.getProperty("os.name") + " " + System.getProperty("os.version") + " "
        + System.getProperty("os.arch"));
    fields.put("created_at", Instant.now().toString());
    return fields;
  }

  /** The version in the jar's manifest, or {@code dev} when run from classes. */
  public static String subterraVersion() {
    String version = Provenance.class.getPackage().getImplementationVersion();
    return version != null ? version : "dev";
  }
}

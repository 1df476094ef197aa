package dev.subterra.jobs.evaluate;

import dev.subterra.training.artefact.ModelArtefact;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

/**
 * The student artefacts an executor JVM has loaded, by the hash of their files: a broadcast model is written to local
 * disk and loaded once per executor, not once per partition.
 */
final class ExecutorModels {
  private static final Map<Integer, ModelArtefact> LOADED = new HashMap<>();

  private ExecutorModels() {}

  static synchronized ModelArtefact load(Map<String, byte[]> files) {
    int key = 1;
    for (Map.Entry<String, byte[]> file : new java.util.TreeMap<>(files).entrySet()) {
      key = 31 * key + file.getKey().hashCode();
      key = 31 * key + java.util.Arrays.hashCode(file.getValue());
    }
    ModelArtefact loaded = LOADED.get(key);
    if (loaded == null) {
      try {
        Path dir = Files.createTempDirectory("subterra-model");
        dir.toFile().deleteOnExit();
        for (Map.Entry<String, byte[]> file : files.entrySet()) {
          Path written = Files.write(dir.resolve(file.getKey()), file.getValue());
          written.toFile().deleteOnExit();
        }
        loaded = ModelArtefact.load(dir);
      } catch (IOException e) {
        throw new UncheckedIOException("Cannot load the broadcast student: " + e.getMessage(), e);
      }
      LOADED.put(key, loaded);
    }
    return loaded;
  }
}

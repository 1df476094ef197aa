package dev.subterra.jobs.nightly;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ModelRegistryTest {
  @TempDir Path dir;

  private Path run(String name, String weights) throws IOException {
    Path run = dir.resolve("runs").resolve(name);
    Files.createDirectories(run.resolve("model"));
    Files.createDirectories(run.resolve("eval"));
    Files.writeString(run.resolve("model/weights.bin"), weights);
    Files.writeString(run.resolve("model/config.json"), "{}");
    Files.writeString(run.resolve("eval/summary.json"), "{\"node_accuracy\": {\"value\": 0.75, \"count\": 4},"
        + " \"heldout_path_fidelity\": {\"value\": null, \"count\": 0}, \"cost_ratio_in_context\": 40.5}");
    return run;
  }

  private static Candidate candidate(String id, Path run) throws IOException {
    return new Candidate(id, "retry-loop", "w.yaml", "abc", "f-" + id, Map.of("seed", 1),
        run.toString(), "w-" + id, NightlyCompilation.gateMetrics(run.resolve("eval/summary.json")), Map.of());
  }

  @Test
  void keepsEveryCandidateWithItsModelAndSummaryAndPromotesByReplacingThePointer() throws Exception {
    ModelRegistry registry = ModelRegistry.at(dir.resolve("registry"));
    assertThat(registry.promoted("retry-loop")).isEmpty();

    registry.add(candidate("20261202T000000Z-aaaa", run("a", "first")), dir.resolve("runs/a"));
    registry.add(candidate("20261202T010000Z-bbbb", run("b", "second")), dir.resolve("runs/b"));
    assertThat(registry.candidateIds("retry-loop"))
        .containsExactly("20261202T000000Z-aaaa", "20261202T010000Z-bbbb");
    Path kept = registry.candidateDir("retry-loop", "20261202T010000Z-bbbb");
    assertThat(kept.resolve("model/weights.bin")).hasContent("second");
    assertThat(kept.resolve("summary.json")).isRegularFile();
    Candidate read = registry.candidate("retry-loop", "20261202T010000Z-bbbb");
    assertThat(read.metrics()).containsEntry("node_accuracy", 0.75).containsEntry("cost_ratio_in_context", 40.5)
        .containsEntry("heldout_path_fidelity", null).doesNotContainKey("pass_k");
    assertThat(read.runDir()).isEqualTo(dir.resolve("runs/b").toString());

    registry.promote("retry-loop", "20261202T000000Z-aaaa");
    assertThat(registry.promoted("retry-loop")).map(Candidate::candidateId).hasValue("20261202T000000Z-aaaa");
    registry.promote("retry-loop", "20261202T010000Z-bbbb");
    assertThat(registry.promoted("retry-loop")).map(Candidate::candidateId).hasValue("20261202T010000Z-bbbb");
    assertThat(registry.workflowDir("retry-loop").resolve("promoted")).hasContent("20261202T010000Z-bbbb");
    try (Stream<Path> files = Files.list(registry.workflowDir("retry-loop"))) {
      // No temporary pointer or half-assembled candidate is left behind.
      assertThat(files.map(p -> p.getFileName().toString())).containsExactlyInAnyOrder("candidates", "promoted");
    }
    try (Stream<Path> files = Files.list(registry.workflowDir("retry-loop").resolve("candidates"))) {
      assertThat(files.filter(p -> p.getFileName().toString().startsWith("."))).isEmpty();
    }
  }

  @Test
  void refusesToPointAtACandidateThatIsNotThereOrToAddOneTwice() throws Exception {
    ModelRegistry registry = ModelRegistry.at(dir.resolve("registry"));
    assertThatThrownBy(() -> registry.promote("retry-loop", "20261202T000000Z-none"))
        .hasMessageStartingWith("Cannot read candidate 20261202T000000Z-none of retry-loop: ");
    Path run = run("a", "w");
    registry.add(candidate("20261202T000000Z-aaaa", run), run);
    assertThatThrownBy(() -> registry.add(candidate("20261202T000000Z-aaaa", run), run))
        .hasMessageContaining("a candidate with this id exists");
    assertThatThrownBy(() -> registry.workflowDir("../escape"))
        .hasMessage("Invalid workflow id for a registry directory: ../escape");
  }

  @Test
  void appendsHistoryInOrderAndHoldsOneLockAtATime() throws Exception {
    ModelRegistry registry = ModelRegistry.at(dir.resolve("registry"));
    registry.append(new HistoryEntry("t1", "retry-loop", "promoted", "c1", null, "f1", "h1",
        Map.of("node_accuracy", 0.5), null, List.of("node_accuracy: 0.5; no promoted model to compare with")));
    registry.append(new HistoryEntry("t2", "retry-loop", "unchanged", null, "c1", "f1", "h1", null, null,
        List.of("unchanged")));
    assertThat(registry.history("retry-loop")).extracting(HistoryEntry::outcome)
        .containsExactly("promoted", "unchanged");
    assertThat(Files.readAllLines(registry.workflowDir("retry-loop").resolve("history.jsonl"))).hasSize(2)
        .allMatch(line -> line.startsWith("{\"time\":"));

    try (ModelRegistry.Lock held = registry.lock()) {
      assertThatThrownBy(registry::lock)
          .hasMessageStartingWith("Cannot lock the registry " + registry.root() + ": another nightly run holds");
    }
    registry.lock().close();
  }
}

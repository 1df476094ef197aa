package dev.subterra.jobs.nightly;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.MappingIterator;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import dev.subterra.jobs.TestSpark;
import dev.subterra.workflow.WorkflowLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class NightlyConfigTest {
  /** The documented example, which ships in jobs/configs/. */
  private static final Path EXAMPLE = TestSpark.WORKFLOWS.resolveSibling("jobs").resolve("configs")
      .resolve("nightly.yaml");

  /** The Kubernetes CronJob, whose ConfigMap holds the configuration the Job runs. */
  private static final Path CRONJOB = TestSpark.WORKFLOWS.resolveSibling("cluster-config").resolve("schedules")
      .resolve("nightly-cronjob.yaml");

  @TempDir Path dir;

  @Test
  void theCronJobsConfigMapHoldsAValidConfiguration() throws Exception {
    String text = null;
    try (MappingIterator<JsonNode> documents = new YAMLMapper().readerFor(JsonNode.class).readValues(CRONJOB.toFile())) {
      while (documents.hasNext()) {
        JsonNode document = documents.next();
        if ("ConfigMap".equals(document.path("kind").asText())) {
          text = document.at("/data/nightly.yaml").asText();
        }
      }
    }
    assertThat(text).as("the ConfigMap's nightly.yaml").isNotBlank();
    Path file = dir.resolve("nightly.yaml");
    Files.writeString(file, text);
    NightlyConfig config = NightlyConfig.load(file);
    assertThat(config.registry()).isEqualTo(Path.of("/data/registry"));
    assertThat(config.workflows()).extracting(e -> e.path().getFileName().toString())
        .allSatisfy(name -> assertThat(TestSpark.WORKFLOWS.resolve(name)).isRegularFile());
  }

  @Test
  void theDocumentedExampleLoadsAndNamesWorkflowsThatValidate() throws Exception {
    NightlyConfig config = NightlyConfig.load(EXAMPLE);
    Path root = EXAMPLE.toAbsolutePath().getParent().getParent().getParent().normalize();
    assertThat(config.registry()).isEqualTo(root.resolve("registry"));
    assertThat(config.runs()).isEqualTo(root.resolve("runs/nightly"));
    assertThat(config.policy()).isEqualTo(NightlyConfig.Policy.ON_CHANGE);
    assertThat(config.gate().metrics()).extracting(GateMetric::name)
        .containsExactly("heldout_path_fidelity", "node_accuracy", "invalid_tag_rate");
    assertThat(config.gate().metrics().get(2).direction()).isEqualTo(GateMetric.Direction.LOWER);
    assertThat(config.gate().metrics().get(2).bound()).isEqualTo(0.2);
    assertThat(config.workflows()).hasSize(2);
    assertThat(config.workflows().get(0).options().preset()).isEqualTo("small");
    assertThat(config.workflows().get(1).options().perPath()).isEqualTo(10);
    assertThat(config.workflows().get(1).options().evalScenarios()).isEqualTo(100);
    assertThat(config.workflows().get(1).options().epochs()).isNull();
    for (NightlyConfig.Entry entry : config.workflows()) {
      assertThat(WorkflowLoader.load(entry.path()).id()).isNotBlank();
    }
  }

  @Test
  void everyProblemIsReportedOnItsOwnLineWithTheFileLineAndColumn() throws Exception {
    Path file = dir.resolve("nightly.yaml");
    Files.writeString(file, """
        registry: reg
        policy: sometimes
        colour: blue
        gate:
          metrics:
            - {metric: node_accuracy, tolerance: -1}
            - {metric: invalid_tag_rate, tolerance: 0.1, floor: 0.5}
            - {metric: accuracy, tolerance: 0.1}
        workflows:
          - path: a.yaml
            preset: huge
            per-path: 0
            profile: huge
          - path: b.yaml
            seed: 1
            epochs: two
        """);
    assertThatThrownBy(() -> NightlyConfig.load(file))
        .isInstanceOf(InvalidNightlyConfigException.class)
        .satisfies(e -> {
          var problems = ((InvalidNightlyConfigException) e).problems();
          assertThat(problems).allMatch(p -> p.startsWith(file + ":"));
          assertThat(String.join("\n", problems)).contains(
              ":2:1: invalid policy 'sometimes': expected on-change or always",
              ":3:1: unknown field 'colour' in configuration (known fields: gate, policy, registry, runs, workflows)",
              ":6:31: invalid tolerance -1.0 for node_accuracy: expected a number >= 0",
              ":7:50: invalid_tag_rate is better lower: give it a ceiling, not a floor",
              ":8:8: invalid metric 'accuracy': expected one of node_accuracy",
              ":5:3: gate metrics must include heldout_path_fidelity",
              ":11:5: invalid preset 'huge': expected tiny, small or base",
              ":12:5: invalid per-path 0: expected at least 1",
              ":10:5: workflow a.yaml has no seed: give one",
              ":13:5: invalid profile 'huge': expected quick, default, full",
              ":16:5: invalid integer 'two' for 'epochs'");
          assertThat(problems).hasSize(11);
        })
        .hasMessageStartingWith("Invalid nightly configuration " + file + ": 11 problems");
  }

  @Test
  void aRegistryOnAnObjectStoreAndAGateWithoutTheRequiredMetricsAreRefused() throws Exception {
    Path file = dir.resolve("nightly.json");
    Files.writeString(file, """
        {"registry": "s3a://bucket/registry",
         "gate": {"metrics": [{"metric": "path_fidelity", "tolerance": 0}]},
         "workflows": [{"path": "w.yaml", "seed": 3}]}
        """);
    assertThatThrownBy(() -> NightlyConfig.load(file))
        .isInstanceOf(InvalidNightlyConfigException.class)
        .satisfies(e -> assertThat(((InvalidNightlyConfigException) e).problems()).containsExactly(
            file + ":1:2: invalid registry 's3a://bucket/registry': a local directory or a shared mount, not a URL"
                + " (the promoted pointer needs an atomic rename)",
            file + ":2:11: gate metrics must include heldout_path_fidelity (the gate checks at least"
                + " heldout_path_fidelity and node_accuracy)",
            file + ":2:11: gate metrics must include node_accuracy (the gate checks at least"
                + " heldout_path_fidelity and node_accuracy)"));
  }

  @Test
  void aMinimalConfigurationGetsTheDocumentedDefaults() throws Exception {
    Path file = dir.resolve("sub").resolve("nightly.yaml");
    Files.createDirectories(file.getParent());
    Files.writeString(file, """
        registry: ../reg
        gate:
          metrics:
            - {metric: heldout_path_fidelity, tolerance: 0}
            - {metric: node_accuracy, tolerance: 0, floor: 0.9}
        workflows:
          - {path: w.yaml, seed: 5, preset: tiny, epochs: 2}
          - {path: w.yaml, seed: 5, profile: full, epochs: 2}
        """);
    NightlyConfig config = NightlyConfig.load(file);
    assertThat(config.registry()).isEqualTo(dir.resolve("reg").toAbsolutePath());
    assertThat(config.runs()).isEqualTo(dir.resolve("runs").toAbsolutePath());
    assertThat(config.policy()).isEqualTo(NightlyConfig.Policy.ON_CHANGE);
    assertThat(config.workflows().get(0).path()).isEqualTo(dir.resolve("sub/w.yaml").toAbsolutePath());
    assertThat(config.workflows().get(0).options().seed()).isEqualTo(5);
    assertThat(config.workflows().get(0).options().epochs()).isEqualTo(2);
    assertThat(config.gate().metrics().get(1).bound()).isEqualTo(0.9);
    // A profile fills in what is not written; what is written wins.
    assertThat(config.workflows().get(1).options()).isEqualTo(new dev.subterra.jobs.compile.CompileOptions("base", 10,
        2, dev.subterra.jobs.compile.CompileOptions.EVERY_PATH, dev.subterra.jobs.synthesize.TeacherSpec.template(),
        5));
  }
}

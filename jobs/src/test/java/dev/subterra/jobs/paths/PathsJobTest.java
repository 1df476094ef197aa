package dev.subterra.jobs.paths;

import dev.subterra.jobs.TestSpark;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.subterra.workflow.Workflow;
import dev.subterra.workflow.WorkflowValidator;
import dev.subterra.workflow.paths.EnumerationConfig;
import dev.subterra.workflow.paths.PathCatalog;
import dev.subterra.workflow.paths.PathRecord;
import dev.subterra.workflow.paths.SplitConfig;
import dev.subterra.workflow.paths.SyntheticWorkflows;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PathsJobTest {
  private static SparkSession spark;

  @TempDir Path temp;

  @BeforeAll
  static void startSpark() {
    spark = TestSpark.start(PathsJobTest.class);
  }

  @AfterAll
  static void stopSpark() {
    spark.stop();
  }

  private List<PathRecord> read(Path runDir) {
    return spark.read().parquet(runDir.resolve("paths").toString()).collectAsList().stream()
        .map(PathRows::fromRow)
        .sorted(Comparator.comparingLong(PathRecord::ordinal))
        .toList();
  }

  @Test
  void theJobWritesExactlyThePathsOfTheSingleThreadedEnumerator() throws Exception {
    Workflow workflow = SyntheticWorkflows.ladder(5, 3, 1, true);
    assertThat(WorkflowValidator.validate(workflow)).isEmpty();
    EnumerationConfig config = new EnumerationConfig(1, 1_000_000, 3);
    PathCatalog expected = PathCatalog.build(workflow, config, SplitConfig.DEFAULT);
    assertThat(expected.paths()).hasSizeGreaterThan(300);

    for (int partitions : new int[] {1, 3, 8}) {
      Path out = temp.resolve("run-" + partitions);
      PathsJobResult result = PathsJob.on(spark).workflow(workflow).enumeration(config).partitions(partitions)
          .output(out.toString()).execute();

      assertThat(read(out)).as("partitions=%d", partitions).isEqualTo(expected.paths());
      assertThat(result.paths()).isEqualTo(expected.paths().size());
      assertThat(result.splits()).isEqualTo(expected.splitCounts());
      assertThat(result.coverage()).isEqualTo(expected.coverage());
      assertThat(result.sampled()).isFalse();
    }
  }

  @Test
  void pastTheCapTheJobWritesTheSameSampleAsTheEnumerator() throws Exception {
    Workflow workflow = SyntheticWorkflows.ladder(6, 3, 1, true);
    EnumerationConfig config = new EnumerationConfig(1, 150, 5);
    PathCatalog expected = PathCatalog.build(workflow, config, SplitConfig.DEFAULT);
    Path out = temp.resolve("sampled");

    PathsJobResult result = PathsJob.on(spark).workflow(workflow).enumeration(config).partitions(4)
        .output(out.toString()).execute();

    assertThat(expected.sampled()).isTrue();
    assertThat(result.sampled()).isTrue();
    assertThat(read(out)).isEqualTo(expected.paths());
    assertThat(result.coverage().complete()).isTrue();
  }

  @Test
  void theRunDirectoryHoldsTheWorkflowAndASummaryWithProvenanceAndNoTemporaries() throws Exception {
    Workflow workflow = SyntheticWorkflows.ladder(3, 2, 2, true);
    Path out = temp.resolve("summary");
    PathsJob.on(spark).workflow(workflow).enumeration(new EnumerationConfig(1, 1000, 9)).output(out.toString())
        .execute();
    // A rerun replaces the outputs in place.
    PathsJobResult again = PathsJob.on(spark).workflow(workflow).enumeration(new EnumerationConfig(1, 1000, 9))
        .output(out.toString()).execute();

    JsonNode summary = new ObjectMapper().readTree(out.resolve("paths.json").toFile());
    assertThat(summary.get("workflow_id").asText()).isEqualTo("ladder-3x2x2-loops");
    assertThat(summary.get("paths").asLong()).isEqualTo(again.paths());
    assertThat(summary.at("/configuration/seed").asLong()).isEqualTo(9);
    assertThat(summary.at("/provenance/spark_version").asText()).startsWith("3.5");
    assertThat(summary.at("/coverage/uncovered_edges")).isEmpty();
    assertThat(Files.readString(out.resolve("workflow.json"))).contains("\"id\" : \"ladder-3x2x2-loops\"");
    try (var listing = Files.list(out)) {
      assertThat(listing.map(p -> p.getFileName().toString()))
          .containsExactlyInAnyOrder("workflow.json", "paths", "paths.json");
    }
  }
}

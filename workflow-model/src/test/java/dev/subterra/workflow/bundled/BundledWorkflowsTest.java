package dev.subterra.workflow.bundled;

import static org.assertj.core.api.Assertions.assertThat;

import dev.subterra.workflow.NodeKind;
import dev.subterra.workflow.Workflow;
import dev.subterra.workflow.WorkflowLoader;
import dev.subterra.workflow.paths.EnumerationConfig;
import dev.subterra.workflow.paths.PathCatalog;
import dev.subterra.workflow.paths.PathSplit;
import dev.subterra.workflow.paths.SplitConfig;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** The workflows that ship in {@code workflows/} are valid, of the size the paper's are, and fully covered. */
class BundledWorkflowsTest {
  private static final Path WORKFLOWS =
      Path.of(System.getProperty("subterra.root", "..")).resolve("workflows");
  private static final EnumerationConfig DEFAULTS = EnumerationConfig.withSeed(42);

  private static PathCatalog paths(Workflow workflow) {
    return PathCatalog.build(workflow, DEFAULTS, SplitConfig.DEFAULT);
  }

  private static void assertUsable(PathCatalog catalog) {
    assertThat(catalog.sampled()).isFalse();
    assertThat(catalog.coverage().uncoveredNodes()).isEmpty();
    assertThat(catalog.coverage().uncoveredEdges()).isEmpty();
    assertThat(catalog.splitCounts().get(PathSplit.HELDOUT)).isPositive();
    assertThat(catalog.splitCounts().get(PathSplit.TRAIN)).isGreaterThan(catalog.paths().size() / 2);
  }

  @Test
  void travelBookingHasFourteenNodesThreeHubsAndPathsOfThePapersOrder() throws Exception {
    Workflow workflow = WorkflowLoader.load(WORKFLOWS.resolve("travel-booking.yaml"));
    assertThat(workflow.nodes()).hasSize(14);
    assertThat(workflow.count(NodeKind.DECISION)).isEqualTo(3);
    assertThat(workflow.count(NodeKind.TOOL)).isPositive();
    PathCatalog catalog = paths(workflow);
    assertThat(catalog.paths().size()).isBetween(40, 200);
    assertUsable(catalog);
  }

  @Test
  void videoMeetingSupportHasFourteenNodesAndAKnowledgeBaseItCites() throws Exception {
    Workflow workflow = WorkflowLoader.load(WORKFLOWS.resolve("video-meeting-support.yaml"));
    assertThat(workflow.nodes()).hasSize(14);
    assertThat(workflow.knowledge()).hasSizeGreaterThanOrEqualTo(10);
    assertThat(workflow.nodes().stream().flatMap(n -> n.cites().stream()).distinct().count())
        .isEqualTo(workflow.knowledge().size());
    PathCatalog catalog = paths(workflow);
    assertThat(catalog.paths().size()).isBetween(30, 150);
    assertUsable(catalog);
  }

  @Test
  void insuranceClaimsHasAboutFiftyFiveNodesSixHubsAndThousandsOfPaths() throws Exception {
    Workflow workflow = WorkflowLoader.load(WORKFLOWS.resolve("insurance-claims.yaml"));
    assertThat(workflow.nodes().size()).isBetween(50, 60);
    assertThat(workflow.count(NodeKind.DECISION)).isEqualTo(6);
    assertThat(workflow.count(NodeKind.TOOL)).isGreaterThanOrEqualTo(5);
    PathCatalog catalog = paths(workflow);
    assertThat(catalog.paths().size()).isBetween(1_000, 6_000);
    assertUsable(catalog);
  }
}

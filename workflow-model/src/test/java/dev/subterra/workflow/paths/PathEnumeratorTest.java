package dev.subterra.workflow.paths;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.subterra.workflow.Workflow;
import dev.subterra.workflow.WorkflowLoader;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

class PathEnumeratorTest {
  private static final long SEED = 7;

  static Workflow retryLoop() throws Exception {
    return WorkflowLoader.load(Path.of("src/test/resources/workflows/retry-loop.yaml"));
  }

  private static List<List<String>> nodeLists(WorkflowGraph graph, List<int[]> paths) {
    return paths.stream()
        .map(p -> IntStream.of(graph.nodesOf(p)).mapToObj(graph::id).toList())
        .toList();
  }

  @Test
  void acyclicEnumerationListsTheSimplePathsInFileOrder() throws Exception {
    WorkflowGraph graph = WorkflowGraph.of(retryLoop());
    List<int[]> paths = new PathEnumerator(graph, new EnumerationConfig(0, 1000, SEED)).enumerate(1000);

    assertThat(nodeLists(graph, paths)).containsExactly(
        List.of("greet", "give_order", "lookup", "offer", "reply", "route", "refunded"),
        List.of("greet", "give_order", "lookup", "offer", "reply", "route", "escalated"));
  }

  @Test
  void unrollingLoopsOnceAddsTheRetryAndRefinePaths() throws Exception {
    WorkflowGraph graph = WorkflowGraph.of(retryLoop());
    List<List<String>> paths = nodeLists(graph,
        new PathEnumerator(graph, new EnumerationConfig(1, 1000, SEED)).enumerate(1000));

    // Lookup succeeds first or after one retry (2 ways); then the offer is accepted, escalated,
    // or refined once and then accepted or escalated (4 endings): 8 paths.
    assertThat(paths).hasSize(8).doesNotHaveDuplicates();
    assertThat(paths).contains(List.of("greet", "give_order", "lookup", "retry", "give_order", "lookup", "offer",
        "reply", "route", "offer", "reply", "route", "escalated"));
    assertThat(paths).allSatisfy(p -> assertThat(p.get(p.size() - 1)).isIn("refunded", "escalated"));
  }

  @Test
  void extendingTheFrontierGivesExactlyTheFullEnumerationInOrder() throws Exception {
    WorkflowGraph graph = WorkflowGraph.of(retryLoop());
    for (int loops = 0; loops <= 3; loops++) {
      PathEnumerator enumerator = new PathEnumerator(graph, new EnumerationConfig(loops, 1_000_000, SEED));
      List<List<String>> whole = nodeLists(graph, enumerator.enumerate(Long.MAX_VALUE));
      for (int target : new int[] {1, 2, 5, 50}) {
        List<int[]> pieces = new ArrayList<>();
        for (int[] prefix : enumerator.frontier(target)) {
          enumerator.extend(prefix, p -> pieces.add(p));
        }
        assertThat(nodeLists(graph, pieces)).as("loops=%d target=%d", loops, target).isEqualTo(whole);
      }
    }
  }

  @Test
  void extendStopsWhenTheSinkSaysSo() throws Exception {
    WorkflowGraph graph = WorkflowGraph.of(retryLoop());
    PathEnumerator enumerator = new PathEnumerator(graph, new EnumerationConfig(2, 1000, SEED));
    assertThat(enumerator.enumerate(3)).hasSize(3);
  }

  @Test
  void catalogIsTheSameRunAfterRunAndIdsDependOnTheWorkflow() throws Exception {
    Workflow workflow = retryLoop();
    EnumerationConfig config = new EnumerationConfig(1, 1000, SEED);
    PathCatalog first = PathCatalog.build(workflow, config, SplitConfig.DEFAULT);
    PathCatalog second = PathCatalog.build(retryLoop(), config, SplitConfig.DEFAULT);
    assertThat(second).isEqualTo(first);

    Workflow edited = new Workflow(workflow.id(), workflow.name(), "Another description", workflow.start(),
        workflow.personas(), workflow.slots(), workflow.knowledge(), workflow.nodes());
    PathCatalog other = PathCatalog.build(edited, config, SplitConfig.DEFAULT);
    assertThat(other.paths()).extracting(r -> r.path().nodes())
        .isEqualTo(first.paths().stream().map(r -> r.path().nodes()).toList());
    assertThat(other.paths().get(0).path().id()).isNotEqualTo(first.paths().get(0).path().id());
  }

  @Test
  void hubChoicesNameTheEdgeTakenWithItsLabel() throws Exception {
    PathCatalog catalog = PathCatalog.build(retryLoop(), new EnumerationConfig(0, 1000, SEED), SplitConfig.DEFAULT);
    WorkflowPath escalated = catalog.paths().get(1).path();
    assertThat(escalated.choices()).containsExactly(
        new HubChoice("lookup", "offer", "success"),
        new HubChoice("route", "escalated", "the user asks for a human"));
    assertThat(escalated.length()).isEqualTo(7);
    assertThat(escalated.terminal()).isEqualTo("escalated");
  }

  @Test
  void coverageCountsPathsPerNodeAndEdgeAndFindsWhatLoopsHide() throws Exception {
    PathCatalog acyclic = PathCatalog.build(retryLoop(), new EnumerationConfig(0, 1000, SEED), SplitConfig.DEFAULT);
    assertThat(acyclic.coverage().uncoveredNodes()).containsExactly("retry");
    assertThat(acyclic.coverage().uncoveredEdges())
        .containsExactly("lookup -> retry", "retry -> give_order", "route -> offer");
    assertThat(acyclic.coverage().edges()).containsEntry("route -> escalated", 1L);

    PathCatalog unrolled = PathCatalog.build(retryLoop(), new EnumerationConfig(1, 1000, SEED), SplitConfig.DEFAULT);
    assertThat(unrolled.coverage().complete()).isTrue();
    assertThat(unrolled.coverage().nodes()).containsEntry("greet", 8L).containsEntry("retry", 4L);
  }

  @Test
  void everyEdgeOfEveryPathIsTrainedOnWhateverTheSplitShares() throws Exception {
    Workflow workflow = retryLoop();
    for (long seed = 0; seed < 20; seed++) {
      PathCatalog catalog = PathCatalog.build(workflow, new EnumerationConfig(2, 10_000, seed),
          new SplitConfig(0.2, 0.2, 0.4));
      Set<String> trainedEdges = new HashSet<>();
      Set<String> allEdges = new HashSet<>();
      for (PathRecord record : catalog.paths()) {
        List<String> nodes = record.path().nodes();
        for (int i = 0; i + 1 < nodes.size(); i++) {
          allEdges.add(nodes.get(i) + ">" + nodes.get(i + 1));
          if (record.split() == PathSplit.TRAIN) {
            trainedEdges.add(nodes.get(i) + ">" + nodes.get(i + 1));
          }
        }
      }
      assertThat(trainedEdges).as("seed %d", seed).isEqualTo(allEdges);
      assertThat(catalog.splitCounts().get(PathSplit.HELDOUT)).as("seed %d", seed).isPositive();
    }
  }

  @Test
  void weightIsOneOverThePathsThroughTheRarestEdge() throws Exception {
    PathCatalog catalog = PathCatalog.build(retryLoop(), new EnumerationConfig(1, 1000, SEED), SplitConfig.DEFAULT);
    Map<String, Long> edges = catalog.coverage().edges();
    for (PathRecord record : catalog.paths()) {
      List<String> nodes = record.path().nodes();
      long rarest = IntStream.range(0, nodes.size() - 1)
          .mapToLong(i -> edges.get(nodes.get(i) + " -> " + nodes.get(i + 1))).min().orElseThrow();
      assertThat(record.weight()).isEqualTo(1.0 / rarest);
    }
  }

  @Test
  void pastTheCapItSamplesWithTheSeedAndStillCoversEveryEdge() {
    Workflow wide = SyntheticWorkflows.ladder(9, 3, 1, false);
    EnumerationConfig capped = new EnumerationConfig(0, 200, 11);
    PathCatalog sample = PathCatalog.build(wide, capped, SplitConfig.DEFAULT);

    assertThat(sample.sampled()).isTrue();
    assertThat(sample.paths()).hasSize(200);
    assertThat(sample.paths().stream().map(r -> r.path().id()).collect(Collectors.toSet())).hasSize(200);
    assertThat(sample.coverage().complete()).isTrue();
    assertThat(PathCatalog.build(wide, capped, SplitConfig.DEFAULT)).isEqualTo(sample);
    assertThat(PathCatalog.build(wide, new EnumerationConfig(0, 200, 12), SplitConfig.DEFAULT).paths())
        .isNotEqualTo(sample.paths());

    PathCatalog full = PathCatalog.build(wide, new EnumerationConfig(0, 1_000_000, 11), SplitConfig.DEFAULT);
    assertThat(full.sampled()).isFalse();
    assertThat(full.paths()).hasSize((int) Math.pow(3, 9));
  }

  @Test
  void twoOutcomesThatLeadToTheSameNodeAreTwoPaths() throws Exception {
    String yaml = """
        id: parallel
        start: check
        slots: {order: {type: string, values: [A-1]}}
        nodes:
          - id: check
            kind: tool
            tool: {name: check_stock, arguments: {order: order}}
            next:
              - {to: tell, outcome: in_stock}
              - {to: tell, outcome: backordered}
              - {to: sorry, outcome: error}
          - id: tell
            kind: agent
            templates: ["Here is where your order stands."]
            next: done
          - id: sorry
            kind: agent
            templates: ["Sorry, the system is down."]
            next: done
          - id: done
            kind: terminal
            outcome: success
        """;
    Workflow workflow = WorkflowLoader.parse("parallel.yaml", yaml.getBytes(java.nio.charset.StandardCharsets.UTF_8),
        WorkflowLoader.Format.YAML);
    PathCatalog catalog = PathCatalog.build(workflow, new EnumerationConfig(0, 100, SEED), SplitConfig.DEFAULT);

    assertThat(catalog.paths()).extracting(r -> r.path().nodes()).containsExactly(
        List.of("check", "tell", "done"), List.of("check", "tell", "done"), List.of("check", "sorry", "done"));
    assertThat(catalog.paths()).extracting(r -> r.path().choices().get(0).label())
        .containsExactly("in_stock", "backordered", "error");
    assertThat(catalog.paths().stream().map(r -> r.path().id()).distinct()).hasSize(3);
    assertThat(catalog.coverage().edges()).containsOnlyKeys("check -> tell [in_stock]", "check -> tell [backordered]",
        "check -> sorry", "tell -> done", "sorry -> done");
  }

  @Test
  void pathsWhoseGuardsContradictEachOtherAreNotPaths() throws Exception {
    String yaml = """
        id: triage
        start: triage
        slots:
          issue: {type: enum, values: [audio, video]}
          minutes: {type: number, min: 1, max: 90}
        nodes:
          - id: triage
            kind: decision
            next:
              - {to: fix_audio, when: audio, guard: {slot: issue, op: eq, value: audio}}
              - {to: fix_video, when: video, guard: {slot: issue, op: eq, value: video}}
          - id: fix_audio
            kind: agent
            templates: ["Check your microphone."]
            next: check
          - id: fix_video
            kind: agent
            templates: ["Check your camera."]
            next: check
          - id: check
            kind: decision
            next:
              - {to: triage, when: still broken}
              - {to: long_call, when: a long meeting, guard: {slot: minutes, op: gt, value: "40"}}
              - {to: done, when: fixed}
          - id: long_call
            kind: decision
            next:
              - {to: upsell, when: very long, guard: {slot: minutes, op: ge, value: "60"}}
              - {to: done, when: short after all, guard: {slot: minutes, op: le, value: "30"}}
          - id: upsell
            kind: terminal
            outcome: success
          - id: done
            kind: terminal
            outcome: success
        """;
    Workflow workflow = WorkflowLoader.parse("triage.yaml", yaml.getBytes(java.nio.charset.StandardCharsets.UTF_8),
        WorkflowLoader.Format.YAML);
    PathCatalog catalog = PathCatalog.build(workflow, new EnumerationConfig(1, 1000, SEED), SplitConfig.DEFAULT);
    List<List<String>> paths = catalog.paths().stream().map(r -> r.path().nodes()).toList();

    // Going round the loop keeps the issue: audio then video cannot happen in one conversation.
    assertThat(paths).contains(List.of("triage", "fix_audio", "check", "triage", "fix_audio", "check", "done"));
    assertThat(paths).noneMatch(p -> p.contains("fix_audio") && p.contains("fix_video"));
    // minutes > 40 and minutes <= 30 contradict; minutes > 40 and >= 60 do not.
    assertThat(paths).noneMatch(p -> p.contains("long_call") && p.get(p.size() - 1).equals("done")
        && p.indexOf("long_call") == p.size() - 2);
    assertThat(paths).contains(List.of("triage", "fix_video", "check", "long_call", "upsell"));
    // audio/video x (fixed | upsell) directly, or after one more round of the same fix: 2 x 2 x 2 = 8.
    assertThat(paths).hasSize(8);
    assertThat(catalog.coverage().uncoveredEdges()).containsExactly("long_call -> done");
  }

  @Test
  void invalidConfigurationIsRejectedWithTheFieldAndValue() {
    assertThatThrownBy(() -> new EnumerationConfig(-1, 10, 1)).hasMessage("Invalid maxLoops: -1 (expected 0 to 16)");
    assertThatThrownBy(() -> new EnumerationConfig(0, 0, 1)).hasMessage("Invalid maxPaths: 0 (expected at least 1)");
    assertThatThrownBy(() -> new SplitConfig(0.5, 0.3, 0.3)).hasMessageStartingWith("Invalid split:");
    assertThatThrownBy(() -> new SplitConfig(-0.1, 0, 0)).hasMessage(
        "Invalid validation share: -0.1 (expected 0 <= share < 1)");
  }
}

package dev.subterra.workflow.paths;

import dev.subterra.workflow.Workflow;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The paths of a workflow with their weights and splits, and the coverage they give: the result of enumeration,
 * computed here on one thread and by {@code PathsJob} on a cluster, with the same content.
 *
 * <p>{@code sampled} says that the path space exceeded {@code enumeration.maxPaths()} and {@code paths} is a seeded,
 * edge-stratified sample of it.
 */
public record PathCatalog(
    String workflowId,
    String workflowHash,
    EnumerationConfig enumeration,
    SplitConfig split,
    boolean sampled,
    List<PathRecord> paths,
    Coverage coverage) {

  public PathCatalog {
    paths = List.copyOf(paths);
  }

  /** Enumerates (or samples), weights and splits the paths of a validated workflow on this thread. */
  public static PathCatalog build(Workflow workflow, EnumerationConfig enumeration, SplitConfig split) {
    WorkflowGraph graph = WorkflowGraph.of(workflow);
    List<int[]> raw = new PathEnumerator(graph, enumeration).enumerate(enumeration.maxPaths() + 1);
    boolean sampled = raw.size() > enumeration.maxPaths();
    if (sampled) {
      raw = new PathSampler(graph, enumeration).sample();
    }
    return label(graph, enumeration, split, sampled, raw);
  }

  /** Weights and splits enumerated paths (edge sequences), given in enumeration order. */
  static PathCatalog label(WorkflowGraph graph, EnumerationConfig enumeration, SplitConfig split, boolean sampled,
      List<int[]> raw) {
    PathLabeler labeler = new PathLabeler(graph, enumeration.seed());
    List<WorkflowPath> described = new ArrayList<>(raw.size());
    List<PathSplit> proposed = new ArrayList<>(raw.size());
    Map<Long, EdgeTally> tallies = new HashMap<>();
    long[] nodePaths = new long[graph.size()];
    for (int[] edges : raw) {
      WorkflowPath path = labeler.describe(edges);
      double unit = labeler.unit(path.id());
      PathSplit draw = split.propose(unit);
      described.add(path);
      proposed.add(draw);
      EdgeTally one = EdgeTally.of(path.id(), unit, draw);
      for (long key : PathLabeler.edgeKeys(edges)) {
        tallies.merge(key, one, EdgeTally::merge);
      }
      for (int node : labeler.distinctNodes(edges)) {
        nodePaths[node]++;
      }
    }
    EdgeTally.Decision decision = EdgeTally.decide(tallies);
    Set<String> rescued = decision.rescued();
    Map<Long, Long> edgePaths = decision.edgePaths();
    List<PathRecord> records = new ArrayList<>(raw.size());
    for (int i = 0; i < raw.size(); i++) {
      WorkflowPath path = described.get(i);
      PathSplit finalSplit = rescued.contains(path.id()) ? PathSplit.TRAIN : proposed.get(i);
      records.add(new PathRecord(path, i, weight(PathLabeler.edgeKeys(raw.get(i)), edgePaths), finalSplit));
    }
    return new PathCatalog(graph.workflowId(), graph.contentHash(), enumeration, split, sampled, records,
        Coverage.of(graph, nodePaths, edgePaths));
  }

  /** One over the number of paths through the path's least-travelled edge. */
  public static double weight(long[] edgeKeys, Map<Long, Long> edgePaths) {
    long rarest = Long.MAX_VALUE;
    for (long key : edgeKeys) {
      rarest = Math.min(rarest, edgePaths.getOrDefault(key, 1L));
    }
    return edgeKeys.length == 0 ? 1.0 : 1.0 / rarest;
  }

  /** The number of paths in each split. */
  public Map<PathSplit, Long> splitCounts() {
    Map<PathSplit, Long> counts = new EnumMap<>(PathSplit.class);
    for (PathSplit s : PathSplit.values()) {
      counts.put(s, 0L);
    }
    paths.forEach(p -> counts.merge(p.split(), 1L, Long::sum));
    return counts;
  }
}

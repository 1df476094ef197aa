package dev.subterra.synthesis;

import dev.subterra.workflow.paths.PathSplit;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What one dialogue acts out: a path through the workflow and a variant of it, namely a seed, a user persona and
 * styles (terse, chatty, makes typos, ...), and a value for every slot the path needs. It inherits its path's split.
 *
 * <p>A scenario may refine: when its path comes back to a user node ({@code revisedAt}, the index of that step in the
 * path), the user changes the values in {@code revisions} ("could you look again with a max of 1500 euros? everything
 * else the same"), and from that step on they replace the slots' values; every other value is remembered. Without a
 * refinement {@code revisions} is empty and {@code revisedAt} is -1.
 */
public record Scenario(
    String scenarioId,
    String workflowId,
    String pathId,
    List<String> nodes,
    long seed,
    String persona,
    List<String> styles,
    Map<String, String> slots,
    PathSplit split,
    Map<String, String> revisions,
    int revisedAt) {

  public Scenario {
    nodes = List.copyOf(nodes);
    styles = List.copyOf(styles);
    slots = Collections.unmodifiableMap(new LinkedHashMap<>(slots));
    revisions = revisions == null ? Map.of() : Collections.unmodifiableMap(new LinkedHashMap<>(revisions));
    if (revisions.isEmpty() != (revisedAt < 0)) {
      throw new IllegalArgumentException("Invalid refinement of scenario " + scenarioId + ": " + revisions.size()
          + " revised values at step " + revisedAt + " (give both, or neither and -1)");
    }
  }

  /** A scenario without a refinement. */
  public Scenario(String scenarioId, String workflowId, String pathId, List<String> nodes, long seed, String persona,
      List<String> styles, Map<String, String> slots, PathSplit split) {
    this(scenarioId, workflowId, pathId, nodes, seed, persona, styles, slots, split, Map.of(), -1);
  }

  /** The slots' values in effect at step {@code step} of the path: the revised ones from the refinement on. */
  public Map<String, String> slotsAt(int step) {
    if (revisedAt < 0 || step < revisedAt) {
      return slots;
    }
    Map<String, String> out = new LinkedHashMap<>(slots);
    out.putAll(revisions);
    return Collections.unmodifiableMap(out);
  }

  /** Whether the user refines at step {@code step}: the values of {@link #revisions} change there. */
  public boolean refinesAt(int step) {
    return step == revisedAt;
  }
}

package dev.subterra.synthesis;

import dev.subterra.workflow.paths.PathSplit;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What one dialogue acts out: a path through the workflow and a variant of it, namely a seed, a user persona and
 * styles (terse, chatty, makes typos, ...), and a value for every slot the path needs. It inherits its path's split.
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
    PathSplit split) {

  public Scenario {
    nodes = List.copyOf(nodes);
    styles = List.copyOf(styles);
    slots = Collections.unmodifiableMap(new LinkedHashMap<>(slots));
  }
}

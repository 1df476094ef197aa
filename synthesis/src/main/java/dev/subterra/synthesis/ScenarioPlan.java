package dev.subterra.synthesis;

import java.util.List;

/**
 * The scenarios planned for a set of paths, in path order then index order, and the draws that were rejected. Rows are
 * conserved: {@code scenarios.size() + rejected.size()} is the number of draws the allocation asked for.
 */
public record ScenarioPlan(ScenarioConfig config, List<Scenario> scenarios, List<ScenarioRejection> rejected) {

  public ScenarioPlan {
    scenarios = List.copyOf(scenarios);
    rejected = List.copyOf(rejected);
  }

  /** Scenarios plus rejections. */
  public int draws() {
    return scenarios.size() + rejected.size();
  }
}

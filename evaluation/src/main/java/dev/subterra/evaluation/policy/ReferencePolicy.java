package dev.subterra.evaluation.policy;

import dev.subterra.synthesis.Dialogue;
import dev.subterra.synthesis.Role;
import dev.subterra.synthesis.Turn;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Replays the teacher's dialogue of each scenario: the upper bound of closed-loop evaluation.
 *
 * <p>The {@code n}-th agent or tool turn the runner asks for gets the {@code n}-th agent or tool turn of the scenario's
 * dialogue, less its tool result (the tool simulator answers the call). For dialogues of the template teacher the
 * closed loop has the same shape as the dialogue, digressions included, so the replay scores exactly 1 on every
 * adherence metric; a dialogue of another teacher may be shaped differently, and then scores what it scores.
 */
public final class ReferencePolicy implements Policy {
  private final Map<String, List<Turn>> agentTurns = new HashMap<>();

  /** A replay of these dialogues, found by scenario id. */
  public ReferencePolicy(List<Dialogue> dialogues) {
    for (Dialogue d : dialogues) {
      List<Turn> mine = new ArrayList<>();
      for (Turn t : d.turns()) {
        if (t.role() == Role.AGENT || t.role() == Role.TOOL) {
          mine.add(t);
        }
      }
      agentTurns.put(d.scenarioId(), List.copyOf(mine));
    }
  }

  @Override
  public String name() {
    return "reference";
  }

  @Override
  public List<Optional<PolicyTurn>> next(List<PolicyRequest> requests) {
    List<Optional<PolicyTurn>> out = new ArrayList<>(requests.size());
    for (PolicyRequest request : requests) {
      List<Turn> script = agentTurns.getOrDefault(request.scenario().scenarioId(), List.of());
      long said = request.history().stream().filter(t -> t.role() == Role.AGENT || t.role() == Role.TOOL).count();
      if (said >= script.size()) {
        out.add(Optional.empty());
        continue;
      }
      Turn t = script.get((int) said);
      Turn withoutResult = new Turn(t.role(), t.text(), t.nodeId(), t.call(), null);
      out.add(Optional.of(PolicyTurn.of(withoutResult)));
    }
    return out;
  }
}

package dev.subterra.jobs.probe;

import java.util.List;
import java.util.Objects;

/**
 * One hand-written conversation of a probe set: its id, what it tests, and its turns in order.
 *
 * @param note what the conversation is about, for a reader of the file and the report; may be null
 */
public record ProbeConversation(String id, ProbeKind kind, String note, List<ProbeTurn> turns) {
  public ProbeConversation {
    Objects.requireNonNull(id, "id");
    Objects.requireNonNull(kind, "kind");
    turns = List.copyOf(turns);
  }

  /** The indices in {@link #turns()} of the agent steps, in order. */
  public List<Integer> stepIndices() {
    return java.util.stream.IntStream.range(0, turns.size())
        .filter(i -> turns.get(i) instanceof ProbeTurn.AgentStep).boxed().toList();
  }
}

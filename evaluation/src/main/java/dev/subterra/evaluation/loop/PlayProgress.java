package dev.subterra.evaluation.loop;

/**
 * How far a {@link ClosedLoopRunner} has played, after one of its rounds: the agent turns played of those the
 * scenarios' paths plan, and the conversations finished.
 *
 * <p>Turns measure the work better than conversations: in lockstep every conversation advances one agent turn per
 * round and most finish in the last few rounds, so conversations done stays near zero until the end while turns grow
 * steadily. A conversation that ends before its path does (an invalid tag, the policy stops, the turn limit) counts
 * all its planned turns as played, so {@code turnsDone} reaches {@code turnsPlanned} exactly when the play is over.
 *
 * @param policy the policy's name
 * @param rounds rounds played so far
 * @param turnsDone agent turns played so far (with the planned turns of conversations that ended early)
 * @param turnsPlanned agent turns the conversations' paths plan in all
 * @param conversationsDone conversations finished
 * @param conversations conversations in all (scenarios times samples)
 */
public record PlayProgress(String policy, int rounds, long turnsDone, long turnsPlanned, int conversationsDone,
    int conversations) {
  public PlayProgress {
    if (rounds < 0 || turnsDone < 0 || turnsDone > turnsPlanned || conversationsDone < 0
        || conversationsDone > conversations) {
      throw new IllegalArgumentException("Invalid progress: round " + rounds + ", " + turnsDone + " of "
          + turnsPlanned + " turns, " + conversationsDone + " of " + conversations + " conversations");
    }
  }

  /** Whether every conversation is finished. */
  public boolean finished() {
    return conversationsDone == conversations;
  }
}

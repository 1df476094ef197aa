package dev.subterra.evaluation.loop;

import dev.subterra.synthesis.Wording;
import java.util.Objects;

/**
 * How the closed loop plays conversations.
 *
 * @param maxAgentTurns the most agent turns per conversation; a safeguard, since the simulator follows a finite path
 * @param stopAtInvalidTag whether a turn without a valid node tag ends the conversation (otherwise it is scored wrong
 *     and the conversation goes on)
 * @param wording the share of the user's wording the simulated users speak: the training share, as the teacher's
 *     users did, or the held-out share that no training dialogue spoke
 */
public record ClosedLoopConfig(int maxAgentTurns, boolean stopAtInvalidTag, Wording wording) {
  /** The default limit of agent turns, far above the length of any bundled workflow's path. */
  public static final int DEFAULT_MAX_AGENT_TURNS = 200;

  public ClosedLoopConfig {
    if (maxAgentTurns < 1) {
      throw new IllegalArgumentException("Invalid maxAgentTurns: " + maxAgentTurns);
    }
    Objects.requireNonNull(wording, "wording");
  }

  /** {@value #DEFAULT_MAX_AGENT_TURNS} agent turns at most, stopping at the first invalid tag, users speaking as in training. */
  public static ClosedLoopConfig defaults() {
    return new ClosedLoopConfig(DEFAULT_MAX_AGENT_TURNS, true, Wording.TRAINING);
  }

  /** The same, with users speaking this share of the wording. */
  public ClosedLoopConfig withWording(Wording value) {
    return new ClosedLoopConfig(maxAgentTurns, stopAtInvalidTag, value);
  }
}

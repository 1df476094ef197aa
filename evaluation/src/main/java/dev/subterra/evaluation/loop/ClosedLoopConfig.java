package dev.subterra.evaluation.loop;

/**
 * How the closed loop plays conversations.
 *
 * @param maxAgentTurns the most agent turns per conversation; a safeguard, since the simulator follows a finite path
 * @param stopAtInvalidTag whether a turn without a valid node tag ends the conversation (otherwise it is scored wrong
 *     and the conversation goes on)
 */
public record ClosedLoopConfig(int maxAgentTurns, boolean stopAtInvalidTag) {
  /** The default limit of agent turns, far above the length of any bundled workflow's path. */
  public static final int DEFAULT_MAX_AGENT_TURNS = 200;

  public ClosedLoopConfig {
    if (maxAgentTurns < 1) {
      throw new IllegalArgumentException("Invalid maxAgentTurns: " + maxAgentTurns);
    }
  }

  /** {@value #DEFAULT_MAX_AGENT_TURNS} agent turns at most, stopping at the first invalid tag. */
  public static ClosedLoopConfig defaults() {
    return new ClosedLoopConfig(DEFAULT_MAX_AGENT_TURNS, true);
  }
}

package dev.subterra.jobs.probe;

import dev.subterra.synthesis.ToolInvocation;
import java.util.Objects;

/** One turn of a probe conversation: what the customer wrote, or an agent step with what the agent should do. */
public sealed interface ProbeTurn permits ProbeTurn.UserMessage, ProbeTurn.AgentStep {

  /** A message the customer wrote, as they wrote it. */
  record UserMessage(String text) implements ProbeTurn {
    public UserMessage {
      Objects.requireNonNull(text, "text");
    }
  }

  /**
   * An agent step: the node the agent should be at, and either the words it says (an agent node; the gold words
   * that go into the history afterwards) or the call it should make with canonical argument values and the result the
   * tool gives back (a tool node).
   *
   * @param node the expected node id: an agent node's, or a tool node's when a call is expected
   * @param say the agent's words at an agent node; null at a tool node
   * @param call the expected call, arguments in the workflow's declared order; null at an agent node
   * @param result the tool's answer as the agent reads it, compact JSON with {@code status} first; null at an agent node
   */
  record AgentStep(String node, String say, ToolInvocation call, String result) implements ProbeTurn {
    public AgentStep {
      Objects.requireNonNull(node, "node");
      if ((call == null) != (result == null) || (call == null) == (say == null)) {
        throw new IllegalArgumentException("Invalid agent step at " + node
            + ": either words, or a call with its result");
      }
    }

    /** An agent node's step: words, no call. */
    public static AgentStep says(String node, String say) {
      return new AgentStep(node, say, null, null);
    }

    /** A tool node's step: a call and the tool's result. */
    public static AgentStep calls(String node, ToolInvocation call, String result) {
      return new AgentStep(node, null, call, result);
    }

    /** Whether a tool call is expected here. */
    public boolean expectsCall() {
      return call != null;
    }
  }
}

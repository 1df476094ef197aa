package dev.subterra.jobs.probe;

import dev.subterra.evaluation.simulate.ToolSimulator;
import dev.subterra.synthesis.ToolInvocation;
import java.util.Objects;

/**
 * What the student did at one agent step of a probe conversation, next to what it should have done.
 *
 * @param conversation the conversation's id
 * @param kind the conversation's kind
 * @param turn the step's index among the conversation's turns, from 0
 * @param expected the expected step: its node, and its call at a tool node
 * @param gotNode the node tag the student wrote, or null if it wrote none
 * @param gotCall the call the student wrote, or null
 * @param gotText the words the student wrote, without tag and call
 * @param promptTokensDropped how many tokens of the history the training window rule cut from the prompt
 * @param stop why decoding stopped, as the server reports it: {@code end_of_turn}, {@code token_limit} or
 *     {@code context_full}
 */
public record StepResult(String conversation, ProbeKind kind, int turn, ProbeTurn.AgentStep expected, String gotNode,
    ToolInvocation gotCall, String gotText, int promptTokensDropped, String stop) {

  public StepResult {
    Objects.requireNonNull(conversation, "conversation");
    Objects.requireNonNull(kind, "kind");
    Objects.requireNonNull(expected, "expected");
    gotText = gotText == null ? "" : gotText;
  }

  /** Whether the student was at the expected node. */
  public boolean nodeCorrect() {
    return expected.node().equals(gotNode);
  }

  /**
   * Whether the expected call was made exactly: the same tool and every argument equal (argument order aside), the
   * rule evaluation's tool simulator answers by. False where no call is expected.
   */
  public boolean callExact() {
    return expected.expectsCall() && ToolSimulator.sameCall(expected.call(), gotCall);
  }

  /**
   * Whether the student gave the expected value for one argument of the expected call: it called the same tool and
   * that argument's value is equal. False where no call is expected.
   */
  public boolean argumentCorrect(String argument) {
    return expected.expectsCall() && gotCall != null && gotCall.name().equals(expected.call().name())
        && Objects.equals(expected.call().arguments().get(argument), gotCall.arguments().get(argument));
  }

  /** Whether the whole step is right: the node, and the call where one is expected; a call where none is, is wrong. */
  public boolean correct() {
    return nodeCorrect() && (expected.expectsCall() ? callExact() : gotCall == null);
  }
}

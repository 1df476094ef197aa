package dev.subterra.evaluation.cost;

import dev.subterra.evaluation.loop.ConversationResult;
import dev.subterra.evaluation.loop.StepResult;
import dev.subterra.synthesis.Role;
import dev.subterra.synthesis.Scenario;
import dev.subterra.synthesis.Turn;
import dev.subterra.training.serial.DialogueSerializer;
import dev.subterra.workflow.Node;
import dev.subterra.workflow.NodeKind;
import dev.subterra.workflow.Workflow;
import java.math.BigDecimal;
import java.math.MathContext;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Prices closed-loop conversations for the student and for the two frontier-model baselines it replaces.
 *
 * <ul>
 *   <li><b>Student:</b> the tokens it read and wrote in the conversation (prefill plus decode, as measured), times a
 *       self-hosted price per token: the hardware's hourly price over 3,600 seconds, over the measured throughput
 *       (tokens per second), over the utilisation.
 *   <li><b>In context:</b> a frontier model with the whole procedure ({@link ProcedurePrompt#render}) as its system
 *       prompt, re-sent on every agent turn with the conversation so far; it writes the agent's turns. Tokens are
 *       counted with {@link TokenApproximation}, one message per turn (a tool call and its result are two).
 *   <li><b>Orchestrated:</b> on every agent turn, the prompt of the node being executed ({@link ProcedurePrompt#node})
 *       with the conversation so far; at every hub the path passes (a decision, or a user or agent node with several
 *       edges; a tool's outcome needs no routing call), one routing call ({@link ProcedurePrompt#routing}) with the
 *       conversation so far, writing {@link CostAssumptions#routingOutputTokens()} tokens.
 * </ul>
 *
 * <p>The baselines are priced on the same conversations as the student, so the ratio compares like with like: the
 * same turns, written by a different agent. Costs are in US dollars; nothing is rounded until it is reported.
 */
public final class CostModel {
  private static final BigDecimal SECONDS_PER_HOUR = BigDecimal.valueOf(3_600);

  private final Workflow workflow;
  private final CostAssumptions assumptions;
  private final long systemPromptTokens;

  public CostModel(Workflow workflow, CostAssumptions assumptions) {
    this.workflow = workflow;
    this.assumptions = assumptions;
    this.systemPromptTokens = TokenApproximation.message(ProcedurePrompt.render(workflow));
  }

  /** The student's price of one token read or written, in dollars. */
  public BigDecimal studentUsdPerToken() {
    return assumptions.hardware().usdPerHour()
        .divide(SECONDS_PER_HOUR, MathContext.DECIMAL64)
        .divide(BigDecimal.valueOf(assumptions.studentTokensPerSecond()), MathContext.DECIMAL64)
        .divide(BigDecimal.valueOf(assumptions.utilisation()), MathContext.DECIMAL64);
  }

  /** The tokens of the in-context baseline's system prompt, framing included. */
  public long systemPromptTokens() {
    return systemPromptTokens;
  }

  /** What one conversation of this scenario costs each way. */
  public ConversationCost cost(Scenario scenario, ConversationResult conversation) {
    long studentTokens = conversation.promptTokens() + conversation.generatedTokens();
    BigDecimal studentUsd = studentUsdPerToken().multiply(BigDecimal.valueOf(studentTokens), MathContext.DECIMAL64);

    // The history before each agent turn: the messages a frontier model would be sent with it.
    List<Turn> transcript = conversation.transcript();
    List<Long> historyBefore = new ArrayList<>();
    List<Long> output = new ArrayList<>();
    long history = 0;
    for (Turn turn : transcript) {
      if (turn.role() == Role.USER) {
        history += TokenApproximation.message(turn.text());
        continue;
      }
      historyBefore.add(history);
      String written = turn.call() == null ? turn.text() : DialogueSerializer.formatCall(turn.call());
      long out = TokenApproximation.tokens(written);
      output.add(out);
      history += out + TokenApproximation.MESSAGE_OVERHEAD;
      if (turn.result() != null) {
        history += TokenApproximation.message(turn.result());
      }
    }
    long inContextIn = 0;
    long agentOut = 0;
    for (int i = 0; i < historyBefore.size(); i++) {
      inContextIn += systemPromptTokens + historyBefore.get(i);
      agentOut += output.get(i);
    }

    long orchestratedIn = 0;
    long orchestratedOut = agentOut;
    List<StepResult> steps = conversation.steps();
    for (int i = 0; i < steps.size() && i < historyBefore.size(); i++) {
      Node node = workflow.node(steps.get(i).expectedNode()).orElse(null);
      long prompt = node == null ? systemPromptTokens
          : TokenApproximation.message(ProcedurePrompt.node(workflow, node));
      orchestratedIn += prompt + historyBefore.get(i);
    }
    List<String> path = scenario.nodes();
    for (int h = 0; h < path.size(); h++) {
      Node hub = workflow.node(path.get(h)).orElse(null);
      if (hub == null || !hub.isBranching() || hub.kind() == NodeKind.TOOL) {
        continue;
      }
      long routingPrompt = TokenApproximation.message(ProcedurePrompt.routing(workflow, hub));
      orchestratedIn += routingPrompt + historyAt(h, steps, historyBefore, history);
      orchestratedOut += assumptions.routingOutputTokens();
    }
    var frontier = assumptions.frontier();
    return new ConversationCost(studentTokens, studentUsd, inContextIn, agentOut, frontier.cost(inContextIn, agentOut),
        orchestratedIn, orchestratedOut, frontier.cost(orchestratedIn, orchestratedOut));
  }

  /** The history when the router decides at path step {@code h}: before the first agent turn after it, or all. */
  private static long historyAt(int h, List<StepResult> steps, List<Long> historyBefore, long all) {
    for (int i = 0; i < steps.size() && i < historyBefore.size(); i++) {
      if (steps.get(i).pathStep() > h) {
        return historyBefore.get(i);
      }
    }
    return all;
  }

  /** The mean costs over conversations, with scenarios found by id, and the ratios. */
  public CostReport report(List<ConversationResult> conversations, Map<String, Scenario> scenarios) {
    BigDecimal student = BigDecimal.ZERO;
    BigDecimal inContext = BigDecimal.ZERO;
    BigDecimal orchestrated = BigDecimal.ZERO;
    double studentTokens = 0;
    double inContextTokens = 0;
    double orchestratedTokens = 0;
    for (ConversationResult c : conversations) {
      Scenario scenario = scenarios.get(c.scenarioId());
      if (scenario == null) {
        throw new IllegalArgumentException("Cannot price conversation of scenario " + c.scenarioId()
            + ": the scenario was not given");
      }
      ConversationCost cost = cost(scenario, c);
      student = student.add(cost.studentUsd());
      inContext = inContext.add(cost.inContextUsd());
      orchestrated = orchestrated.add(cost.orchestratedUsd());
      studentTokens += cost.studentTokens();
      inContextTokens += cost.inContextInputTokens();
      orchestratedTokens += cost.orchestratedInputTokens();
    }
    int n = conversations.size();
    if (n == 0) {
      throw new IllegalArgumentException("Cannot price no conversations");
    }
    BigDecimal count = BigDecimal.valueOf(n);
    BigDecimal studentMean = student.divide(count, MathContext.DECIMAL64);
    BigDecimal inContextMean = inContext.divide(count, MathContext.DECIMAL64);
    BigDecimal orchestratedMean = orchestrated.divide(count, MathContext.DECIMAL64);
    double ratioInContext = studentMean.signum() > 0 ? inContextMean.doubleValue() / studentMean.doubleValue()
        : Double.NaN;
    double ratioOrchestrated = studentMean.signum() > 0
        ? orchestratedMean.doubleValue() / studentMean.doubleValue() : Double.NaN;
    return new CostReport(n, studentMean, inContextMean, orchestratedMean, ratioInContext, ratioOrchestrated,
        studentTokens / n, inContextTokens / n, orchestratedTokens / n, assumptions);
  }
}

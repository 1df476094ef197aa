package dev.subterra.evaluation.loop;

import dev.subterra.evaluation.policy.Policy;
import dev.subterra.evaluation.policy.PolicyRequest;
import dev.subterra.evaluation.policy.PolicyTurn;
import dev.subterra.evaluation.simulate.ToolResult;
import dev.subterra.evaluation.simulate.ToolSimulator;
import dev.subterra.evaluation.simulate.UserSimulator;
import dev.subterra.synthesis.Role;
import dev.subterra.synthesis.Route;
import dev.subterra.synthesis.Scenario;
import dev.subterra.synthesis.ToolInvocation;
import dev.subterra.synthesis.Turn;
import dev.subterra.workflow.Node;
import dev.subterra.workflow.NodeKind;
import dev.subterra.workflow.Workflow;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Plays scenarios to the end against a policy, with the user and tool simulators on the other side, and records every
 * agent turn beside what the scenario's path expected.
 *
 * <p>The conversation walks the scenario's path. At a user step the {@link UserSimulator} speaks (after its off-topic
 * question, for a user who asks one, which the agent answers first); at an agent or tool step the policy writes the
 * agent's turn, and a call it makes is run by the {@link ToolSimulator}, whose result joins the conversation; decisions
 * and terminals pass silently. The conversation stops at the path's terminal, at the first turn without a valid tag
 * (when {@link ClosedLoopConfig#stopAtInvalidTag()}), when the policy has nothing more to say, or at the turn limit.
 *
 * <p><b>When the policy deviates.</b> The simulators keep acting out the scenario: the user says what the scenario's
 * user says next, and every later agent turn is still scored against the path's next step. The turn that deviated is
 * recorded as the first wrong node (the node the path expected there), and the conversation fails path fidelity;
 * per-turn accuracy goes on counting, so a policy that recovers after one slip scores better per turn than one that
 * never does. This keeps every conversation the same length as its path, so turn-level metrics compare like with like,
 * and it is what a scripted user does: it does not follow the agent into a branch the scenario does not take.
 *
 * <p>Conversations advance in lockstep: in each round every conversation that waits for the agent is handed to the
 * policy in one call, so a model policy can decode them as a batch. The order of conversations, and so the batches,
 * depends only on the scenarios and {@code samples}, which keeps a sampled run reproducible.
 */
public final class ClosedLoopRunner {
  private static final Logger LOG = LoggerFactory.getLogger(ClosedLoopRunner.class);

  private final Workflow workflow;
  private final ClosedLoopConfig config;

  public ClosedLoopRunner(Workflow workflow, ClosedLoopConfig config) {
    this.workflow = workflow;
    this.config = config;
  }

  /**
   * Plays each scenario {@code samples} times (for pass^k; once for a greedy policy) and returns the conversations,
   * scenario by scenario, runs in order.
   *
   * @throws IllegalArgumentException when a scenario belongs to another workflow or its path is not one of this
   *     workflow's
   */
  public List<ConversationResult> run(Policy policy, List<Scenario> scenarios, int samples) {
    return run(policy, scenarios, samples, progress -> { });
  }

  /**
   * Plays as {@link #run(Policy, List, int)} does and hands {@code progress} where the play stands after every round
   * (and once before the first); a {@link ProgressLog} turns that into log lines at a sensible interval. It is called
   * on the runner's thread, so it must be quick.
   */
  public List<ConversationResult> run(Policy policy, List<Scenario> scenarios, int samples,
      Consumer<PlayProgress> progress) {
    if (samples < 1) {
      throw new IllegalArgumentException("Invalid samples: " + samples);
    }
    List<Episode> episodes = new ArrayList<>();
    for (Scenario scenario : scenarios) {
      if (!workflow.id().equals(scenario.workflowId())) {
        throw new IllegalArgumentException("Invalid scenario " + scenario.scenarioId() + ": it belongs to workflow "
            + scenario.workflowId() + ", not " + workflow.id());
      }
      for (int s = 0; s < samples; s++) {
        episodes.add(new Episode(scenario, s, policy.name()));
      }
    }
    List<Episode> waiting = episodes.stream().filter(Episode::advance).toList();
    long planned = episodes.stream().mapToLong(e -> e.plannedTurns).sum();
    int rounds = 0;
    progress.accept(progress(policy, rounds, episodes, planned, waiting.size()));
    while (!waiting.isEmpty()) {
      List<PolicyRequest> requests = waiting.stream().map(Episode::request).toList();
      List<Optional<PolicyTurn>> answers = policy.next(requests);
      if (answers.size() != requests.size()) {
        throw new IllegalStateException("Cannot play round " + rounds + ": policy " + policy.name() + " answered "
            + answers.size() + " of " + requests.size() + " conversations");
      }
      for (int i = 0; i < waiting.size(); i++) {
        waiting.get(i).accept(answers.get(i));
      }
      waiting = waiting.stream().filter(Episode::advance).toList();
      rounds++;
      progress.accept(progress(policy, rounds, episodes, planned, waiting.size()));
    }
    List<ConversationResult> results = episodes.stream().map(Episode::result).toList();
    LOG.info("Played {} conversations ({} scenarios x {}) with policy {} in {} rounds; {} followed their path",
        results.size(), scenarios.size(), samples, policy.name(), rounds,
        results.stream().filter(ConversationResult::pathFidelity).count());
    return results;
  }

  private static PlayProgress progress(Policy policy, int rounds, List<Episode> episodes, long planned,
      int waiting) {
    long done = episodes.stream().mapToLong(Episode::turnsDone).sum();
    return new PlayProgress(policy.name(), rounds, done, planned, episodes.size() - waiting, episodes.size());
  }

  /** One conversation being played; advanced by the runner's thread only. */
  private final class Episode {
    private final Scenario scenario;
    private final int sample;
    private final String policyName;
    private final UserSimulator user;
    private final ToolSimulator tools;
    private final Route route;
    private final List<Turn> history = new ArrayList<>();
    private final List<StepResult> steps = new ArrayList<>();
    private int at;
    private boolean digressed;
    /** Whether the user has had the chance to write first. */
    private boolean opened;
    /** Whether the step waiting for the agent is its answer to the off-topic question. */
    private boolean answeringDigression;
    private String lastAgentText = "";
    private EndReason end;
    private int firstWrongStep = -1;
    private String firstWrongNode;
    /** The agent turns the path plans: its agent and tool steps, and the answer to an off-topic question. */
    private final long plannedTurns;

    Episode(Scenario scenario, int sample, String policyName) {
      this.scenario = scenario;
      this.sample = sample;
      this.policyName = policyName;
      this.user = new UserSimulator(workflow, scenario, config.wording());
      this.tools = new ToolSimulator(workflow, scenario);
      this.route = user.route();
      long turns = 0;
      boolean digresses = false;
      for (int i = 0; i < route.size(); i++) {
        NodeKind kind = route.node(i).kind();
        if (kind == NodeKind.AGENT || kind == NodeKind.TOOL) {
          turns++;
        } else if (kind == NodeKind.USER && user.digressesAt(i)) {
          digresses = true;
        }
      }
      this.plannedTurns = turns + (digresses ? 1 : 0);
    }

    /** The turns played; all the planned ones once the conversation is over, however it ended. */
    long turnsDone() {
      return end != null ? plannedTurns : Math.min(steps.size(), plannedTurns);
    }

    /** Plays user steps and silent steps up to the next agent turn; false when the conversation is over. */
    boolean advance() {
      if (end != null) {
        return false;
      }
      if (!opened) {
        opened = true;
        String opening = user.opening();
        if (opening != null) {
          history.add(new Turn(Role.USER, opening, null, null, null));
        }
      }
      while (at < route.size()) {
        Node node = route.node(at);
        switch (node.kind()) {
          case USER -> {
            if (user.digressesAt(at) && !digressed) {
              digressed = true;
              answeringDigression = true;
              history.add(new Turn(Role.USER, user.offTopic(), null, null, null));
              return true;
            }
            history.add(new Turn(Role.USER, user.reply(at, lastAgentText), null, null, null));
            lastAgentText = "";
            at++;
          }
          case AGENT, TOOL -> {
            return true;
          }
          default -> at++;
        }
      }
      end = EndReason.COMPLETED;
      return false;
    }

    PolicyRequest request() {
      return new PolicyRequest(scenario, sample, history);
    }

    void accept(Optional<PolicyTurn> answer) {
      if (answer.isEmpty()) {
        end = EndReason.ENDED_EARLY;
        return;
      }
      PolicyTurn written = answer.get();
      Turn turn = written.turn();
      boolean digression = answeringDigression;
      Node node = route.node(at);
      String expectedNode = node.id();
      ToolInvocation expectedCall = digression ? null : tools.expected(at).map(Turn::call).orElse(null);
      boolean afterHub = !digression && at > 0 && route.node(at - 1).isBranching();
      String tag = turn.nodeId();
      boolean validTag = tag != null && workflow.node(tag).isPresent();
      String text = turn.text() == null ? "" : turn.text();
      String result = null;
      if (turn.call() != null) {
        ToolResult answered = tools.execute(turn.call(), at);
        result = answered.result();
        history.add(new Turn(Role.TOOL, text, tag, turn.call(), result));
      } else {
        history.add(Turn.agent(tag, text));
        lastAgentText = text;
      }
      StepResult step = new StepResult(steps.size(), at, expectedNode, tag, validTag, written.tagOverridden(),
          digression, afterHub, expectedCall, turn.call(), result, text, written.promptTokens(),
          written.generatedTokens(), written.groundedOverrides());
      steps.add(step);
      if (firstWrongStep < 0 && !(step.correct() && validTag)) {
        firstWrongStep = step.turn();
        firstWrongNode = expectedNode;
      }
      if (digression) {
        answeringDigression = false;
      } else {
        at++;
      }
      if (!validTag && config.stopAtInvalidTag()) {
        end = EndReason.INVALID_TAG;
      } else if (steps.size() >= config.maxAgentTurns() && !pathOverAfter(at)) {
        end = EndReason.TURN_LIMIT;
      }
    }

    /** Whether nothing but silent steps remains from step {@code from}: the conversation is done. */
    private boolean pathOverAfter(int from) {
      for (int i = from; i < route.size(); i++) {
        NodeKind kind = route.node(i).kind();
        if (kind == NodeKind.AGENT || kind == NodeKind.TOOL || kind == NodeKind.USER) {
          return false;
        }
      }
      return true;
    }

    ConversationResult result() {
      String lastAgentNode = null;
      for (int i = 0; i < route.size(); i++) {
        NodeKind kind = route.node(i).kind();
        if (kind == NodeKind.AGENT || kind == NodeKind.TOOL) {
          lastAgentNode = route.node(i).id();
        }
      }
      return new ConversationResult(scenario.scenarioId(), scenario.pathId(), scenario.split(), sample, policyName,
          route.node(route.size() - 1).id(), lastAgentNode, steps, history, end, firstWrongStep, firstWrongNode);
    }
  }
}

package dev.subterra.synthesis.openai;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.subterra.synthesis.Dialogue;
import dev.subterra.synthesis.Scenario;
import dev.subterra.synthesis.Teacher;
import dev.subterra.synthesis.TeacherException;
import dev.subterra.synthesis.ToolTurns;
import dev.subterra.synthesis.Turn;
import dev.subterra.synthesis.cost.CostLedger;
import dev.subterra.synthesis.cost.TokenUsage;
import dev.subterra.workflow.Edge;
import dev.subterra.workflow.Node;
import dev.subterra.workflow.NodeKind;
import dev.subterra.workflow.ToolCall;
import dev.subterra.workflow.Workflow;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * The OpenAI-compatible teacher: each agent and user turn of a scenario's path is written by a chat model from the
 * node's prompt and the conversation so far (Dennis et al. 2026, section 3); tool, decision and terminal nodes need no
 * model.
 *
 * <ul>
 *   <li>Agent and user nodes: one chat completion each, with the messages of {@link TurnPrompts}. Where the path
 *       branches right after a user turn, the chosen edge's {@code when} goes into the user's instruction.
 *   <li>Tool nodes: a tool turn whose call has the node's tool name and, in declared order, each argument's slot value
 *       from the scenario; its result is the JSON object {@code {"status": <label of the edge the path takes>,
 *       <returned slot>: <scenario value>, ...}}. Deterministic, so a tool turn never costs a call.
 *   <li>Decision and terminal nodes: no turn.
 * </ul>
 *
 * <p>Every request carries the configured temperature and the scenario's seed, so the same scenario makes the same
 * requests, which the {@linkplain TeacherCache cache} answers on a rerun. Any failure, including a bug surfacing as an
 * unchecked exception, becomes a {@link TeacherException} for this scenario only.
 */
public final class LlmTeacher implements Teacher {
  private static final Pattern ROLE_LABEL =
      Pattern.compile("^\\s*(agent|user|you|assistant|customer)\\s*:\\s*", Pattern.CASE_INSENSITIVE);
  private static final String DEFAULT_OUTCOME = "success";

  private final LlmTeacherConfig config;
  private final CachedCompletions completions;
  private final ObjectMapper json = new ObjectMapper();

  public LlmTeacher(LlmTeacherConfig config, CachedCompletions completions) {
    this.config = Objects.requireNonNull(config, "config");
    this.completions = Objects.requireNonNull(completions, "completions");
  }

  /**
   * A teacher with its own client, on a cache store and a ledger.
   *
   * @param apiKey from {@link ApiKey#fromEnvironment()}; empty for a local server that needs none
   */
  public static LlmTeacher connect(LlmTeacherConfig config, ChatClientConfig client, Optional<ApiKey> apiKey,
      CacheStore cache, CostLedger ledger) {
    return new LlmTeacher(config,
        new CachedCompletions(new ChatClient(client, apiKey), new TeacherCache(cache), ledger));
  }

  @Override
  public String name() {
    return "openai:" + config.model();
  }

  /** The ledger the teacher's calls are counted in. */
  public CostLedger ledger() {
    return completions.ledger();
  }

  /** The client's statistics: requests, retries, failures, the adaptive limit. */
  public ChatClientStats clientStats() {
    return completions.client().stats();
  }

  @Override
  public Dialogue write(Workflow workflow, Scenario scenario) throws TeacherException {
    return writeMetered(workflow, scenario).dialogue();
  }

  /** The dialogue for one scenario, with the calls, tokens and cost it took. */
  public MeteredDialogue writeMetered(Workflow workflow, Scenario scenario) throws TeacherException {
    try {
      return compose(workflow, scenario);
    } catch (RuntimeException e) {
      // A bug or a malformed scenario must cost this row only, never the partition.
      throw new TeacherException("Cannot write scenario " + (scenario == null ? null : scenario.scenarioId()) + ": "
          + e, false, e);
    }
  }

  private MeteredDialogue compose(Workflow workflow, Scenario scenario) throws TeacherException {
    List<String> path = scenario.nodes();
    if (path.isEmpty()) {
      throw rejected(scenario, "its path is empty");
    }
    List<Node> nodes = new ArrayList<>(path.size());
    for (String id : path) {
      nodes.add(workflow.node(id).orElseThrow(() -> rejected(scenario, "node " + id + " is not in workflow "
          + workflow.id())));
    }
    List<Edge> taken = new ArrayList<>(path.size());
    for (int i = 0; i + 1 < nodes.size(); i++) {
      Node from = nodes.get(i);
      String to = path.get(i + 1);
      taken.add(from.next().stream().filter(e -> to.equals(e.to())).findFirst()
          .orElseThrow(() -> rejected(scenario, "its path goes from " + from.id() + " to " + to
              + " where the workflow has no edge")));
    }

    long seed = requestSeed(scenario.seed());
    List<Turn> turns = new ArrayList<>();
    int completionsUsed = 0;
    int cacheHits = 0;
    TokenUsage usage = TokenUsage.ZERO;
    BigDecimal cost = BigDecimal.ZERO;
    for (int i = 0; i < nodes.size(); i++) {
      Node node = nodes.get(i);
      if (node.kind() == NodeKind.TOOL) {
        turns.add(toolTurn(scenario, node, i < taken.size() ? taken.get(i) : null));
        continue;
      }
      if (node.kind() != NodeKind.AGENT && node.kind() != NodeKind.USER) {
        continue;
      }
      List<ChatMessage> messages = node.kind() == NodeKind.AGENT
          ? TurnPrompts.agent(workflow, scenario, node, ownCondition(node, taken, i), turns)
          : TurnPrompts.user(workflow, scenario, node, userConditions(nodes, taken, i), turns);
      CachedCompletions.Completion completion;
      try {
        completion = completions.complete(
            new ChatRequest(config.model(), messages, config.temperature(), config.maxTokens(), seed));
      } catch (TeacherException e) {
        throw new TeacherException(
            "Cannot write turn " + node.id() + " of scenario " + scenario.scenarioId() + ": " + e.getMessage(),
            e.retryable(), e);
      }
      completionsUsed++;
      cacheHits += completion.cacheHit() ? 1 : 0;
      usage = usage.plus(completion.usage());
      cost = cost.add(completion.costUsd());
      String text = clean(completion.response().content());
      turns.add(node.kind() == NodeKind.AGENT ? Turn.agent(node.id(), text) : Turn.user(node.id(), text));
    }
    Dialogue dialogue = new Dialogue(Dialogue.idFor(scenario.scenarioId(), name()), scenario.scenarioId(), scenario.workflowId(),
        scenario.pathId(), name(), scenario.split(), turns);
    return new MeteredDialogue(dialogue, completionsUsed, cacheHits, usage, cost);
  }

  /** The call a tool node makes, from scenario slots, and the result that sends the path down its chosen edge. */
  private static Turn toolTurn(Scenario scenario, Node node, Edge taken) throws TeacherException {
    return ToolTurns.of(scenario, node, taken, slot -> true);
  }

  /** The condition an agent turn must satisfy when its own node branches. */
  private static List<String> ownCondition(Node node, List<Edge> taken, int i) {
    if (i < taken.size() && node.isBranching() && taken.get(i).when() != null) {
      return List.of(taken.get(i).when());
    }
    return List.of();
  }

  /**
   * The conditions a user turn must satisfy: the {@code when} of its own edge if its node branches, and of the edge
   * taken at each decision hub right after it.
   */
  private static List<String> userConditions(List<Node> nodes, List<Edge> taken, int i) {
    List<String> conditions = new ArrayList<>(ownCondition(nodes.get(i), taken, i));
    for (int j = i + 1; j < taken.size() && nodes.get(j).kind() == NodeKind.DECISION; j++) {
      if (taken.get(j).when() != null) {
        conditions.add(taken.get(j).when());
      }
    }
    return conditions;
  }

  private static String clean(String content) {
    String text = ROLE_LABEL.matcher(content.strip()).replaceFirst("").strip();
    if (text.length() >= 2 && text.startsWith("\"") && text.endsWith("\"")) {
      text = text.substring(1, text.length() - 1).strip();
    }
    return text.isEmpty() ? content.strip() : text;
  }

  /**
   * The seed sent with every request of a scenario, folded into {@code [0, 2^31)} because llama.cpp reads a 32-bit
   * unsigned seed and some gateways a signed one.
   */
  static long requestSeed(long scenarioSeed) {
    return (scenarioSeed ^ (scenarioSeed >>> 32)) & Integer.MAX_VALUE;
  }

  private static TeacherException rejected(Scenario scenario, String why) {
    return new TeacherException("Cannot write scenario " + scenario.scenarioId() + ": " + why, false);
  }
}

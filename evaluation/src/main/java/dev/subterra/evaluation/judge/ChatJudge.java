package dev.subterra.evaluation.judge;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.subterra.evaluation.cost.ProcedurePrompt;
import dev.subterra.evaluation.loop.ConversationResult;
import dev.subterra.synthesis.Role;
import dev.subterra.synthesis.Scenario;
import dev.subterra.synthesis.TeacherException;
import dev.subterra.synthesis.Turn;
import dev.subterra.synthesis.cost.TokenUsage;
import dev.subterra.synthesis.openai.ChatClient;
import dev.subterra.synthesis.openai.ChatMessage;
import dev.subterra.synthesis.openai.ChatRequest;
import dev.subterra.synthesis.openai.ChatResponse;
import dev.subterra.workflow.Workflow;
import java.io.IOException;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * An LLM judge over the OpenAI chat-completions protocol: each conversation is sent with the procedure, what the user
 * wanted and the transcript, under the {@link Rubric}'s instructions, and the answer must be one JSON object with an
 * integer from 1 to 5 for each of the five criteria.
 *
 * <p>Transport failures (429, 5xx, timeouts, dropped connections) are retried by the {@link ChatClient}. An answer
 * that arrives but is not such an object (prose, a missing criterion, a score of 7) is asked for again, up to
 * {@code attempts} times in all, with the attempt number in the request's seed so that a sampling server may answer
 * differently. A conversation that still has no scores gets a {@link Verdict} with the failure, so one bad call is a
 * missing score, never a failed evaluation. Thread-safe when its client is.
 */
public final class ChatJudge implements ConversationJudge {
  private static final Logger LOG = LoggerFactory.getLogger(ChatJudge.class);
  private static final ObjectMapper JSON = new ObjectMapper();
  /** A judge's answer is a short JSON object; the limit only stops a runaway. */
  static final int MAX_TOKENS = 200;

  private final ChatClient client;
  private final String model;
  private final Rubric rubric;
  private final int attempts;
  private final long seed;

  /**
   * A judge asking {@code model} through {@code client}.
   *
   * @param attempts answers asked for per conversation, at least 1, when they come back malformed
   * @param seed the requests' seed (kept within 31 bits, as servers expect)
   */
  public ChatJudge(ChatClient client, String model, Rubric rubric, int attempts, long seed) {
    if (model == null || model.isBlank()) {
      throw new IllegalArgumentException("Invalid judge model: " + model);
    }
    if (attempts < 1) {
      throw new IllegalArgumentException("Invalid attempts: " + attempts + " (expected at least 1)");
    }
    this.client = client;
    this.model = model;
    this.rubric = rubric;
    this.attempts = attempts;
    this.seed = seed & 0x3FFFFFFFL;
  }

  @Override
  public String name() {
    return model;
  }

  /** The rubric the judge scores with. */
  public Rubric rubric() {
    return rubric;
  }

  @Override
  public Optional<JudgeScores> score(Workflow workflow, Scenario scenario, ConversationResult conversation) {
    return Optional.ofNullable(assess(workflow, scenario, conversation).scores());
  }

  /** The judge's verdict on one conversation: scores, or the reason there are none. */
  public Verdict assess(Workflow workflow, Scenario scenario, ConversationResult conversation) {
    List<ChatMessage> messages = List.of(ChatMessage.system(rubric.systemPrompt()),
        ChatMessage.user(prompt(workflow, scenario, conversation)));
    long in = 0;
    long out = 0;
    String failure = null;
    for (int attempt = 0; attempt < attempts; attempt++) {
      ChatResponse response;
      try {
        response = client.complete(new ChatRequest(model, messages, 0.0, MAX_TOKENS, seed + attempt));
      } catch (TeacherException e) {
        failure = "endpoint failed: " + e.getMessage();
        LOG.debug("Judge could not score {}: {}", conversation.scenarioId(), failure);
        break;
      }
      TokenUsage usage = response.usage();
      in += usage.inputTokens();
      out += usage.outputTokens();
      try {
        JudgeScores scores = parse(response.content());
        return new Verdict(conversation.scenarioId(), conversation.sample(), scores, null, attempt + 1, in, out);
      } catch (IllegalArgumentException e) {
        failure = "malformed answer: " + e.getMessage();
        LOG.debug("Judge answer for {} rejected (attempt {} of {}): {}", conversation.scenarioId(), attempt + 1,
            attempts, e.getMessage());
      }
    }
    return new Verdict(conversation.scenarioId(), conversation.sample(), null, failure, attempts, in, out);
  }

  /**
   * The scores in a judge's answer: exactly one JSON object with every criterion's key and an integer from 1 to 5 for
   * each. A code fence around the object is tolerated, since chat models add one unasked; anything else is refused.
   *
   * @throws IllegalArgumentException saying what is wrong with the answer
   */
  public static JudgeScores parse(String content) {
    String text = content.trim();
    if (text.startsWith("```")) {
      text = text.replaceFirst("^```[a-zA-Z]*\\s*", "").replaceFirst("\\s*```$", "");
    }
    JsonNode root;
    try {
      root = JSON.readTree(text);
    } catch (IOException e) {
      throw new IllegalArgumentException("not a JSON object: " + excerpt(text));
    }
    if (root == null || !root.isObject()) {
      throw new IllegalArgumentException("not a JSON object: " + excerpt(text));
    }
    for (Iterator<String> names = root.fieldNames(); names.hasNext(); ) {
      String name = names.next();
      if (!JudgeScores.KEYS.contains(name)) {
        throw new IllegalArgumentException("unknown key '" + name + "'");
      }
    }
    int[] values = new int[JudgeScores.KEYS.size()];
    for (int i = 0; i < values.length; i++) {
      String key = JudgeScores.KEYS.get(i);
      JsonNode v = root.get(key);
      if (v == null) {
        throw new IllegalArgumentException("no score for " + key);
      }
      if (!v.isIntegralNumber() || v.asInt() < JudgeScores.MIN || v.asInt() > JudgeScores.MAX) {
        throw new IllegalArgumentException("score of " + key + " is " + v + ", not an integer from "
            + JudgeScores.MIN + " to " + JudgeScores.MAX);
      }
      values[i] = v.asInt();
    }
    return new JudgeScores(values[0], values[1], values[2], values[3], values[4]);
  }

  /** What the judge reads: the procedure, the user's goal and values, and the conversation without node tags. */
  static String prompt(Workflow workflow, Scenario scenario, ConversationResult conversation) {
    StringBuilder p = new StringBuilder("## Procedure\n\n").append(ProcedurePrompt.render(workflow)).append("\n\n");
    p.append("## The user\n\nPersona: ").append(scenario.persona()).append('\n');
    if (!scenario.styles().isEmpty()) {
      p.append("Styles: ").append(String.join(", ", scenario.styles())).append('\n');
    }
    p.append("The user's values:\n");
    for (Map.Entry<String, String> slot : scenario.slots().entrySet()) {
      p.append("- ").append(slot.getKey()).append(": ").append(slot.getValue()).append('\n');
    }
    p.append("\n## The conversation\n\n");
    for (Turn t : conversation.transcript()) {
      if (t.role() == Role.TOOL) {
        p.append("AGENT calls ").append(t.call().name()).append(t.call().arguments()).append(" -> ")
            .append(t.result()).append('\n');
      } else {
        p.append(t.role() == Role.USER ? "USER: " : "AGENT: ").append(t.text() == null ? "" : t.text()).append('\n');
      }
    }
    p.append("\nThe conversation ended: ").append(conversation.end().wireName()).append('.');
    return p.toString();
  }

  private static String excerpt(String text) {
    String oneLine = text.replaceAll("\\s+", " ");
    return oneLine.length() > 80 ? oneLine.substring(0, 80) + "..." : oneLine;
  }
}

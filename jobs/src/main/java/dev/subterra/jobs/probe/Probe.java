package dev.subterra.jobs.probe;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.TextNode;
import dev.subterra.serving.BatchScheduler;
import dev.subterra.serving.ChatTurns;
import dev.subterra.serving.ServerMetrics;
import dev.subterra.serving.protocol.RequestMessage;
import dev.subterra.serving.protocol.SubterraExtension;
import dev.subterra.serving.protocol.ToolCall;
import dev.subterra.synthesis.Turn;
import dev.subterra.training.decode.DecodingConfig;
import dev.subterra.training.decode.Generation;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Plays a probe set teacher-forced through the server's own path and scores every agent step.
 *
 * <p>At each agent step the gold history so far (the customer's messages, the expected steps before it with their
 * words, calls and tool results) goes in as an OpenAI messages list, exactly as a client of {@code serve} would send
 * it: assistant messages name their node in the {@code subterra} extension, tool calls come back as {@code role: tool}
 * messages, and every tool of the workflow is declared ({@code tool_choice} auto). {@link ChatTurns} reads it, encodes
 * the prompt, and the student's next turn is decoded greedily in a {@link BatchScheduler}, then read back into its node
 * tag and call or words. The student's turn is only compared: the gold step, not the student's, is what the next
 * step's history holds, so one mistake does not hide the rest. Every step is independent, so all steps of all
 * conversations are decoded together in one batching loop.
 *
 * <p>Set up with {@link #on}, {@link #conversations} and optionally {@link #maxNewTokens} and {@link #maxBatch}, then
 * {@link #execute()}. Defaults are the server's: 64 new tokens (at most half the context) and batches of 32.
 */
public final class Probe {
  private static final Logger LOG = LoggerFactory.getLogger(Probe.class);
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final long PROGRESS_NANOS = TimeUnit.SECONDS.toNanos(10);
  /** A step that takes this long is a hung decode loop, not a slow model. */
  private static final Duration STEP_TIMEOUT = Duration.ofMinutes(10);

  private final ChatTurns turns;
  private ProbeSet set;
  private Integer maxNewTokens;
  private int maxBatch = 32;

  private Probe(ChatTurns turns) {
    this.turns = Objects.requireNonNull(turns, "turns");
  }

  /** A probe of the model behind {@code turns}. */
  public static Probe on(ChatTurns turns) {
    return new Probe(turns);
  }

  /** The conversations to play, checked against the model's workflow. */
  public Probe conversations(ProbeSet conversations) {
    this.set = conversations;
    return this;
  }

  /** The most tokens per turn, as {@code serve --max-new-tokens}. */
  public Probe maxNewTokens(int tokens) {
    this.maxNewTokens = tokens;
    return this;
  }

  /** The most steps decoded together, as {@code serve --max-batch}. */
  public Probe maxBatch(int batch) {
    this.maxBatch = batch;
    return this;
  }

  /** The default token limit for a model: the server's, 64 or half the context if that is less. */
  public static int defaultMaxNewTokens(int contextLength) {
    return Math.min(64, contextLength / 2);
  }

  /** Plays every agent step of every conversation and scores it. */
  public ProbeReport execute() throws InterruptedException {
    Objects.requireNonNull(set, "conversations");
    if (!set.workflowId().equals(turns.model().workflow().id())) {
      throw new IllegalArgumentException("Invalid conversations " + set.source() + ": written for "
          + set.workflowId() + ", the model plays " + turns.model().workflow().id());
    }
    int context = turns.model().contextLength();
    int maxNew = maxNewTokens != null ? maxNewTokens : defaultMaxNewTokens(context);
    if (maxNew < 1 || maxNew > context / 2) {
      throw new IllegalArgumentException("Invalid max new tokens: " + maxNew + " (1 to half the " + context
          + "-token context)");
    }
    if (maxBatch < 1) {
      throw new IllegalArgumentException("Invalid max batch: " + maxBatch);
    }
    int total = set.stepCount();
    LOG.info("Probing {} with {} conversations, {} agent steps, teacher-forced ({})", set.workflowId(),
        set.conversations().size(), total, set.source());
    long started = System.nanoTime();
    JsonNode tools = declaredTools();
    DecodingConfig decoding = DecodingConfig.greedy(maxNew);
    record Pending(ProbeConversation conversation, int turn, ChatTurns.Prepared prepared,
        BatchScheduler.Ticket ticket) {}
    List<StepResult> results = new ArrayList<>();
    try (BatchScheduler scheduler = new BatchScheduler(turns.sessions(), new ServerMetrics(), maxBatch,
        Math.max(1, total))) {
      List<Pending> pending = new ArrayList<>();
      for (ProbeConversation conversation : set.conversations()) {
        for (int turn : conversation.stepIndices()) {
          ChatTurns.Prepared prepared = turns.prepare(messages(conversation.turns().subList(0, turn)), tools, null,
              maxNew);
          pending.add(new Pending(conversation, turn, prepared, submit(scheduler, prepared, decoding)));
        }
      }
      long lastLog = System.nanoTime();
      for (int i = 0; i < pending.size(); i++) {
        Pending p = pending.get(i);
        Generation generation = await(p.ticket(), p.conversation().id(), p.turn());
        Turn got = turns.turn(generation);
        results.add(new StepResult(p.conversation().id(), p.conversation().kind(), p.turn(),
            (ProbeTurn.AgentStep) p.conversation().turns().get(p.turn()), got.nodeId(), got.call(), got.text(),
            p.prepared().droppedTokens(), generation.stop().name().toLowerCase(Locale.ROOT)));
        if (System.nanoTime() - lastLog > PROGRESS_NANOS) {
          LOG.info("probe {}: {} of {} agent steps", set.workflowId(), i + 1, total);
          lastLog = System.nanoTime();
        }
      }
    }
    double seconds = (System.nanoTime() - started) / 1e9;
    ProbeScores scores = ProbeScores.of(results);
    LOG.info("Probed {}: {} agent steps in {} s, node accuracy {}", set.workflowId(), total,
        String.format(Locale.ROOT, "%.1f", seconds), String.format(Locale.ROOT, "%.3f", scores.overall().nodes()
            .rate()));
    return new ProbeReport(set, turns.model(), maxNew, maxBatch, results, scores);
  }

  /** Every tool of the workflow, declared as a client declares functions, so the student may call any of them. */
  private JsonNode declaredTools() {
    ArrayNode tools = JSON.createArrayNode();
    for (String name : turns.model().toolNames()) {
      tools.addObject().put("type", "function").putObject("function").put("name", name);
    }
    return tools;
  }

  /** The gold turns before a step as the messages a client sends. */
  public static List<RequestMessage> messages(List<ProbeTurn> history) {
    List<RequestMessage> out = new ArrayList<>();
    int calls = 0;
    for (ProbeTurn turn : history) {
      if (turn instanceof ProbeTurn.UserMessage user) {
        out.add(message("user", new TextNode(user.text()), null, null, null));
        continue;
      }
      ProbeTurn.AgentStep step = (ProbeTurn.AgentStep) turn;
      SubterraExtension node = new SubterraExtension(step.node(), null, null, null, null, null, null, null, null,
          null);
      if (!step.expectsCall()) {
        out.add(message("assistant", new TextNode(step.say()), null, null, node));
        continue;
      }
      String id = "call_probe_" + (++calls);
      String arguments;
      try {
        arguments = JSON.writeValueAsString(step.call().arguments());
      } catch (JsonProcessingException e) {
        throw new IllegalStateException("Cannot write tool arguments", e);
      }
      out.add(message("assistant", null, List.of(new ToolCall(null, id, "function",
          new ToolCall.Function(step.call().name(), arguments))), null, node));
      out.add(message("tool", new TextNode(step.result()), null, id, null));
    }
    return out;
  }

  private static RequestMessage message(String role, JsonNode content, List<ToolCall> calls, String toolCallId,
      SubterraExtension subterra) {
    return new RequestMessage(role, content, null, calls, toolCallId, null, null, null, null, subterra);
  }

  private BatchScheduler.Ticket submit(BatchScheduler scheduler, ChatTurns.Prepared prepared,
      DecodingConfig decoding) {
    try {
      return turns.submit(scheduler, prepared, decoding);
    } catch (BatchScheduler.Overloaded | BatchScheduler.ShuttingDown e) {
      // The scheduler admits every step (its limit is the step count) and is closed only after the last one.
      throw new IllegalStateException("Cannot queue a probe step: " + e.getMessage(), e);
    }
  }

  private static Generation await(BatchScheduler.Ticket ticket, String conversation, int turn)
      throws InterruptedException {
    try {
      return ticket.result().get(STEP_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
    } catch (ExecutionException e) {
      throw new IllegalStateException("Cannot decode conversation " + conversation + ", turn " + (turn + 1) + ": "
          + e.getCause(), e.getCause());
    } catch (TimeoutException e) {
      ticket.cancel();
      throw new IllegalStateException("Cannot decode conversation " + conversation + ", turn " + (turn + 1)
          + ": no answer within " + STEP_TIMEOUT.toMinutes() + " minutes");
    }
  }
}

package dev.subterra.serving;

import com.fasterxml.jackson.databind.JsonNode;
import dev.subterra.serving.protocol.ApiException;
import dev.subterra.serving.protocol.RequestMessage;
import dev.subterra.synthesis.Turn;
import dev.subterra.training.decode.DecodeSession;
import dev.subterra.training.decode.DecodingConfig;
import dev.subterra.training.decode.Generation;
import dev.subterra.training.decode.GroundedCalls;
import java.util.List;
import java.util.function.Supplier;

/**
 * The server's way from a chat request to the student's next turn, without HTTP: the messages read into the turns
 * the student was trained on ({@link ConversationReader}), the tags the turn may start with ({@link ToolChoice}), the
 * prompt cut by the training window rule, the tool calls grounded on the workflow's signatures, decoding in a
 * {@link BatchScheduler} over tag-constrained {@link DecodeSession}s, and the tokens read back into a turn.
 * {@link ChatCompletionServer} answers every request through it, and in-process callers (the {@code probe} command)
 * use the same object, so what they measure is what a client of {@code serve} gets.
 *
 * <p>Thread-safe: {@link #prepare} and {@link #turn} may be called from any number of threads.
 */
public final class ChatTurns {

  /**
   * A request read and encoded, ready for the batching loop: submit it once (its grounding row is stateful).
   *
   * @param prompt the tokens that ask for the agent's next turn, cut to leave room for the answer
   * @param droppedTokens how many prompt tokens the window rule cut (0 when the conversation fits)
   * @param firstTokens the tokens the turn may start with: node tags allowed by {@code tools} and {@code tool_choice}
   * @param calls the grounding of the turn's tool call, or null for a workflow without tools
   * @param untaggedTurns assistant messages whose node was unknown, sent without a tag
   * @param ignoredSystemMessages system and developer messages, which the student does not read
   */
  public record Prepared(int[] prompt, int droppedTokens, boolean[] firstTokens, GroundedCalls.Row calls,
      int untaggedTurns, int ignoredSystemMessages) {}

  private final ServedModel model;
  private final ConversationReader reader;
  /** Writes the student's tool calls by the workflow's signatures, as evaluation does; null for a workflow without. */
  private final GroundedCalls calls;

  ChatTurns(ServedModel model, TurnMemory memory) {
    this.model = model;
    this.reader = new ConversationReader(model, memory);
    this.calls = GroundedCalls.of(model.tokenizer(), model.workflow(), model.artefact().pointer());
  }

  /**
   * The server's path for a caller that names the node of every assistant message it sends (in the
   * {@code subterra} extension or a {@code [node]} prefix), so no memory of written turns is needed.
   */
  public static ChatTurns of(ServedModel model) {
    return new ChatTurns(model, new TurnMemory(1));
  }

  /** The model these turns are decoded by. */
  public ServedModel model() {
    return model;
  }

  /** Fresh decode sessions as the server's batching loop runs them: every turn starts with a node tag. */
  public Supplier<DecodeSession> sessions() {
    return () -> DecodeSession.constrainedToTags(model.artefact().model(), model.tokenizer());
  }

  /**
   * Reads a request's messages as the server does and encodes the prompt for a turn of at most
   * {@code maxNewTokens} tokens.
   *
   * @throws ApiException for messages, tools or a tool choice the server would refuse with a 400
   */
  public Prepared prepare(List<RequestMessage> messages, JsonNode tools, JsonNode toolChoice, int maxNewTokens) {
    ConversationReader.Conversation conversation = reader.read(messages);
    boolean[] firstTokens = ToolChoice.firstTokens(model, tools, toolChoice);
    List<Turn> turns = conversation.turns();
    int[] prompt = model.serializer().prompt(turns, model.contextLength(), maxNewTokens);
    int dropped = Math.max(0, model.serializer().untruncatedPromptLength(turns) - prompt.length);
    // Grounded arguments may quote turns the prompt's window cut, so they read the whole conversation.
    GroundedCalls.Row row = calls == null ? null
        : calls.start(model.serializer().prompt(turns, Integer.MAX_VALUE, 0));
    return new Prepared(prompt, dropped, firstTokens, row, conversation.untaggedTurns(),
        conversation.ignoredSystemMessages());
  }

  /** Admits a prepared request to the batching loop. */
  public BatchScheduler.Ticket submit(BatchScheduler scheduler, Prepared prepared, DecodingConfig decoding)
      throws BatchScheduler.Overloaded, BatchScheduler.ShuttingDown {
    return scheduler.submit(prepared.prompt(), decoding, prepared.firstTokens(), prepared.calls());
  }

  /**
   * The turn the student wrote: its node tag, its tool call (a {@code TOOL} turn with no result yet) or its text, read
   * by the serializer's own parser.
   */
  public Turn turn(Generation generation) {
    return model.serializer().parseAgentTurn(generation.tokens());
  }
}

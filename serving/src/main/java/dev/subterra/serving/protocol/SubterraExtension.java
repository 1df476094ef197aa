package dev.subterra.serving.protocol;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.Map;

/**
 * The {@code subterra} field of an assistant message: what the student did beyond its words. The server writes it
 * on every answer (and on the last chunk of a stream); a client may send an assistant message back with it, and then
 * {@code node} tells the student which node that turn executed, exactly as in training. Every other field is
 * accepted on the way back in and ignored. See {@code docs/serving.md}.
 *
 * @param node the id of the workflow node the turn executes (the tag, without its brackets)
 * @param kind the node's kind in the workflow: {@code agent}, {@code tool}, {@code user}, {@code decision} or
 *     {@code terminal}
 * @param tag the tag token as the student wrote it, {@code <node:ID>}
 * @param toolCall the tool call the student wrote, or null; also in the standard {@code tool_calls}
 * @param tagOverridden whether the model's own first choice was not a node tag and the tag constraint replaced it
 * @param stop why decoding stopped: {@code end_of_turn}, {@code token_limit} or {@code context_full}
 * @param truncated whether the conversation was longer than the context and was cut by training's window rule
 * @param promptTokensDropped how many prompt tokens the cut removed (0 when not truncated)
 * @param untaggedTurns assistant turns of the request whose node was unknown, sent to the student without a tag
 * @param ignoredSystemMessages system or developer messages, which the student does not read: its procedure is in
 *     its weights and its system line is the workflow's name
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record SubterraExtension(
    String node,
    String kind,
    String tag,
    ToolCallExtension toolCall,
    Boolean tagOverridden,
    String stop,
    Boolean truncated,
    Integer promptTokensDropped,
    Integer untaggedTurns,
    Integer ignoredSystemMessages) {

  /** A tool call with its arguments as an object of strings, in the order the workflow declares them. */
  public record ToolCallExtension(String id, String name, Map<String, String> arguments) {}
}

package dev.subterra.training.tokenizer;

/**
 * A structural token with a fixed id at the start of every vocabulary. Node tags ({@code <node:ID>}) follow these,
 * one per workflow node; then come the 256 byte tokens and the learnt merges.
 *
 * <p>The order is part of the saved format: append new tokens at the end, never reorder, or old artefacts decode to
 * the wrong structure.
 */
public enum SpecialToken {
  /** Fills the rest of a batch row; never a target. */
  PAD("<pad>"),
  /** The first token of every sequence. */
  BOS("<bos>"),
  /** Opens the system line (the workflow's name). */
  SYSTEM("<system>"),
  /** Opens a user turn. */
  USER("<user>"),
  /** Opens an agent turn: decoding starts right after it. */
  AGENT("<agent>"),
  /** Opens a tool result, which the agent reads as context. */
  TOOL("<tool>"),
  /** Ends a turn of any role: decoding stops here. */
  END("<end>"),
  /** Opens a tool call: {@code name(arg=value, ...)} follows. */
  CALL("<call>"),
  /** Closes a tool call. */
  CALL_END("</call>");

  private final String text;

  SpecialToken(String text) {
    this.text = text;
  }

  /** How the token is written when decoded. */
  public String text() {
    return text;
  }

  /** The token's id in every vocabulary. */
  public int id() {
    return ordinal();
  }

  /** The text of the tag token for a workflow node. */
  public static String nodeTag(String nodeId) {
    return "<node:" + nodeId + ">";
  }
}

package dev.subterra.serving;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ThreadLocalRandom;

/**
 * The node of each turn the server wrote recently, keyed by a hash of its text and tool name, for clients that send
 * an assistant message back without the {@code subterra} extension (most SDKs keep only {@code content}). Bounded
 * (least recently used go first) and in memory only: a restarted server, or another replica, falls back to an
 * untagged turn. Also makes and reads the tool-call ids the server returns, which carry the node:
 * {@code call_<node>_<8 hex>}. Thread-safe.
 */
final class TurnMemory {
  private static final String CALL_PREFIX = "call_";
  private static final int SUFFIX_HEX = 8;

  private final Map<String, String> nodes;

  TurnMemory(int capacity) {
    this.nodes = new LinkedHashMap<>(16, 0.75f, true) {
      @Override
      protected boolean removeEldestEntry(Map.Entry<String, String> eldest) {
        return size() > capacity;
      }
    };
  }

  /** Remembers the node of a turn the server wrote. */
  synchronized void remember(String text, String toolName, String node) {
    if (node != null) {
      nodes.put(key(text, toolName), node);
    }
  }

  /** The node of a turn the server wrote with this text and tool, if it still remembers it. */
  synchronized Optional<String> nodeOf(String text, String toolName) {
    return Optional.ofNullable(nodes.get(key(text, toolName)));
  }

  /** A fresh tool-call id that carries the node. */
  static String callId(String node) {
    return CALL_PREFIX + node + "_" + HexFormat.of().toHexDigits(ThreadLocalRandom.current().nextInt());
  }

  /** The node a tool-call id made by {@link #callId} carries. */
  static Optional<String> nodeOfCallId(String id) {
    if (id == null || !id.startsWith(CALL_PREFIX) || id.length() < CALL_PREFIX.length() + SUFFIX_HEX + 2) {
      return Optional.empty();
    }
    int cut = id.length() - SUFFIX_HEX - 1;
    if (id.charAt(cut) != '_') {
      return Optional.empty();
    }
    return Optional.of(id.substring(CALL_PREFIX.length(), cut));
  }

  private static String key(String text, String toolName) {
    try {
      MessageDigest digest = MessageDigest.getInstance("SHA-256");
      digest.update((toolName == null ? "" : toolName).getBytes(StandardCharsets.UTF_8));
      digest.update((byte) 0);
      digest.update((text == null ? "" : text.strip()).getBytes(StandardCharsets.UTF_8));
      return HexFormat.of().formatHex(digest.digest());
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("Cannot hash a turn: no SHA-256", e);
    }
  }
}

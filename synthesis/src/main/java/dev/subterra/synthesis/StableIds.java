package dev.subterra.synthesis;

import dev.subterra.workflow.WorkflowCodec;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;

/**
 * Ids and seeds derived by hashing their inputs, so that the same inputs give the same ids and seeds on every run,
 * machine and partitioning. Parts are joined with a unit separator, which no id or seed text contains.
 */
public final class StableIds {
  /** 64 bits of SHA-256, as for path ids: collisions are negligible below billions of rows. */
  public static final int ID_HEX_CHARS = 16;

  private static final String SEPARATOR = "\u001f";

  private StableIds() {}

  /** A 16-hex-character id for the parts. */
  public static String id(String... parts) {
    return WorkflowCodec.sha256Hex(join(parts)).substring(0, ID_HEX_CHARS);
  }

  /** A 64-bit seed for the parts, drawn from their SHA-256. */
  public static long seed(String... parts) {
    try {
      byte[] digest = MessageDigest.getInstance("SHA-256").digest(join(parts));
      return ByteBuffer.wrap(digest).getLong();
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("Cannot derive a seed: the JDK has no SHA-256", e);
    }
  }

  private static byte[] join(String... parts) {
    return String.join(SEPARATOR, parts).getBytes(StandardCharsets.UTF_8);
  }
}

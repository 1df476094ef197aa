package dev.subterra.synthesis.openai;

import java.io.IOException;
import java.util.Optional;

/**
 * Durable storage of byte values by key, shared by every executor of a run. Implementations must make a
 * {@link #put} all-or-nothing: a concurrent {@link #get} sees the whole value or none, never part of one.
 *
 * <p>Keys are lowercase hexadecimal SHA-256 digests. The local directory is the first implementation; a Hadoop
 * file system path is the next.
 */
public interface CacheStore {
  /** The value stored under {@code key}, if any. */
  Optional<byte[]> get(String key) throws IOException;

  /** Stores {@code value} under {@code key}, replacing any value there. */
  void put(String key, byte[] value) throws IOException;
}

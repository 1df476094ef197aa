package dev.subterra.synthesis.openai;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * A {@link CacheStore} in a local (or NFS-mounted) directory: one file per key, {@code <root>/<ab>/<key>.json}, sharded
 * by the key's first two hex digits so that no directory holds more than about 1/256 of the entries.
 *
 * <p>A value is written to a temporary file beside its target, forced to disk, and then renamed over the target in one
 * atomic step, so executors sharing the directory never read half a file, and a process killed mid-write leaves at
 * most a stray temporary file that nobody reads.
 */
public final class LocalDirectoryCacheStore implements CacheStore {
  private static final Pattern KEY = Pattern.compile("[0-9a-f]{64}");
  private static final String SUFFIX = ".json";

  private final Path root;

  public LocalDirectoryCacheStore(Path root) {
    this.root = root.toAbsolutePath().normalize();
  }

  /** The directory the entries live in. */
  public Path root() {
    return root;
  }

  @Override
  public Optional<byte[]> get(String key) throws IOException {
    try {
      return Optional.of(Files.readAllBytes(path(key)));
    } catch (NoSuchFileException absent) {
      return Optional.empty();
    }
  }

  @Override
  public void put(String key, byte[] value) throws IOException {
    Path target = path(key);
    Path shard = target.getParent();
    Files.createDirectories(shard);
    Path temporary = Files.createTempFile(shard, "." + key + "-", ".tmp");
    try {
      try (FileChannel channel = FileChannel.open(temporary, StandardOpenOption.WRITE)) {
        ByteBuffer buffer = ByteBuffer.wrap(value);
        while (buffer.hasRemaining()) {
          channel.write(buffer);
        }
        // Durable before visible: a crash after the rename must not leave an empty entry behind.
        channel.force(true);
      }
      try {
        Files.move(temporary, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
      } catch (AtomicMoveNotSupportedException e) {
        throw new IOException("Cannot write cache entry atomically in " + shard, e);
      }
    } finally {
      Files.deleteIfExists(temporary);
    }
  }

  private Path path(String key) {
    if (key == null || !KEY.matcher(key).matches()) {
      throw new IllegalArgumentException("Invalid cache key: " + key);
    }
    return root.resolve(key.substring(0, 2)).resolve(key + SUFFIX);
  }
}

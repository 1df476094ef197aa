package dev.subterra.jobs.io;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.UUID;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;

/**
 * Writes a run's files through the Hadoop file system so that outputs may live on local disk, HDFS or S3, and commits
 * each one atomically: data goes to a hidden temporary sibling first and is renamed into place only when complete, so
 * a crash never leaves a half-written output where a later stage would read it.
 */
public final class RunFiles {
  private final Configuration conf;

  public RunFiles(Configuration conf) {
    this.conf = conf;
  }

  /** A hidden temporary sibling of {@code target}, for a writer that then calls {@link #commit}. */
  public Path temporarySibling(Path target) {
    return new Path(target.getParent(), "._tmp-" + target.getName() + "-" + UUID.randomUUID());
  }

  /** Replaces {@code target} with {@code temporary}, a file or a directory. */
  public void commit(Path temporary, Path target) throws IOException {
    FileSystem fs = target.getFileSystem(conf);
    if (fs.exists(target) && !fs.delete(target, true)) {
      throw new IOException("Cannot replace " + target + ": delete failed");
    }
    if (!fs.rename(temporary, target)) {
      throw new IOException("Cannot commit " + target + ": rename from " + temporary + " failed");
    }
  }

  /** Writes a small text file atomically. */
  public void writeText(Path target, String content) throws IOException {
    FileSystem fs = target.getFileSystem(conf);
    // Local checksum side files (.name.crc) would only clutter a run directory that people read.
    fs.setWriteChecksum(false);
    fs.mkdirs(target.getParent());
    Path temporary = temporarySibling(target);
    try (OutputStream out = fs.create(temporary, false)) {
      out.write(content.getBytes(StandardCharsets.UTF_8));
    }
    commit(temporary, target);
  }

  /**
   * Checks that a stage's input is there before any work starts: {@code Cannot <stage>: <dir> has no <name>; run
   * `subterra <producer>` first}.
   */
  public void requireInput(Path runDir, String name, String stage, String producer) throws IOException {
    Path input = new Path(runDir, name);
    if (!input.getFileSystem(conf).exists(input)) {
      throw new IllegalArgumentException("Cannot " + stage + ": " + runDir + " has no " + name + "; run `subterra "
          + producer + "` first");
    }
  }

  /** Deletes a temporary output left by a failed write, if any. */
  public void discard(Path temporary) {
    try {
      temporary.getFileSystem(conf).delete(temporary, true);
    } catch (IOException ignored) {
      // Best effort: a leftover hidden temporary is never read, and the next run writes a new one.
    }
  }
}

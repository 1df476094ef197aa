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

  /** The text of a small file, or null when it does not exist. */
  public String readText(Path file) throws IOException {
    FileSystem fs = file.getFileSystem(conf);
    if (!fs.exists(file)) {
      return null;
    }
    try (java.io.InputStream in = fs.open(file)) {
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }
  }

  /** Whether {@code path} exists. */
  public boolean exists(Path path) throws IOException {
    return path.getFileSystem(conf).exists(path);
  }

  /** Deletes {@code path} and everything under it, if it exists. */
  public void delete(Path path) throws IOException {
    FileSystem fs = path.getFileSystem(conf);
    if (fs.exists(path) && !fs.delete(path, true)) {
      throw new IOException("Cannot delete " + path);
    }
  }

  /**
   * Copies a local file or directory to {@code target} (any Hadoop file system) and commits it atomically, replacing
   * what was there.
   */
  public void publish(java.nio.file.Path local, Path target) throws IOException {
    FileSystem fs = target.getFileSystem(conf);
    fs.setWriteChecksum(false);
    fs.mkdirs(target.getParent());
    Path temporary = temporarySibling(target);
    try {
      fs.copyFromLocalFile(false, true, new Path(local.toAbsolutePath().toUri()), temporary);
      commit(temporary, target);
    } catch (IOException | RuntimeException e) {
      discard(temporary);
      throw e;
    }
  }

  /** Copies {@code source} (a file or directory on any Hadoop file system) to a local path, replacing it. */
  public void fetch(Path source, java.nio.file.Path local) throws IOException {
    FileSystem localFs = FileSystem.getLocal(conf);
    Path target = new Path(local.toAbsolutePath().toUri());
    localFs.setWriteChecksum(false);
    if (localFs.exists(target)) {
      localFs.delete(target, true);
    }
    localFs.mkdirs(target.getParent());
    org.apache.hadoop.fs.FileUtil.copy(source.getFileSystem(conf), source, localFs, target, false, conf);
  }

  /**
   * Whether {@code dir} is on the driver's local file system: a {@code file:} URI, or a plain path while the default
   * file system is local (on a cluster whose {@code fs.defaultFS} is HDFS, a plain path is on HDFS).
   */
  public boolean isLocal(Path dir) throws IOException {
    return "file".equals(dir.getFileSystem(conf).getScheme());
  }

  /** {@code path} with its file system's scheme and authority, and absolute. */
  public Path qualified(Path path) throws IOException {
    return path.getFileSystem(conf).makeQualified(path);
  }

  /** The local path of a directory for which {@link #isLocal} holds. */
  public java.nio.file.Path local(Path dir) throws IOException {
    return java.nio.file.Path.of(dir.getFileSystem(conf).makeQualified(dir).toUri());
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

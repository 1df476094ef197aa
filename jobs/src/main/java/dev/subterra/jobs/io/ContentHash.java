package dev.subterra.jobs.io;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;

/**
 * The SHA-256 of a run's file or directory, through the Hadoop file system: of a file, its bytes; of a directory, the
 * relative names of its visible files (hidden {@code .name} and {@code _name} files such as {@code _SUCCESS} and
 * checksums left out) in name order, each with its length and bytes. Spark's part files carry a random id of the write
 * in their names, so for Parquet and text datasets the id is left out of the name: two writes of the same rows in the
 * same order hash the same.
 */
public final class ContentHash {
  private static final int BUFFER = 1 << 16;

  private final Configuration conf;

  public ContentHash(Configuration conf) {
    this.conf = conf;
  }

  /** The hash of {@code path}, or null when it does not exist. */
  public String of(Path path) throws IOException {
    FileSystem fs = path.getFileSystem(conf);
    if (!fs.exists(path)) {
      return null;
    }
    MessageDigest digest = sha256();
    FileStatus status = fs.getFileStatus(path);
    if (status.isFile()) {
      update(digest, fs, path);
    } else {
      List<String[]> files = new ArrayList<>();
      collect(fs, path, "", files);
      files.sort(Comparator.comparing(f -> f[0]));
      for (String[] file : files) {
        digest.update(file[0].getBytes(StandardCharsets.UTF_8));
        digest.update((byte) 0);
        update(digest, fs, new Path(file[1]));
      }
    }
    return HexFormat.of().formatHex(digest.digest());
  }

  private static void collect(FileSystem fs, Path dir, String prefix, List<String[]> out) throws IOException {
    for (FileStatus child : fs.listStatus(dir)) {
      String name = child.getPath().getName();
      if (name.startsWith(".") || name.startsWith("_") || name.endsWith(".crc")) {
        continue;
      }
      if (child.isDirectory()) {
        collect(fs, child.getPath(), prefix + name + "/", out);
      } else {
        out.add(new String[] {prefix + stableName(name), child.getPath().toString()});
      }
    }
  }

  /** {@code part-00003-<uuid>-c000.snappy.parquet} becomes {@code part-00003-c000.snappy.parquet}. */
  static String stableName(String name) {
    return name.replaceFirst("^(part-\\d+)-[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}", "$1");
  }

  private static void update(MessageDigest digest, FileSystem fs, Path file) throws IOException {
    byte[] buffer = new byte[BUFFER];
    long length = 0;
    try (InputStream in = fs.open(file)) {
      for (int n = in.read(buffer); n >= 0; n = in.read(buffer)) {
        digest.update(buffer, 0, n);
        length += n;
      }
    }
    digest.update(Long.toString(length).getBytes(StandardCharsets.UTF_8));
  }

  /** The SHA-256 of a text, for fingerprints. */
  public static String ofText(String text) {
    return HexFormat.of().formatHex(sha256().digest(text.getBytes(StandardCharsets.UTF_8)));
  }

  private static MessageDigest sha256() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}

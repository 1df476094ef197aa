package dev.subterra.jobs.nightly;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * A directory that keeps every model nightly compiled, which one is promoted, and why each was promoted or refused.
 *
 * <pre>
 * registry/
 *   .lock                          held by the nightly run that is writing, so two never interleave
 *   &lt;workflow-id&gt;/
 *     candidates/&lt;candidate-id&gt;/
 *       candidate.json             {@link Candidate}: fingerprint, compile options, run, metrics, provenance
 *       model/                     a copy of the run's model/, so the registry outlives the run directory
 *       summary.json               a copy of the run's eval/summary.json
 *     promoted                     the promoted candidate's id, one line; replaced by an atomic rename
 *     history.jsonl                one {@link HistoryEntry} per nightly decision, appended
 * </pre>
 *
 * <p>A candidate directory appears whole or not at all: it is assembled in a hidden sibling and renamed into place.
 * A reader of {@code promoted} sees the old id or the new one, never a partial file. The registry is a local
 * directory or a shared POSIX mount (NFS, a Kubernetes volume): object stores have no atomic rename.
 */
public final class ModelRegistry {
  static final String CANDIDATES = "candidates";
  static final String PROMOTED = "promoted";
  static final String HISTORY = "history.jsonl";
  static final String CANDIDATE_FILE = "candidate.json";
  private static final Pattern SAFE_ID = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]*");
  private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT)
      .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);
  private static final ObjectMapper LINE = new ObjectMapper()
      .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);

  private final Path root;

  private ModelRegistry(Path root) {
    this.root = root;
  }

  /** The registry at {@code root}; it is created on first write. */
  public static ModelRegistry at(Path root) {
    return new ModelRegistry(root.toAbsolutePath().normalize());
  }

  public Path root() {
    return root;
  }

  /** The directory of one workflow's candidates, pointer and history. */
  public Path workflowDir(String workflowId) {
    if (!SAFE_ID.matcher(workflowId).matches()) {
      throw new IllegalArgumentException("Invalid workflow id for a registry directory: " + workflowId);
    }
    return root.resolve(workflowId);
  }

  public Path candidateDir(String workflowId, String candidateId) {
    if (!SAFE_ID.matcher(candidateId).matches()) {
      throw new IllegalArgumentException("Invalid candidate id: " + candidateId);
    }
    return workflowDir(workflowId).resolve(CANDIDATES).resolve(candidateId);
  }

  /** Takes the registry's lock, or fails at once when another process holds it. Close it to release. */
  public Lock lock() throws IOException {
    Files.createDirectories(root);
    Path file = root.resolve(".lock");
    FileChannel channel = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
    FileLock held;
    try {
      held = channel.tryLock();
    } catch (OverlappingFileLockException e) {
      held = null;
    }
    if (held == null) {
      channel.close();
      throw new IOException("Cannot lock the registry " + root + ": another nightly run holds " + file);
    }
    return new Lock(channel, held);
  }

  /** The registry's lock, held until closed. */
  public static final class Lock implements AutoCloseable {
    private final FileChannel channel;
    private final FileLock lock;

    private Lock(FileChannel channel, FileLock lock) {
      this.channel = channel;
      this.lock = lock;
    }

    @Override
    public void close() throws IOException {
      try {
        lock.release();
      } finally {
        channel.close();
      }
    }
  }

  /** The promoted candidate of a workflow, if any. */
  public Optional<Candidate> promoted(String workflowId) throws IOException {
    Path pointer = workflowDir(workflowId).resolve(PROMOTED);
    String id;
    try {
      id = Files.readString(pointer, StandardCharsets.UTF_8).strip();
    } catch (NoSuchFileException e) {
      return Optional.empty();
    }
    if (id.isEmpty()) {
      throw new IOException("Cannot read the promoted model of " + workflowId + ": " + pointer + " is empty");
    }
    return Optional.of(candidate(workflowId, id));
  }

  /** A candidate by id. */
  public Candidate candidate(String workflowId, String candidateId) throws IOException {
    Path file = candidateDir(workflowId, candidateId).resolve(CANDIDATE_FILE);
    try {
      return JSON.readValue(file.toFile(), Candidate.class);
    } catch (NoSuchFileException | java.io.FileNotFoundException e) {
      throw new IOException("Cannot read candidate " + candidateId + " of " + workflowId + ": " + file
          + " does not exist");
    }
  }

  /** Every candidate id of a workflow, oldest first (ids start with their UTC time). */
  public List<String> candidateIds(String workflowId) throws IOException {
    Path dir = workflowDir(workflowId).resolve(CANDIDATES);
    if (!Files.isDirectory(dir)) {
      return List.of();
    }
    try (Stream<Path> entries = Files.list(dir)) {
      return entries.map(p -> p.getFileName().toString()).filter(n -> !n.startsWith("."))
          .filter(n -> Files.isRegularFile(dir.resolve(n).resolve(CANDIDATE_FILE))).sorted().toList();
    }
  }

  /**
   * Adds a candidate: copies the run's {@code model/} and {@code eval/summary.json} beside its {@code candidate.json},
   * assembled in a hidden sibling and renamed into place whole.
   */
  public Path add(Candidate candidate, Path runDir) throws IOException {
    Path target = candidateDir(candidate.workflowId(), candidate.candidateId());
    if (Files.exists(target)) {
      throw new FileAlreadyExistsException(target.toString(), null, "a candidate with this id exists");
    }
    Files.createDirectories(target.getParent());
    Path staging = target.resolveSibling(".tmp-" + candidate.candidateId() + "-" + UUID.randomUUID());
    try {
      Files.createDirectories(staging);
      copyTree(runDir.resolve("model"), staging.resolve("model"));
      Files.copy(runDir.resolve("eval").resolve("summary.json"), staging.resolve("summary.json"));
      JSON.writeValue(staging.resolve(CANDIDATE_FILE).toFile(), candidate);
      Files.move(staging, target, StandardCopyOption.ATOMIC_MOVE);
    } finally {
      deleteTree(staging);
    }
    return target;
  }

  /** Points {@code promoted} at a candidate, replacing the pointer atomically (write a temporary, then rename). */
  public void promote(String workflowId, String candidateId) throws IOException {
    candidate(workflowId, candidateId); // refuse a pointer to a candidate that is not there
    Path dir = workflowDir(workflowId);
    Path temporary = dir.resolve(".promoted-" + UUID.randomUUID());
    try (FileChannel out = FileChannel.open(temporary, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
      out.write(ByteBuffer.wrap((candidateId + "\n").getBytes(StandardCharsets.UTF_8)));
      out.force(true);
    }
    try {
      Files.move(temporary, dir.resolve(PROMOTED), StandardCopyOption.ATOMIC_MOVE,
          StandardCopyOption.REPLACE_EXISTING);
    } catch (AtomicMoveNotSupportedException e) {
      Files.deleteIfExists(temporary);
      throw new IOException("Cannot promote " + candidateId + ": " + dir + " does not support atomic renames", e);
    }
  }

  /** Appends one line to a workflow's {@code history.jsonl}, flushed to disk before returning. */
  public void append(HistoryEntry entry) throws IOException {
    Path dir = workflowDir(entry.workflowId());
    Files.createDirectories(dir);
    byte[] line = (LINE.writeValueAsString(entry) + "\n").getBytes(StandardCharsets.UTF_8);
    try (FileChannel out = FileChannel.open(dir.resolve(HISTORY), StandardOpenOption.CREATE,
        StandardOpenOption.WRITE, StandardOpenOption.APPEND)) {
      out.write(ByteBuffer.wrap(line));
      out.force(true);
    }
  }

  /** A workflow's history, oldest first. */
  public List<HistoryEntry> history(String workflowId) throws IOException {
    Path file = workflowDir(workflowId).resolve(HISTORY);
    if (!Files.exists(file)) {
      return List.of();
    }
    List<HistoryEntry> out = new ArrayList<>();
    for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
      if (!line.isBlank()) {
        out.add(LINE.readValue(line, HistoryEntry.class));
      }
    }
    return out;
  }

  private static void copyTree(Path from, Path to) throws IOException {
    try (Stream<Path> files = Files.walk(from)) {
      for (Path source : files.toList()) {
        Path target = to.resolve(from.relativize(source).toString());
        if (Files.isDirectory(source)) {
          Files.createDirectories(target);
        } else {
          Files.copy(source, target, StandardCopyOption.COPY_ATTRIBUTES);
        }
      }
    }
  }

  private static void deleteTree(Path dir) throws IOException {
    if (!Files.exists(dir)) {
      return;
    }
    try (Stream<Path> files = Files.walk(dir)) {
      files.sorted(Comparator.reverseOrder()).forEach(p -> {
        try {
          Files.delete(p);
        } catch (IOException e) {
          throw new UncheckedIOException(e);
        }
      });
    }
  }
}

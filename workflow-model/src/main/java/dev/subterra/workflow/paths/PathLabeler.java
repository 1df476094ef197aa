package dev.subterra.workflow.paths;

import dev.subterra.workflow.WorkflowCodec;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * Turns node-index sequences into described paths: stable ids, hub choices, edge keys and the seeded draw that decides
 * the split. Shared by the single-threaded catalog and the Spark job, so that both label paths the same way.
 */
public final class PathLabeler implements java.io.Serializable {
  private static final long serialVersionUID = 1L;
  /** 64 bits of SHA-256: collisions are negligible below billions of paths per workflow. */
  private static final int ID_HEX_CHARS = 16;

  private final WorkflowGraph graph;
  private final long seed;

  public PathLabeler(WorkflowGraph graph, long seed) {
    this.graph = graph;
    this.seed = seed;
  }

  /** The described path. */
  public WorkflowPath describe(int[] nodes) {
    List<String> ids = new ArrayList<>(nodes.length);
    List<HubChoice> choices = new ArrayList<>();
    for (int i = 0; i < nodes.length; i++) {
      ids.add(graph.id(nodes[i]));
      if (i + 1 < nodes.length && graph.degree(nodes[i]) > 1) {
        int edge = graph.edgeIndex(nodes[i], nodes[i + 1]);
        choices.add(new HubChoice(graph.id(nodes[i]), graph.id(nodes[i + 1]), graph.label(nodes[i], edge)));
      }
    }
    return new WorkflowPath(pathId(ids), ids, choices);
  }

  /** The stable id of a node sequence: a hash of the workflow's content hash and the node ids. */
  public String pathId(List<String> nodeIds) {
    String key = graph.contentHash() + "\n" + String.join("\u001f", nodeIds);
    return WorkflowCodec.sha256Hex(key.getBytes(StandardCharsets.UTF_8)).substring(0, ID_HEX_CHARS);
  }

  /** The distinct edges of a path, each as {@code from * size + to}. */
  public long[] edgeKeys(int[] nodes) {
    Set<Long> keys = new LinkedHashSet<>();
    for (int i = 0; i + 1 < nodes.length; i++) {
      keys.add((long) nodes[i] * graph.size() + nodes[i + 1]);
    }
    return keys.stream().mapToLong(Long::longValue).toArray();
  }

  /** A readable name for an edge key: {@code from -> to}. */
  public String edgeName(long key) {
    return graph.id((int) (key / graph.size())) + " -> " + graph.id((int) (key % graph.size()));
  }

  /** The path's seeded uniform draw in [0, 1), which decides its split. */
  public double unit(String pathId) {
    try {
      MessageDigest sha = MessageDigest.getInstance("SHA-256");
      sha.update(ByteBuffer.allocate(Long.BYTES).putLong(seed).array());
      byte[] digest = sha.digest(pathId.getBytes(StandardCharsets.UTF_8));
      long bits = ByteBuffer.wrap(digest).getLong() >>> 11;
      return bits / (double) (1L << 53);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("Cannot draw split: the JDK has no SHA-256", e);
    }
  }
}

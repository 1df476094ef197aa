package dev.subterra.workflow.paths;

import dev.subterra.workflow.WorkflowCodec;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Turns edge sequences into described paths: stable ids, node ids, hub choices and the seeded draw that decides the
 * split. Shared by the single-threaded catalog and the Spark job, so that both label paths the same way.
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
  public WorkflowPath describe(int[] edges) {
    List<String> ids = new ArrayList<>(edges.length + 1);
    List<HubChoice> choices = new ArrayList<>();
    StringBuilder key = new StringBuilder(graph.contentHash()).append('\n').append(graph.id(graph.start()));
    ids.add(graph.id(graph.start()));
    for (int edge : edges) {
      int from = graph.from(edge);
      String to = graph.id(graph.to(edge));
      ids.add(to);
      if (graph.degree(from) > 1) {
        choices.add(new HubChoice(graph.id(from), to, graph.label(edge)));
        // The edge's position tells apart two edges of one node that lead to the same place.
        key.append('#').append(graph.position(edge));
      }
      key.append('\u001f').append(to);
    }
    String id = WorkflowCodec.sha256Hex(key.toString().getBytes(StandardCharsets.UTF_8)).substring(0, ID_HEX_CHARS);
    return new WorkflowPath(id, ids, choices);
  }

  /** The distinct edges of a path. */
  public static long[] edgeKeys(int[] edges) {
    return Arrays.stream(edges).distinct().asLongStream().toArray();
  }

  /** The distinct nodes of a path. */
  public int[] distinctNodes(int[] edges) {
    return Arrays.stream(graph.nodesOf(edges)).distinct().toArray();
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

package dev.subterra.jobs.paths;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.subterra.jobs.Provenance;
import dev.subterra.jobs.io.RunFiles;
import dev.subterra.workflow.NodeKind;
import dev.subterra.workflow.Workflow;
import dev.subterra.workflow.WorkflowCodec;
import dev.subterra.workflow.paths.Coverage;
import dev.subterra.workflow.paths.EdgeTally;
import dev.subterra.workflow.paths.EnumerationConfig;
import dev.subterra.workflow.paths.PathCatalog;
import dev.subterra.workflow.paths.PathEnumerator;
import dev.subterra.workflow.paths.PathLabeler;
import dev.subterra.workflow.paths.PathRecord;
import dev.subterra.workflow.paths.PathSampler;
import dev.subterra.workflow.paths.PathSplit;
import dev.subterra.workflow.paths.SplitConfig;
import dev.subterra.workflow.paths.WorkflowGraph;
import dev.subterra.workflow.paths.WorkflowPath;
import java.io.IOException;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import org.apache.hadoop.fs.Path;
import org.apache.spark.api.java.JavaPairRDD;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SaveMode;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.storage.StorageLevel;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import scala.Tuple2;

/**
 * Enumerates a workflow's paths on Spark and writes them as Parquet, with the same paths, ids, order, weights and
 * splits as the single-threaded {@link PathCatalog}.
 *
 * <p>The driver expands path prefixes breadth first into a frontier; executors finish each prefix depth first. Edge
 * tallies are reduced by key to weight and split the paths. Past {@code maxPaths} the job gives way to the same seeded
 * {@link PathSampler} the single-threaded enumerator uses. Output, under the run directory:
 * {@code workflow.json} (the normalised workflow), {@code paths/} (Parquet, schema in {@link PathRows}) and
 * {@code paths.json} (counts, coverage, configuration and provenance), each committed atomically.
 *
 * <pre>{@code
 * PathsJobResult result = PathsJob.on(spark).workflow(workflow).enumeration(config).output("runs/x").execute();
 * }</pre>
 */
public final class PathsJob {
  private static final Logger LOG = LoggerFactory.getLogger(PathsJob.class);
  /** Prefixes per partition: enough for executors to balance uneven subtrees. */
  private static final int PREFIXES_PER_PARTITION = 16;

  private final SparkSession spark;
  private Workflow workflow;
  private EnumerationConfig enumeration;
  private SplitConfig split = SplitConfig.DEFAULT;
  private int partitions;
  private String output;

  private PathsJob(SparkSession spark) {
    this.spark = spark;
    this.partitions = spark.sparkContext().defaultParallelism();
  }

  public static PathsJob on(SparkSession spark) {
    return new PathsJob(spark);
  }

  /** The workflow, already validated by the loader. */
  public PathsJob workflow(Workflow value) {
    this.workflow = value;
    return this;
  }

  public PathsJob enumeration(EnumerationConfig value) {
    this.enumeration = value;
    return this;
  }

  public PathsJob split(SplitConfig value) {
    this.split = value;
    return this;
  }

  /** How many partitions to enumerate in; defaults to Spark's default parallelism. */
  public PathsJob partitions(int value) {
    if (value < 1) {
      throw new IllegalArgumentException("Invalid partitions: " + value + " (expected at least 1)");
    }
    this.partitions = value;
    return this;
  }

  /** The run directory: a local path or a Hadoop URI. */
  public PathsJob output(String value) {
    this.output = value;
    return this;
  }

  public PathsJobResult execute() throws IOException {
    Objects.requireNonNull(workflow, "workflow");
    Objects.requireNonNull(enumeration, "enumeration");
    Objects.requireNonNull(output, "output");
    long started = System.currentTimeMillis();
    JavaSparkContext jsc = JavaSparkContext.fromSparkContext(spark.sparkContext());
    jsc.setJobGroup("subterra-paths-" + workflow.id(), "Enumerate the paths of " + workflow.id(), false);

    WorkflowGraph graph = WorkflowGraph.of(workflow);
    Broadcast<WorkflowGraph> sharedGraph = jsc.broadcast(graph);
    EnumerationConfig config = enumeration;
    List<int[]> frontier = new PathEnumerator(graph, config).frontier(partitions * PREFIXES_PER_PARTITION);
    LOG.info("Enumerating {} from {} prefixes in {} partitions", workflow.id(), frontier.size(), partitions);

    long cap = config.maxPaths();
    JavaRDD<int[]> enumerated = jsc.parallelize(frontier, Math.max(1, Math.min(partitions, frontier.size())))
        .mapPartitions(prefixes -> finish(sharedGraph.value(), config, prefixes, cap + 1));
    JavaRDD<int[]> raw = enumerated.persist(StorageLevel.MEMORY_AND_DISK());
    JavaPairRDD<int[], Long> indexed = null;
    try {
      boolean sampled = raw.count() > cap;
      JavaRDD<int[]> chosen = raw;
      if (sampled) {
        List<int[]> sample = new PathSampler(graph, config).sample();
        LOG.info("{} has more than {} paths: sampled {} covering every reachable edge", workflow.id(), cap,
            sample.size());
        chosen = jsc.parallelize(sample, partitions);
      }
      indexed = chosen.zipWithIndex().persist(StorageLevel.MEMORY_AND_DISK());
      PathsJobResult result = label(jsc, graph, sharedGraph, indexed, sampled, started);
      LOG.info("Wrote {} paths of {} to {} in {} ms", result.paths(), workflow.id(), output, result.millis());
      return result;
    } finally {
      raw.unpersist(false);
      if (indexed != null) {
        indexed.unpersist(false);
      }
      jsc.clearJobGroup();
    }
  }

  private PathsJobResult label(JavaSparkContext jsc, WorkflowGraph graph, Broadcast<WorkflowGraph> sharedGraph,
      JavaPairRDD<int[], Long> indexed, boolean sampled, long started) throws IOException {
    long seed = enumeration.seed();
    SplitConfig shares = split;
    Map<Long, EdgeTally> tallies = indexed.keys()
        .flatMapToPair(edges -> {
          PathLabeler labeler = new PathLabeler(sharedGraph.value(), seed);
          String id = labeler.describe(edges).id();
          double unit = labeler.unit(id);
          EdgeTally one = EdgeTally.of(id, unit, shares.propose(unit));
          List<Tuple2<Long, EdgeTally>> out = new ArrayList<>();
          for (long key : PathLabeler.edgeKeys(edges)) {
            out.add(new Tuple2<>(key, one));
          }
          return out.iterator();
        })
        .reduceByKey(EdgeTally::merge)
        .collectAsMap();
    Map<Integer, Long> nodeCounts = indexed.keys()
        .flatMap(edges -> java.util.Arrays.stream(new PathLabeler(sharedGraph.value(), seed).distinctNodes(edges))
            .boxed().iterator())
        .countByValue();

    EdgeTally.Decision decision = EdgeTally.decide(tallies);
    Set<String> rescued = decision.rescued();
    Map<Long, Long> edgePaths = decision.edgePaths();
    Broadcast<Set<String>> sharedRescued = jsc.broadcast(rescued);
    Broadcast<Map<Long, Long>> sharedEdges = jsc.broadcast(edgePaths);
    String workflowId = workflow.id();
    String hash = graph.contentHash();
    JavaRDD<Row> rows = indexed.map(pair -> {
      PathLabeler labeler = new PathLabeler(sharedGraph.value(), seed);
      WorkflowPath path = labeler.describe(pair._1());
      PathSplit proposed = shares.propose(labeler.unit(path.id()));
      PathSplit finalSplit = sharedRescued.value().contains(path.id()) ? PathSplit.TRAIN : proposed;
      double weight = PathCatalog.weight(PathLabeler.edgeKeys(pair._1()), sharedEdges.value());
      return PathRows.toRow(workflowId, hash, new PathRecord(path, pair._2(), weight, finalSplit));
    });

    RunFiles files = new RunFiles(jsc.hadoopConfiguration());
    Path runDir = new Path(output);
    files.writeText(new Path(runDir, "workflow.json"), WorkflowCodec.toPrettyJson(workflow));
    Path target = new Path(runDir, "paths");
    Path temporary = files.temporarySibling(target);
    try {
      spark.createDataFrame(rows, PathRows.SCHEMA).write().mode(SaveMode.ErrorIfExists).parquet(temporary.toString());
      files.commit(temporary, target);
    } catch (RuntimeException | IOException e) {
      files.discard(temporary);
      throw e;
    }

    long[] nodePaths = new long[graph.size()];
    nodeCounts.forEach((node, count) -> nodePaths[node] = count);
    Map<PathSplit, Long> splits = new EnumMap<>(PathSplit.class);
    for (PathSplit s : PathSplit.values()) {
      splits.put(s, 0L);
    }
    spark.read().parquet(target.toString()).groupBy("split").count().collectAsList()
        .forEach(r -> splits.put(PathSplit.valueOf(r.getString(0).toUpperCase(java.util.Locale.ROOT)), r.getLong(1)));
    long total = splits.values().stream().mapToLong(Long::longValue).sum();
    Coverage coverage = Coverage.of(graph, nodePaths, edgePaths);
    PathsJobResult result = new PathsJobResult(output, workflowId, hash, total, sampled, splits, coverage,
        System.currentTimeMillis() - started);
    files.writeText(new Path(runDir, "paths.json"), summary(result));
    return result;
  }

  private String summary(PathsJobResult result) throws IOException {
    Map<String, Object> doc = new LinkedHashMap<>();
    doc.put("workflow_id", result.workflowId());
    doc.put("workflow_hash", result.workflowHash());
    doc.put("nodes", workflow.nodes().size());
    doc.put("decision_hubs", workflow.count(NodeKind.DECISION));
    doc.put("paths", result.paths());
    doc.put("sampled", result.sampled());
    Map<String, Long> splits = new LinkedHashMap<>();
    result.splits().forEach((s, n) -> splits.put(s.wireName(), n));
    doc.put("splits", splits);
    doc.put("configuration", Map.of(
        "max_loops", enumeration.maxLoops(),
        "max_paths", enumeration.maxPaths(),
        "seed", enumeration.seed(),
        "split", Map.of("validation", split.validation(), "test", split.test(), "heldout", split.heldout()),
        "partitions", partitions));
    doc.put("coverage", Map.of(
        "uncovered_nodes", result.coverage().uncoveredNodes(),
        "uncovered_edges", result.coverage().uncoveredEdges(),
        "node_paths", result.coverage().nodes(),
        "edge_paths", result.coverage().edges()));
    doc.put("millis", result.millis());
    doc.put("provenance", Provenance.current(spark.version()));
    return new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValueAsString(doc);
  }

  /** Finishes each prefix of a partition, in order, handing on at most {@code limit} paths. */
  private static Iterator<int[]> finish(WorkflowGraph graph, EnumerationConfig config, Iterator<int[]> prefixes,
      long limit) {
    PathEnumerator enumerator = new PathEnumerator(graph, config);
    List<int[]> out = new ArrayList<>();
    while (prefixes.hasNext() && out.size() < limit) {
      enumerator.extend(prefixes.next(), p -> {
        out.add(p);
        return out.size() < limit;
      });
    }
    return out.iterator();
  }
}

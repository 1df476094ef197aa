package dev.subterra.jobs.spark;

import static org.assertj.core.api.Assertions.assertThat;

import dev.subterra.workflow.paths.EdgeTally;
import dev.subterra.workflow.paths.EnumerationConfig;
import dev.subterra.workflow.paths.PathEnumerator;
import dev.subterra.workflow.paths.SyntheticWorkflows;
import dev.subterra.workflow.paths.WorkflowGraph;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.Map;
import java.util.Set;
import dev.subterra.training.Backend;
import org.apache.spark.SparkConf;
import org.apache.spark.serializer.KryoSerializer;
import org.apache.spark.serializer.SerializerInstance;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.factory.Nd4j;
import scala.reflect.ClassTag;
import scala.reflect.ClassTag$;

/**
 * Round trips, through Spark's Kryo serializer as {@code cluster-config/spark-defaults.conf} sets it up, of the
 * kinds of value the jobs broadcast and shuffle. Local mode reads a broadcast back without deserializing it, so only
 * a test like this one shows that an executor on a cluster could.
 */
class SubterraKryoRegistratorTest {
  private static final ClassTag<Object> ANY = ClassTag$.MODULE$.apply(Object.class);

  private final SerializerInstance kryo = new KryoSerializer(new SparkConf()
      .set("spark.kryo.registrator", SubterraKryoRegistrator.class.getName())).newInstance();

  private Object roundTrip(Object value) {
    ByteBuffer bytes = kryo.serialize(value, ANY);
    return kryo.deserialize(bytes, ANY);
  }

  @Test
  void aWorkflowGraphWithItsRecordsSurvives() {
    WorkflowGraph graph = WorkflowGraph.of(SyntheticWorkflows.ladder(3, 2, 1, true));
    WorkflowGraph copy = (WorkflowGraph) roundTrip(graph);
    assertThat(copy.contentHash()).isEqualTo(graph.contentHash());
    EnumerationConfig config = new EnumerationConfig(1, 1_000, 7);
    assertThat(new PathEnumerator(copy, config).frontier(4)).usingRecursiveComparison()
        .isEqualTo(new PathEnumerator(graph, config).frontier(4));
  }

  @Test
  void recordsAndImmutableCollectionsSurvive() {
    EdgeTally.Decision decision = new EdgeTally.Decision(Map.of(1L, 2L, 3L, 4L), Set.of("a", "b"));
    assertThat(roundTrip(decision)).isEqualTo(decision);
    assertThat(roundTrip(List.of("x", "y", "z"))).isEqualTo(List.of("x", "y", "z"));
    assertThat(roundTrip(Map.of("k", List.of(1, 2)))).isEqualTo(Map.of("k", List.of(1, 2)));
  }

  @Test
  void nd4jArraysAndMinibatchesSurviveAsDistributedTrainingShipsThem() {
    Backend.initialise();
    INDArray array = Nd4j.linspace(1, 12, 12).reshape(3, 4);
    assertThat(roundTrip(array)).isEqualTo(array);
    DataSet batch = new DataSet(Nd4j.rand(2, 1, 5), Nd4j.ones(2, 1, 5), null, Nd4j.zeros(2, 5));
    DataSet copy = (DataSet) roundTrip(batch);
    assertThat(copy.getFeatures()).isEqualTo(batch.getFeatures());
    assertThat(copy.getLabels()).isEqualTo(batch.getLabels());
    assertThat(copy.getLabelsMaskArray()).isEqualTo(batch.getLabelsMaskArray());
  }
}

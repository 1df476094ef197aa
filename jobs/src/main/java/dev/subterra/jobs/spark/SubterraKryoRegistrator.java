package dev.subterra.jobs.spark;

import com.esotericsoftware.kryo.Kryo;
import com.esotericsoftware.kryo.serializers.JavaSerializer;
import dev.subterra.workflow.paths.WorkflowGraph;
import org.apache.spark.serializer.KryoRegistrator;
import org.nd4j.common.primitives.AtomicDouble;
import org.nd4j.kryo.Nd4jSerializer;
import org.nd4j.kryo.primitives.AtomicDoubleSerializer;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * The Kryo set-up for Subterra's broadcast and shuffled values, named by {@code spark.kryo.registrator} in
 * {@code cluster-config/spark-defaults.conf}.
 *
 * <p>Spark's Kryo 4 predates records and the JDK's immutable collections: it cannot build a record's serializer
 * (its fields are final and have no setter), and it rebuilds a {@code List.of(...)} by calling {@code add} on an
 * empty instance, which throws. Both are {@link java.io.Serializable}, so they go through Java serialization inside
 * Kryo; so does {@link WorkflowGraph}, which is built for it.
 *
 * <p>ND4J arrays (the minibatches and the network that distributed training ships) keep their data off the heap,
 * which Kryo's field serializer would lose: they go through nd4j-kryo's serializer, as dl4j-spark requires (it
 * refuses to train under a Kryo that cannot round-trip an array). It is registered for the {@link INDArray} interface,
 * not for the backend's class as {@code Nd4jRegistrator} does, because naming the backend's class loads ND4J's native
 * backend in every job that creates a serializer. Everything else keeps Kryo's own serializers.
 */
public final class SubterraKryoRegistrator implements KryoRegistrator {
  /** The JDK's immutable collections' base classes (package-private, so named rather than referenced). */
  private static final String[] IMMUTABLE_COLLECTIONS = {
    "java.util.ImmutableCollections$AbstractImmutableCollection",
    "java.util.ImmutableCollections$AbstractImmutableMap",
  };

  @Override
  public void registerClasses(Kryo kryo) {
    JavaSerializer java = new JavaSerializer();
    kryo.addDefaultSerializer(Record.class, java);
    for (String name : IMMUTABLE_COLLECTIONS) {
      try {
        kryo.addDefaultSerializer(Class.forName(name), java);
      } catch (ClassNotFoundException e) {
        throw new IllegalStateException("Cannot set up Kryo: this JDK has no " + name, e);
      }
    }
    kryo.register(WorkflowGraph.class, java);
    kryo.addDefaultSerializer(INDArray.class, new Nd4jSerializer());
    kryo.addDefaultSerializer(AtomicDouble.class, new AtomicDoubleSerializer());
  }
}

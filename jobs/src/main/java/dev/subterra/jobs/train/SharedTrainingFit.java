package dev.subterra.jobs.train;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.subterra.training.Backend;
import dev.subterra.training.StudentTrainer;
import dev.subterra.training.graph.StudentGraph;
import dev.subterra.training.model.StudentConfig;
import dev.subterra.training.model.StudentModel;
import dev.subterra.training.serial.TokenSequence;
import dev.subterra.training.train.Trainer;
import dev.subterra.training.train.TrainerConfig;
import dev.subterra.training.train.TrainingData;
import dev.subterra.training.train.TrainingResult;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Random;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.SparkSession;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.optimize.solvers.accumulation.encoding.threshold.AdaptiveThresholdAlgorithm;
import org.deeplearning4j.spark.api.RDDTrainingApproach;
import org.deeplearning4j.spark.impl.graph.SparkComputationGraph;
import org.deeplearning4j.spark.parameterserver.training.SharedTrainingMaster;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.parameterserver.distributed.conf.VoidConfiguration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Fits the student on Spark executors with dl4j-spark's {@code SharedTrainingMaster}: the student as a DL4J
 * {@link StudentGraph}, each executor training on its partitions of every epoch's minibatches and sharing its updates
 * with the others as threshold-encoded sparse gradients over Aeron (Strom 2015), the driver keeping the network.
 *
 * <p>Each epoch visits the windows in an order drawn from the seed and the epoch, cut into minibatches of the trainer's
 * batch size and spread over {@code workers} partitions. After each epoch the driver exports the weights into a
 * {@link StudentModel}, scores it on the validation windows with the {@link Trainer}'s own validation (so the figures
 * compare with an ordinary run) and keeps the best; the trainer's early-stopping patience applies. Every epoch's line
 * (its validation loss, next-tag accuracy and seconds; epoch 0 is the initial weights) goes to
 * {@value Trainer#METRICS_FILE} in the work directory. The score DL4J reports per step does not come back from the
 * workers ({@code SharedTrainingMaster} reports 0 without its statistics collection), so validation is the measure.
 *
 * <p>What it gives up against the {@link Trainer}, by design of dl4j-spark: DL4J's Adam and weight decay rather than
 * the trainer's AdamW (see {@link StudentGraph}); gradient sharing that is lossy (updates below the threshold wait in
 * a residual) and asynchronous, so two runs with the same seed need not give the same weights; no checkpoints, so a
 * killed run starts again from the beginning; and no dropout.
 */
public final class SharedTrainingFit implements StudentTrainer.Fit {
  /** The threshold the adaptive encoding starts from. */
  static final double INITIAL_THRESHOLD = 1e-3;

  /**
   * Aeron's publication unblock timeout, in nanoseconds: its default (15 s) is below its client liveness timeout
   * (30 s), which Aeron 1.32 refuses; DL4J's documentation asks for 60 s.
   */
  public static final String AERON_UNBLOCK_TIMEOUT = "aeron.publication.unblock.timeout";

  private static final Logger LOG = LoggerFactory.getLogger(SharedTrainingFit.class);
  private static final ObjectMapper JSON = new ObjectMapper();

  private final SparkSession spark;
  private final TrainerConfig trainer;
  private final int workers;
  private final VoidConfiguration transport;

  /**
   * A fit on {@code spark} with {@code workers} training partitions (one per executor core is the usual choice), its
   * parameter-server transport bound as {@code transport} says.
   */
  public SharedTrainingFit(SparkSession spark, TrainerConfig trainer, int workers, VoidConfiguration transport) {
    if (workers < 1) {
      throw new IllegalArgumentException("Invalid workers: " + workers);
    }
    this.spark = Objects.requireNonNull(spark, "spark");
    this.trainer = Objects.requireNonNull(trainer, "trainer");
    this.workers = workers;
    this.transport = Objects.requireNonNull(transport, "transport");
  }

  /**
   * The parameter server's transport for a master: on {@code local[...]} everything stays on loopback; elsewhere the
   * driver's address and the executors' network come from {@code spark.subterra.ps.controller} and
   * {@code spark.subterra.ps.networkMask} (for example {@code 10.0.0.0/16}), the UDP port from
   * {@code spark.subterra.ps.port} (default 40123).
   */
  public static VoidConfiguration transport(SparkSession spark) {
    org.apache.spark.SparkConf conf = spark.sparkContext().getConf();
    int port = conf.getInt("spark.subterra.ps.port", 40123);
    VoidConfiguration.VoidConfigurationBuilder builder = VoidConfiguration.builder().unicastPort(port);
    if (spark.sparkContext().master().startsWith("local")) {
      return builder.controllerAddress("127.0.0.1").networkMask("127.0.0.0/8").build();
    }
    String controller = conf.get("spark.subterra.ps.controller", null);
    String mask = conf.get("spark.subterra.ps.networkMask", null);
    if (controller != null) {
      builder.controllerAddress(controller);
    }
    if (mask != null) {
      builder.networkMask(mask);
    }
    return builder.build();
  }

  @Override
  public TrainingResult fit(StudentConfig model, TrainingData data, Path workDir) throws IOException {
    Backend.initialise();
    // The driver's and, on local[...], the executors' media driver; cluster executors get it from
    // spark.executor.extraJavaOptions (cluster-config/spark-defaults.conf).
    if (System.getProperty(AERON_UNBLOCK_TIMEOUT) == null) {
      System.setProperty(AERON_UNBLOCK_TIMEOUT, "60000000000");
    }
    if (model.dropout() > 0) {
      LOG.warn("Distributed training runs without dropout (the {} preset asks for {})", model, model.dropout());
    }
    Files.createDirectories(workDir);
    Path metrics = workDir.resolve(Trainer.METRICS_FILE);
    Files.deleteIfExists(metrics);
    int length = StudentGraph.length(model, data);
    int batchesPerEpoch = (data.train().size() + trainer.batchSize() - 1) / trainer.batchSize();
    // Each worker steps through its share of the batches: the learning-rate schedule counts its iterations.
    long stepsPerWorker = (long) ((batchesPerEpoch + workers - 1) / workers) * trainer.epochs();
    ComputationGraph network = StudentGraph.network(
        StudentGraph.configuration(model, length, trainer, Math.max(1, stepsPerWorker)));
    SharedTrainingMaster master = new SharedTrainingMaster.Builder(transport,
        new AdaptiveThresholdAlgorithm(INITIAL_THRESHOLD), trainer.batchSize())
        .batchSizePerWorker(trainer.batchSize())
        .workersPerNode(1)
        .rngSeed(trainer.seed())
        .rddTrainingApproach(RDDTrainingApproach.Direct)
        .collectTrainingStats(false)
        .build();
    JavaSparkContext sc = JavaSparkContext.fromSparkContext(spark.sparkContext());
    SparkComputationGraph sparkNetwork = new SparkComputationGraph(sc, network, master);
    Trainer validator = new Trainer(trainer);

    Map<String, INDArray> best = null;
    Map<String, INDArray> last = null;
    double bestLoss = Double.NaN;
    double bestAccuracy = Double.NaN;
    int bestEpoch = 0;
    int without = 0;
    int epoch = 0;
    boolean stoppedEarly = false;
    long tokens = 0;
    if (!data.validation().isEmpty()) {
      // Epoch 0: the initial weights, the baseline every later epoch's loss is read against.
      Trainer.Validation v = validator.validate(StudentModel.of(model, StudentGraph.weights(network)), data);
      appendLine(metrics, Map.of("type", "epoch", "epoch", 0, "validationLoss", v.loss()));
    }
    long start = System.nanoTime();
    spark.sparkContext().setJobGroup("subterra-train-distributed", "Train the student on " + workers + " workers",
        false);
    try {
      while (epoch < trainer.epochs() && !stoppedEarly) {
        long epochStart = System.nanoTime();
        List<DataSet> batches = StudentGraph.batches(epochOrder(data.train(), epoch), trainer.batchSize(), length);
        JavaRDD<DataSet> rdd = sc.parallelize(batches, Math.min(workers, batches.size()));
        ComputationGraph fitted = sparkNetwork.fit(rdd);
        epoch++;
        tokens += realTokens(data.train(), length);
        last = StudentGraph.weights(fitted);
        Map<String, Object> line = new LinkedHashMap<>();
        line.put("type", "epoch");
        line.put("epoch", epoch);
        line.put("seconds", (System.nanoTime() - epochStart) / 1e9);
        if (!data.validation().isEmpty()) {
          Trainer.Validation v = validator.validate(StudentModel.of(model, last), data);
          line.put("validationLoss", v.loss());
          line.put("nextTagAccuracy", Double.isNaN(v.nextTagAccuracy()) ? null : v.nextTagAccuracy());
          LOG.info("epoch {}/{} on {} workers: validation loss {} next-tag accuracy {}", epoch, trainer.epochs(),
              workers, String.format("%.4f", v.loss()), String.format("%.3f", v.nextTagAccuracy()));
          if (best == null || v.loss() < bestLoss) {
            best = last;
            bestLoss = v.loss();
            bestAccuracy = v.nextTagAccuracy();
            bestEpoch = epoch;
            without = 0;
          } else {
            without++;
            stoppedEarly = trainer.earlyStoppingPatience() > 0 && without >= trainer.earlyStoppingPatience();
          }
        } else {
          LOG.info("epoch {}/{} on {} workers", epoch, trainer.epochs(), workers);
        }
        appendLine(metrics, line);
      }
    } finally {
      spark.sparkContext().clearJobGroup();
    }
    double seconds = (System.nanoTime() - start) / 1e9;
    StudentModel lastModel = StudentModel.of(model, last);
    StudentModel bestModel = best == null ? lastModel : StudentModel.of(model, best);
    String method = "dl4j-spark SharedTrainingMaster on " + spark.sparkContext().master() + ", " + workers
        + " workers, batch " + trainer.batchSize() + " per worker, adaptive threshold from " + INITIAL_THRESHOLD;
    LOG.info("Trained {} epochs on {} workers in {} s; best epoch {}, validation loss {}", epoch, workers,
        String.format("%.1f", seconds), bestEpoch, bestLoss);
    return new TrainingResult(bestModel, lastModel, (long) batchesPerEpoch * epoch, epoch, stoppedEarly, bestEpoch,
        bestLoss, bestAccuracy, seconds, seconds > 0 ? tokens / seconds : 0, data.hash(), method);
  }

  private static void appendLine(Path metrics, Map<String, Object> line) throws IOException {
    Files.writeString(metrics, JSON.writeValueAsString(line) + "\n", StandardCharsets.UTF_8,
        StandardOpenOption.CREATE, StandardOpenOption.APPEND);
  }

  /** The training windows in the order of an epoch, drawn from the seed and the epoch number. */
  private List<TokenSequence> epochOrder(List<TokenSequence> windows, int epoch) {
    List<TokenSequence> order = new ArrayList<>(windows);
    java.util.Collections.shuffle(order, new Random(trainer.seed() * 31 + epoch));
    return order;
  }

  private static long realTokens(List<TokenSequence> windows, int length) {
    long n = 0;
    for (TokenSequence w : windows) {
      n += Math.min(length, w.length() - 1);
    }
    return n;
  }
}

package dev.subterra.training.train;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.subterra.training.Backend;
import dev.subterra.training.model.StudentConfig;
import dev.subterra.training.model.StudentModel;
import dev.subterra.training.model.TrainingKernel;
import dev.subterra.training.model.TransformerGraph;
import dev.subterra.training.serial.TokenSequence;
import dev.subterra.training.tokenizer.BpeTokenizer;
import dev.subterra.training.tokenizer.SpecialToken;
import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.function.Consumer;
import java.util.stream.Stream;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Fits a {@link StudentModel} to {@link TrainingData}: the {@code Trainer} half of the Trainer/Model split.
 *
 * <p>Each epoch visits the training windows in an order drawn from the seed and the epoch number, in batches; each
 * batch is one AdamW step (see {@link TrainerConfig}). After each epoch the model is scored on the validation windows
 * (loss, and how often it predicts the right node tag where a tag is due) and early stopping is decided.
 *
 * <p>The work directory holds {@value #METRICS_FILE} (one JSON line per step and per validation) and
 * {@value #CHECKPOINTS}/, where a checkpoint (weights, both Adam moments, the best weights so far and the run's state)
 * is written every {@code checkpointEverySteps} steps and after every epoch. A run that finds a checkpoint of the
 * same configuration and data resumes from the newest one. The batch order, the learning rate and the dropout masks
 * depend only on the seed, the epoch and the step (the masks are drawn in Java, not by ND4J's generator), so a
 * resumed run ends with exactly the weights an uninterrupted run would have. A checkpoint is written to a temporary
 * directory and renamed, so a kill never leaves half of one.
 *
 * <p>The gradients come from {@link TrainingKernel}, the hand-written pass that computes what the SameDiff graph
 * defines; the optimiser is written here rather than taken from SameDiff's updaters,
 * because DL4J 1.0.0-M2.1 has no AdamW and because the moments must be saved and restored exactly.
 */
public final class Trainer {

  /** The metrics file in the work directory. */
  public static final String METRICS_FILE = "metrics.jsonl";
  /** The checkpoint directory in the work directory. */
  public static final String CHECKPOINTS = "checkpoints";

  private static final Logger LOG = LoggerFactory.getLogger(Trainer.class);
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final ObjectMapper PRETTY = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
  private static final int CHECKPOINTS_KEPT = 2;
  private static final String WEIGHTS = "weights.bin";
  private static final String FIRST_MOMENTS = "adam-m.bin";
  private static final String SECOND_MOMENTS = "adam-v.bin";
  private static final String BEST_WEIGHTS = "best-weights.bin";
  private static final String STATE = "state.json";

  private final TrainerConfig config;
  private final Consumer<TrainingProgress> listener;
  private TrainingKernel validationKernel;

  /** A trainer that reports progress to the log and the metrics file only. */
  public Trainer(TrainerConfig config) {
    this(config, progress -> { });
  }

  /** A trainer that also hands every step's progress to {@code listener}. */
  public Trainer(TrainerConfig config, Consumer<TrainingProgress> listener) {
    this.config = config;
    this.listener = listener;
  }

  /** The trainer's configuration. */
  public TrainerConfig config() {
    return config;
  }

  /**
   * Trains a model of {@code modelConfig} on {@code data}, resuming from the newest checkpoint in {@code workDir} if
   * there is one of this run.
   *
   * @throws IllegalArgumentException if the model does not fit the data, or a checkpoint in {@code workDir} belongs
   *     to another run
   */
  public TrainingResult train(StudentConfig modelConfig, TrainingData data, Path workDir) throws IOException {
    Backend.initialise();
    BpeTokenizer tokenizer = data.tokenizer();
    if (modelConfig.vocabularySize() != tokenizer.vocabularySize()) {
      throw new IllegalArgumentException("Invalid vocabularySize: " + modelConfig.vocabularySize()
          + " (the tokenizer has " + tokenizer.vocabularySize() + ")");
    }
    if (data.longestWindow() > modelConfig.contextLength() + 1) {
      throw new IllegalArgumentException("Invalid data: a window of " + data.longestWindow()
          + " tokens does not fit a context of " + modelConfig.contextLength());
    }
    Path checkpoints = workDir.resolve(CHECKPOINTS);
    Files.createDirectories(checkpoints);
    Path metrics = workDir.resolve(METRICS_FILE);
    String dataHash = data.hash();
    String fingerprint = fingerprint(modelConfig, dataHash);

    // The graph is only as long as the longest window needs, which saves the padding of short dialogues.
    int length = Math.max(1, Math.min(modelConfig.contextLength(), data.longestWindow() - 1));
    int batchesPerEpoch = (data.train().size() + config.batchSize() - 1) / config.batchSize();
    long totalSteps = (long) batchesPerEpoch * config.epochs();

    Run run = resumeOrStart(checkpoints, metrics, modelConfig, fingerprint);
    if (!run.state.stopped()) {
      // The hand-written pass computes what TransformerGraph defines (TrainingKernelTest holds it to SameDiff's
      // autodiff), several times faster than the graph interpreter.
      TrainingKernel kernel = new TrainingKernel(modelConfig, config.batchSize(), length);
      loop(run, kernel, modelConfig, data, length, batchesPerEpoch, totalSteps, checkpoints, metrics);
    }
    CheckpointState s = run.state;
    StudentModel last = StudentModel.of(modelConfig, run.weights);
    StudentModel best = run.bestWeights == null ? last : StudentModel.of(modelConfig, run.bestWeights);
    double tokensPerSecond = s.trainingSeconds() > 0 ? s.tokensSeen() / s.trainingSeconds() : 0;
    LOG.info("Trained {} steps over {} epochs in {} s ({} tokens/s); best epoch {}, validation loss {}",
        s.step(), s.epoch(), String.format("%.1f", s.trainingSeconds()), String.format("%.0f", tokensPerSecond),
        s.bestEpoch(), s.bestValidationLoss());
    return new TrainingResult(best, last, s.step(), s.epoch(), s.stoppedEarly(), s.bestEpoch(),
        s.bestValidationLoss() == null ? Double.NaN : s.bestValidationLoss(),
        s.bestNextTagAccuracy() == null ? Double.NaN : s.bestNextTagAccuracy(),
        s.trainingSeconds(), tokensPerSecond, dataHash);
  }

  private void loop(Run run, TrainingKernel kernel, StudentConfig modelConfig, TrainingData data, int length,
      int batchesPerEpoch, long totalSteps, Path checkpoints, Path metrics) throws IOException {
    Map<String, INDArray> gradients = kernel.newGradients();
    long startNanos = System.nanoTime();
    long stepsThisAttempt = 0;
    long tokensThisAttempt = 0;
    CheckpointState s = run.state;
    while (s.epoch() < config.epochs() && !s.stopped()) {
      int[] order = epochOrder(data.train().size(), s.epoch());
      for (int b = s.batchInEpoch(); b < batchesPerEpoch; b++) {
        int from = b * config.batchSize();
        int to = Math.min(order.length, from + config.batchSize());
        List<TokenSequence> batch = new ArrayList<>();
        for (int i = from; i < to; i++) {
          batch.add(data.train().get(order[i]));
        }
        // A short last batch is padded with rows of no weight, which add exactly nothing to the gradients.
        Batch arrays = Batch.of(batch, config.batchSize(), length);
        double lr = config.learningRateAt(s.step(), totalSteps);
        float[][] masks = modelConfig.dropout() > 0
            ? dropoutMasks(modelConfig, config.batchSize(), length, s.step()) : null;
        double loss = kernel.lossAndGradients(run.weights, arrays.tokens(), arrays.labels(), arrays.weights(), masks,
            gradients);
        double norm = adamW(run, gradients, s.step() + 1, lr);
        stepsThisAttempt++;
        tokensThisAttempt += arrays.real();
        double seconds = (System.nanoTime() - startNanos) / 1e9;
        s = with(s, s.step() + 1, s.epoch(), b + 1, seconds, arrays.real());
        run.state = s;
        startNanos = System.nanoTime();
        run.attemptSeconds += seconds;
        double tokensPerSecond = tokensThisAttempt / Math.max(1e-9, run.attemptSeconds);
        double eta = (totalSteps - s.step()) * run.attemptSeconds / stepsThisAttempt;
        TrainingProgress progress = new TrainingProgress(s.step(), totalSteps, s.epoch() + 1, loss, lr, norm,
            tokensPerSecond, eta);
        s = appendMetrics(metrics, s, stepLine(progress));
        run.state = s;
        if (s.step() % config.logEverySteps() == 0) {
          // DEBUG: a caller's progress listener is the console's line (the train job prints one with its ETA).
          LOG.debug("step {}/{} epoch {} loss {} lr {} tokens/s {} ETA {} s", s.step(), totalSteps, s.epoch() + 1,
              String.format("%.4f", loss), String.format("%.2e", lr), String.format("%.0f", tokensPerSecond),
              String.format("%.0f", eta));
        }
        if (s.step() % config.checkpointEverySteps() == 0) {
          writeCheckpoint(checkpoints, run);
        }
        listener.accept(progress);
      }
      long validationStart = System.nanoTime();
      s = endEpoch(run, modelConfig, data, metrics);
      s = with(s, s.step(), s.epoch(), s.batchInEpoch(), (System.nanoTime() - validationStart) / 1e9, 0);
      run.state = s;
      startNanos = System.nanoTime();
      writeCheckpoint(checkpoints, run);
    }
  }

  /** Adds {@code seconds} of work and {@code tokens} to the state and moves it to the given position. */
  private static CheckpointState with(CheckpointState s, long step, int epoch, int batch, double seconds,
      long tokens) {
    return new CheckpointState(s.format(), s.fingerprint(), step, epoch, batch, s.bestValidationLoss(),
        s.bestNextTagAccuracy(), s.bestEpoch(), s.epochsWithoutImprovement(), s.stopped(), s.stoppedEarly(),
        s.trainingSeconds() + seconds, s.tokensSeen() + tokens, s.metricsLines());
  }

  private CheckpointState endEpoch(Run run, StudentConfig modelConfig, TrainingData data, Path metrics)
      throws IOException {
    CheckpointState s = run.state;
    int epochNumber = s.epoch() + 1;
    Double bestLoss = s.bestValidationLoss();
    Double bestAccuracy = s.bestNextTagAccuracy();
    int bestEpoch = s.bestEpoch();
    int without = s.epochsWithoutImprovement();
    boolean stoppedEarly = false;
    if (!data.validation().isEmpty()) {
      Validation v = validate(StudentModel.of(modelConfig, run.weights), data);
      LOG.info("epoch {} validation loss {} next-tag accuracy {}", epochNumber, String.format("%.4f", v.loss()),
          String.format("%.3f", v.nextTagAccuracy()));
      Map<String, Object> line = new LinkedHashMap<>();
      line.put("type", "validation");
      line.put("step", s.step());
      line.put("epoch", epochNumber);
      line.put("validationLoss", v.loss());
      line.put("nextTagAccuracy", Double.isNaN(v.nextTagAccuracy()) ? null : v.nextTagAccuracy());
      s = appendMetrics(metrics, s, line);
      if (bestLoss == null || v.loss() < bestLoss) {
        bestLoss = v.loss();
        bestAccuracy = Double.isNaN(v.nextTagAccuracy()) ? null : v.nextTagAccuracy();
        bestEpoch = epochNumber;
        without = 0;
        run.bestWeights = copy(run.weights);
      } else {
        without++;
        stoppedEarly = config.earlyStoppingPatience() > 0 && without >= config.earlyStoppingPatience();
        if (stoppedEarly) {
          LOG.info("Stopping early: no better validation loss for {} epochs", without);
        }
      }
    }
    boolean stopped = stoppedEarly || epochNumber >= config.epochs();
    return new CheckpointState(s.format(), s.fingerprint(), s.step(), epochNumber, 0, bestLoss, bestAccuracy,
        bestEpoch, without, stopped, stoppedEarly, s.trainingSeconds(), s.tokensSeen(), s.metricsLines());
  }

  /** The validation loss and next-tag accuracy of a model. */
  public Validation validate(StudentModel model, TrainingData data) {
    int context = model.config().contextLength();
    int vocabulary = model.config().vocabularySize();
    BpeTokenizer tokenizer = data.tokenizer();
    double lossSum = 0;
    long targets = 0;
    long tags = 0;
    long tagsRight = 0;
    List<TokenSequence> windows = data.validation();
    if (windows.isEmpty()) {
      return new Validation(Double.NaN, Double.NaN);
    }
    int length = 1;
    for (TokenSequence w : windows) {
      length = Math.max(length, Math.min(context, w.length() - 1));
    }
    TrainingKernel kernel = validationKernel(model.config(), Math.min(config.batchSize(), windows.size()), length);
    Map<String, INDArray> weights = model.weights();
    for (int from = 0; from < windows.size(); from += kernel.rows()) {
      List<TokenSequence> batch = windows.subList(from, Math.min(windows.size(), from + kernel.rows()));
      int[] tokens = new int[kernel.rows() * length];
      java.util.Arrays.fill(tokens, SpecialToken.PAD.id());
      int[][] rows = new int[batch.size()][];
      for (int r = 0; r < rows.length; r++) {
        int[] all = batch.get(r).tokens();
        rows[r] = java.util.Arrays.copyOf(all, Math.min(length, all.length - 1));
        System.arraycopy(rows[r], 0, tokens, r * length, rows[r].length);
      }
      float[] logits = kernel.logits(weights, tokens, null).data().asFloat();
      for (int r = 0; r < rows.length; r++) {
        TokenSequence w = batch.get(r);
        for (int t = 0; t + 1 < w.length() && t < length; t++) {
          if (!w.isTarget(t + 1)) {
            continue;
          }
          int offset = (r * length + t) * vocabulary;
          int label = w.token(t + 1);
          double max = Double.NEGATIVE_INFINITY;
          int argmax = 0;
          for (int k = 0; k < vocabulary; k++) {
            if (logits[offset + k] > max) {
              max = logits[offset + k];
              argmax = k;
            }
          }
          double sum = 0;
          for (int k = 0; k < vocabulary; k++) {
            sum += Math.exp(logits[offset + k] - max);
          }
          lossSum += Math.log(sum) + max - logits[offset + label];
          targets++;
          if (tokenizer.isNodeTag(label)) {
            tags++;
            tagsRight += argmax == label ? 1 : 0;
          }
        }
      }
    }
    return new Validation(targets == 0 ? Double.NaN : lossSum / targets,
        tags == 0 ? Double.NaN : (double) tagsRight / tags);
  }

  private TrainingKernel validationKernel(StudentConfig modelConfig, int rows, int length) {
    if (validationKernel == null || validationKernel.rows() != rows || validationKernel.length() != length
        || !validationKernel.config().equals(modelConfig)) {
      validationKernel = new TrainingKernel(modelConfig, rows, length);
    }
    return validationKernel;
  }

  /** Validation figures: mean loss over target tokens and the share of node tags predicted right. */
  public record Validation(double loss, double nextTagAccuracy) {}

  /**
   * One AdamW step on the live weights; returns the gradient norm before clipping.
   *
   * @param t the step number from 1, for Adam's bias correction
   */
  private double adamW(Run run, Map<String, INDArray> gradients, long t, double lr) {
    return adamW(config, run.weights, run.firstMoments, run.secondMoments, gradients, t, lr);
  }

  /** One AdamW step of {@code config} on {@code weights} and their moments, in place; returns the gradient norm. */
  static double adamW(TrainerConfig config, Map<String, INDArray> weights, Map<String, INDArray> firstMoments,
      Map<String, INDArray> secondMoments, Map<String, INDArray> gradients, long t, double lr) {
    double squares = 0;
    Map<String, float[]> g = new LinkedHashMap<>();
    for (String name : weights.keySet()) {
      float[] values = floats(gradients.get(name));
      for (float v : values) {
        squares += (double) v * v;
      }
      g.put(name, values);
    }
    double norm = Math.sqrt(squares);
    float clip = (float) (config.gradientClipNorm() > 0 && norm > config.gradientClipNorm()
        ? config.gradientClipNorm() / norm : 1.0);
    float b1 = (float) config.beta1();
    float b2 = (float) config.beta2();
    float correction1 = (float) (1 - Math.pow(config.beta1(), t));
    float correction2 = (float) (1 - Math.pow(config.beta2(), t));
    float eps = (float) config.epsilon();
    float rate = (float) lr;
    float decay = (float) config.weightDecay();
    // Plain loops over flat buffers: a few ND4J ops per weight would cost more than the arithmetic.
    for (Map.Entry<String, INDArray> e : weights.entrySet()) {
      String name = e.getKey();
      INDArray wArray = e.getValue();
      float[] grad = g.get(name);
      float[] w = floats(wArray);
      float[] m = floats(firstMoments.get(name));
      float[] v = floats(secondMoments.get(name));
      // Decay only matrices: gains and biases are not shrunk towards zero.
      float wd = wArray.rank() == 2 ? decay : 0f;
      for (int i = 0; i < w.length; i++) {
        float gi = grad[i] * clip;
        m[i] = m[i] * b1 + gi * (1 - b1);
        v[i] = v[i] * b2 + gi * gi * (1 - b2);
        float update = (m[i] / correction1) / ((float) Math.sqrt(v[i] / correction2) + eps) + w[i] * wd;
        w[i] -= update * rate;
      }
      wArray.data().asNioFloat().put(0, w);
      firstMoments.get(name).data().asNioFloat().put(0, m);
      secondMoments.get(name).data().asNioFloat().put(0, v);
    }
    return norm;
  }

  /** A copy of a dense array's values; a bulk copy, where {@code data().asFloat()} goes element by element. */
  private static float[] floats(INDArray a) {
    float[] out = new float[(int) a.length()];
    a.data().asNioFloat().get(0, out);
    return out;
  }

  /** Dropout masks for one step, drawn from the seed and the step alone so that a resumed run draws the same. */
  private float[][] dropoutMasks(StudentConfig modelConfig, int rows, int length, long step) {
    double drop = modelConfig.dropout();
    float kept = (float) (1.0 / (1.0 - drop));
    java.util.SplittableRandom random = new java.util.SplittableRandom(config.seed() * 1_000_003L + step);
    float[][] masks = new float[TransformerGraph.dropoutMasks(modelConfig).size()][];
    for (int m = 0; m < masks.length; m++) {
      float[] mask = new float[rows * length * modelConfig.width()];
      for (int i = 0; i < mask.length; i++) {
        mask[i] = random.nextDouble() < drop ? 0f : kept;
      }
      masks[m] = mask;
    }
    return masks;
  }

  private int[] epochOrder(int size, int epoch) {
    int[] order = new int[size];
    for (int i = 0; i < size; i++) {
      order[i] = i;
    }
    Random random = new Random(config.seed() * 31 + epoch);
    for (int i = size - 1; i > 0; i--) {
      int j = random.nextInt(i + 1);
      int tmp = order[i];
      order[i] = order[j];
      order[j] = tmp;
    }
    return order;
  }

  private String fingerprint(StudentConfig modelConfig, String dataHash) {
    try {
      MessageDigest digest = MessageDigest.getInstance("SHA-256");
      // Logging cadence does not change the weights, so a run may resume with another.
      TrainerConfig c = new TrainerConfig(config.seed(), config.epochs(), config.batchSize(), config.learningRate(),
          config.minLearningRate(), config.warmupSteps(), config.weightDecay(), config.beta1(), config.beta2(),
          config.epsilon(), config.gradientClipNorm(), config.earlyStoppingPatience(), config.checkpointEverySteps(),
          1);
      digest.update((c + "|" + modelConfig + "|" + dataHash).getBytes(StandardCharsets.UTF_8));
      return HexFormat.of().formatHex(digest.digest());
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  private static CheckpointState appendMetrics(Path metrics, CheckpointState s, Map<String, Object> line)
      throws IOException {
    Files.writeString(metrics, JSON.writeValueAsString(line) + "\n", StandardCharsets.UTF_8,
        StandardOpenOption.CREATE, StandardOpenOption.APPEND);
    return new CheckpointState(s.format(), s.fingerprint(), s.step(), s.epoch(), s.batchInEpoch(),
        s.bestValidationLoss(), s.bestNextTagAccuracy(), s.bestEpoch(), s.epochsWithoutImprovement(), s.stopped(),
        s.stoppedEarly(), s.trainingSeconds(), s.tokensSeen(), s.metricsLines() + 1);
  }

  private static Map<String, Object> stepLine(TrainingProgress p) {
    Map<String, Object> line = new LinkedHashMap<>();
    line.put("type", "step");
    line.put("step", p.step());
    line.put("epoch", p.epoch());
    line.put("loss", p.loss());
    line.put("learningRate", p.learningRate());
    line.put("gradientNorm", p.gradientNorm());
    line.put("tokensPerSecond", p.tokensPerSecond());
    line.put("etaSeconds", p.etaSeconds());
    return line;
  }

  private Run resumeOrStart(Path checkpoints, Path metrics, StudentConfig modelConfig, String fingerprint)
      throws IOException {
    Path latest;
    try (Stream<Path> dirs = Files.list(checkpoints)) {
      latest = dirs.filter(p -> p.getFileName().toString().startsWith("step-"))
          .max(Comparator.comparing(p -> p.getFileName().toString())).orElse(null);
    }
    Run run = new Run();
    if (latest == null) {
      run.state = CheckpointState.fresh(fingerprint);
      run.weights = TransformerGraph.initialWeights(modelConfig, config.seed());
      run.firstMoments = zerosLike(run.weights);
      run.secondMoments = zerosLike(run.weights);
      Files.deleteIfExists(metrics);
      return run;
    }
    CheckpointState state = JSON.readValue(latest.resolve(STATE).toFile(), CheckpointState.class);
    if (!fingerprint.equals(state.fingerprint())) {
      throw new IllegalArgumentException("Cannot resume from " + latest
          + ": it was written with another configuration or other data");
    }
    run.state = state;
    run.weights = read(latest.resolve(WEIGHTS));
    run.firstMoments = read(latest.resolve(FIRST_MOMENTS));
    run.secondMoments = read(latest.resolve(SECOND_MOMENTS));
    Path best = latest.resolve(BEST_WEIGHTS);
    run.bestWeights = Files.exists(best) ? read(best) : null;
    // Lines written after the checkpoint will be written again.
    if (Files.exists(metrics)) {
      List<String> lines = Files.readAllLines(metrics, StandardCharsets.UTF_8);
      Files.write(metrics, lines.subList(0, (int) Math.min(lines.size(), state.metricsLines())),
          StandardCharsets.UTF_8);
    }
    LOG.info("Resuming from checkpoint {} (step {}, epoch {})", latest.getFileName(), state.step(),
        state.epoch() + 1);
    return run;
  }

  private static void writeCheckpoint(Path checkpoints, Run run) throws IOException {
    String name = run.state.directoryName();
    Path target = checkpoints.resolve(name);
    if (Files.exists(target)) {
      return;
    }
    Path tmp = checkpoints.resolve(".tmp-" + name);
    deleteRecursively(tmp);
    Files.createDirectories(tmp);
    write(tmp.resolve(WEIGHTS), run.weights);
    write(tmp.resolve(FIRST_MOMENTS), run.firstMoments);
    write(tmp.resolve(SECOND_MOMENTS), run.secondMoments);
    if (run.bestWeights != null) {
      write(tmp.resolve(BEST_WEIGHTS), run.bestWeights);
    }
    PRETTY.writeValue(tmp.resolve(STATE).toFile(), run.state);
    Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE);
    List<Path> all;
    try (Stream<Path> dirs = Files.list(checkpoints)) {
      all = dirs.filter(p -> p.getFileName().toString().startsWith("step-"))
          .sorted(Comparator.comparing(p -> p.getFileName().toString())).toList();
    }
    for (int i = 0; i < all.size() - CHECKPOINTS_KEPT; i++) {
      deleteRecursively(all.get(i));
    }
    LOG.debug("Wrote checkpoint {}", name);
  }

  private static void write(Path file, Map<String, INDArray> arrays) throws IOException {
    try (OutputStream out = new BufferedOutputStream(Files.newOutputStream(file))) {
      StudentModel.writeWeights(arrays, out);
    }
  }

  private static Map<String, INDArray> read(Path file) throws IOException {
    try (InputStream in = new BufferedInputStream(Files.newInputStream(file))) {
      return StudentModel.readWeights(in);
    }
  }

  private static void deleteRecursively(Path dir) throws IOException {
    if (!Files.exists(dir)) {
      return;
    }
    try (Stream<Path> walk = Files.walk(dir)) {
      for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
        Files.delete(p);
      }
    }
  }

  private static Map<String, INDArray> zerosLike(Map<String, INDArray> weights) {
    Map<String, INDArray> out = new LinkedHashMap<>();
    weights.forEach((k, v) -> out.put(k, Nd4j.zerosLike(v)));
    return out;
  }

  private static Map<String, INDArray> copy(Map<String, INDArray> weights) {
    Map<String, INDArray> out = new LinkedHashMap<>();
    weights.forEach((k, v) -> out.put(k, v.dup('c')));
    return out;
  }

  /** A run's mutable state: where it is, its weights and optimiser moments, and its best weights so far. */
  private static final class Run {
    CheckpointState state;
    Map<String, INDArray> weights;
    Map<String, INDArray> firstMoments;
    Map<String, INDArray> secondMoments;
    Map<String, INDArray> bestWeights;
    double attemptSeconds;
  }

  /** One batch: inputs, next-token labels and per-position loss weights, padded to a fixed number of rows. */
  private record Batch(int[] tokens, int[] labels, float[] weights, long real) {

    static Batch of(List<TokenSequence> windows, int rows, int length) {
      int[] tokens = new int[rows * length];
      int[] labels = new int[rows * length];
      float[] weights = new float[rows * length];
      java.util.Arrays.fill(tokens, SpecialToken.PAD.id());
      java.util.Arrays.fill(labels, SpecialToken.PAD.id());
      int targets = 0;
      long real = 0;
      for (int r = 0; r < windows.size(); r++) {
        TokenSequence w = windows.get(r);
        for (int t = 0; t + 1 < w.length() && t < length; t++) {
          tokens[r * length + t] = w.token(t);
          labels[r * length + t] = w.token(t + 1);
          if (w.isTarget(t + 1)) {
            weights[r * length + t] = 1;
            targets++;
          }
          real++;
        }
      }
      if (targets > 0) {
        for (int i = 0; i < weights.length; i++) {
          weights[i] /= targets;
        }
      }
      return new Batch(tokens, labels, weights, real);
    }
  }
}

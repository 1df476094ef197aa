package dev.subterra.jobs.baseline;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.subterra.evaluation.policy.NextNodeScorer;
import dev.subterra.jobs.Provenance;
import dev.subterra.jobs.io.RunFiles;
import dev.subterra.jobs.synthesize.SynthesisRows;
import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.apache.hadoop.fs.Path;
import org.apache.spark.api.java.function.FlatMapFunction;
import org.apache.spark.ml.Pipeline;
import org.apache.spark.ml.PipelineModel;
import org.apache.spark.ml.PipelineStage;
import org.apache.spark.ml.classification.LogisticRegression;
import org.apache.spark.ml.feature.HashingTF;
import org.apache.spark.ml.feature.IDF;
import org.apache.spark.ml.feature.IndexToString;
import org.apache.spark.ml.feature.RegexTokenizer;
import org.apache.spark.ml.feature.StringIndexer;
import org.apache.spark.ml.feature.StringIndexerModel;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.functions;

/**
 * Trains the next-node baseline: multinomial logistic regression over TF-IDF of the last turns, on the run's
 * training dialogues, scored on its validation and test dialogues. It writes {@code baseline/} (a Spark ML pipeline
 * that predicts {@code predicted_node} from {@code context}, with the same model as a plain-Java
 * {@link NextNodeScorer} in {@code baseline/next-node-scorer.json}) and {@code baseline.json} (accuracies, configuration,
 * provenance). The transformer student has to beat it to be worth its weights.
 */
public final class BaselineJob {
  private final SparkSession spark;
  private String runDir;
  private long seed;

  private BaselineJob(SparkSession spark) {
    this.spark = spark;
  }

  public static BaselineJob on(SparkSession spark) {
    return new BaselineJob(spark);
  }

  /** The run directory that holds {@code dialogues/}; the baseline is written beside it. */
  public BaselineJob run(String value) {
    this.runDir = value;
    return this;
  }

  public BaselineJob seed(long value) {
    this.seed = value;
    return this;
  }

  /** Accuracies of the saved baseline on each split it was scored on. */
  public record Result(String modelDir, long trainExamples, Map<String, Double> accuracy) {}

  public Result execute() throws IOException {
    Objects.requireNonNull(runDir, "run");
    spark.sparkContext().setJobGroup("subterra-baseline", "Train the next-node baseline in " + runDir, false);
    try {
      Dataset<Row> examples = examples().cache();
      Dataset<Row> train = examples.filter(functions.col("split").equalTo("train"));
      if (train.isEmpty()) {
        throw new IllegalArgumentException("Cannot train the baseline: " + runDir + " has no training dialogues");
      }
      StringIndexerModel labels = new StringIndexer().setInputCol("node").setOutputCol("label")
          .setHandleInvalid("keep").fit(train);
      PipelineModel model = new Pipeline().setStages(new PipelineStage[] {
          new RegexTokenizer().setInputCol("context").setOutputCol("words").setPattern("[^\\w{}]+"),
          new HashingTF().setInputCol("words").setOutputCol("tf").setNumFeatures(1 << 16),
          new IDF().setInputCol("tf").setOutputCol("features"),
          labels,
          new LogisticRegression().setFamily("multinomial").setMaxIter(100).setRegParam(0.001),
          new IndexToString().setInputCol("prediction").setOutputCol("predicted_node").setLabels(labels.labelsArray()[0])
      }).fit(train);

      RunFiles files = new RunFiles(spark.sparkContext().hadoopConfiguration());
      Path target = new Path(runDir, "baseline");
      Path temporary = files.temporarySibling(target);
      model.write().save(temporary.toString());
      // The same model as plain Java, for the closed loop and anything else that runs without Spark.
      files.writeText(new Path(temporary, NextNodeScorer.FILE), NextNodeScorerExport.of(model).toJson());
      files.commit(temporary, target);

      Map<String, Double> accuracy = new LinkedHashMap<>();
      Dataset<Row> scored = model.transform(examples);
      for (String split : List.of("train", "validation", "test", "heldout")) {
        Dataset<Row> part = scored.filter(functions.col("split").equalTo(split));
        if (!part.isEmpty()) {
          accuracy.put(split, part.filter(functions.col("predicted_node").equalTo(functions.col("node"))).count()
              / (double) part.count());
        }
      }
      Result result = new Result(target.toString(), train.count(), accuracy);
      files.writeText(new Path(runDir, "baseline.json"), summary(result));
      examples.unpersist();
      return result;
    } finally {
      spark.sparkContext().clearJobGroup();
    }
  }

  private Dataset<Row> examples() {
    Dataset<Row> dialogues = spark.read().parquet(new Path(runDir, "dialogues").toString());
    return dialogues.flatMap((FlatMapFunction<Row, Row>) row -> {
      String split = row.getString(row.fieldIndex("split"));
      List<Row> out = new ArrayList<>();
      for (NextNodeExamples.Example e : NextNodeExamples.of(SynthesisRows.dialogue(row))) {
        out.add(org.apache.spark.sql.RowFactory.create(e.dialogueId(), split, e.context(), e.node()));
      }
      return out.iterator();
    }, Encoders.row(new org.apache.spark.sql.types.StructType()
        .add("dialogue_id", "string").add("split", "string").add("context", "string").add("node", "string")));
  }

  private String summary(Result result) throws IOException {
    Map<String, Object> doc = new LinkedHashMap<>();
    doc.put("model", "multinomial logistic regression over TF-IDF of the last " + NextNodeExamples.CONTEXT_TURNS
        + " turns and the previous node");
    doc.put("train_examples", result.trainExamples());
    doc.put("next_node_accuracy", result.accuracy());
    doc.put("seed", seed);
    doc.put("provenance", Provenance.current(spark.version()));
    return new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValueAsString(doc);
  }
}

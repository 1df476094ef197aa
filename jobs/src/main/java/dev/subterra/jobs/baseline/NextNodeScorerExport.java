package dev.subterra.jobs.baseline;

import dev.subterra.evaluation.policy.NextNodeScorer;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.spark.ml.PipelineModel;
import org.apache.spark.ml.Transformer;
import org.apache.spark.ml.classification.LogisticRegressionModel;
import org.apache.spark.ml.feature.HashingTF;
import org.apache.spark.ml.feature.IDFModel;
import org.apache.spark.ml.feature.RegexTokenizer;
import org.apache.spark.ml.feature.StringIndexerModel;
import org.apache.spark.ml.linalg.Matrix;
import org.apache.spark.ml.linalg.Vector;

/**
 * Exports a fitted next-node pipeline ({@link BaselineJob}'s: regex tokenizer, hashing TF, IDF, string indexer,
 * multinomial logistic regression) into a {@link NextNodeScorer} that runs without Spark. Refuses a pipeline of any
 * other shape, since the scorer reproduces exactly these stages.
 */
public final class NextNodeScorerExport {
  private NextNodeScorerExport() {}

  /** The scorer of a fitted pipeline. */
  public static NextNodeScorer of(PipelineModel model) {
    RegexTokenizer tokenizer = stage(model, RegexTokenizer.class);
    HashingTF tf = stage(model, HashingTF.class);
    IDFModel idf = stage(model, IDFModel.class);
    StringIndexerModel indexer = stage(model, StringIndexerModel.class);
    LogisticRegressionModel lr = stage(model, LogisticRegressionModel.class);
    if (!tokenizer.getGaps() || tf.getBinary()) {
      throw new IllegalArgumentException("Cannot export the baseline: the tokenizer must split on gaps and the "
          + "term frequencies must be counts");
    }
    if (!"multinomial".equals(lr.getFamily())) {
      throw new IllegalArgumentException("Cannot export the baseline: the logistic regression is not multinomial");
    }
    Matrix coefficients = lr.coefficientMatrix();
    Vector intercepts = lr.interceptVector();
    Vector weights = idf.idf();
    int classes = coefficients.numRows();
    Map<Integer, NextNodeScorer.Feature> features = new LinkedHashMap<>();
    for (int j = 0; j < coefficients.numCols(); j++) {
      double[] column = new double[classes];
      boolean any = false;
      for (int k = 0; k < classes; k++) {
        column[k] = coefficients.apply(k, j);
        any |= column[k] != 0;
      }
      if (any && weights.apply(j) != 0) {
        features.put(j, new NextNodeScorer.Feature(weights.apply(j), column));
      }
    }
    List<String> labels = Arrays.asList(indexer.labelsArray()[0]);
    return new NextNodeScorer(tokenizer.getPattern(), tokenizer.getToLowercase(), tokenizer.getMinTokenLength(),
        tf.getNumFeatures(), labels, intercepts.toArray(), features);
  }

  private static <T extends Transformer> T stage(PipelineModel model, Class<T> type) {
    for (Transformer stage : model.stages()) {
      if (type.isInstance(stage)) {
        return type.cast(stage);
      }
    }
    throw new IllegalArgumentException("Cannot export the baseline: its pipeline has no " + type.getSimpleName());
  }
}

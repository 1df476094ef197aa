package dev.subterra.evaluation.policy;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.subterra.synthesis.Role;
import dev.subterra.synthesis.Turn;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * The MLlib next-node baseline as plain Java: the fitted pipeline's parameters (regex tokenizer, hashing
 * term-frequency, IDF weights, multinomial logistic regression) exported from Spark, so that the baseline plays the
 * closed loop without a Spark session and gives the MLlib model's predictions on the same context.
 *
 * <p>It follows Spark 3.5's stages exactly: {@code RegexTokenizer} (lower-cased, split on {@code pattern},
 * tokens of at least {@code minTokenLength} characters), {@code HashingTF} (MurmurHash3 x86 32-bit of each token's
 * UTF-8 bytes with seed {@value #HASH_SEED}, modulo {@code numFeatures}, counted), {@code IDF} (term frequency times
 * the feature's weight), then {@code argmax(coefficients * features + intercepts)}. Only features with a non-zero
 * weight or coefficient are stored: a feature no training context had has weight and coefficients that do not move
 * the margins, so leaving it out changes no prediction. Immutable and thread-safe.
 *
 * <p>Its fields: the tokenizer's split {@code pattern}, whether text is lower-cased, the shortest token kept, the
 * hashing space, the class labels by index (node ids; a predicted index past them, StringIndexer's unknown class, is
 * no prediction), one intercept per class, and the stored features by hashed index with their IDF weight and one
 * coefficient per class.
 */
@JsonPropertyOrder({"pattern", "lowercase", "minTokenLength", "numFeatures", "labels", "intercepts", "features"})
public final class NextNodeScorer {

  /** Spark's {@code HashingTF} seed. */
  public static final int HASH_SEED = 42;
  /** Turns of context the baseline reads; the procedure's next step rarely depends on more. */
  public static final int CONTEXT_TURNS = 3;
  /** The token that stands for the agent's previous node in the context. */
  public static final String PREVIOUS = "prevnode_";
  /** The file name the scorer is saved as. */
  public static final String FILE = "next-node-scorer.json";

  private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

  /** One stored feature: its IDF weight and its coefficient for every class. */
  public record Feature(@JsonProperty("idf") double idf, @JsonProperty("coefficients") double[] coefficients) {}

  @JsonCreator
  public NextNodeScorer(
      @JsonProperty("pattern") String pattern,
      @JsonProperty("lowercase") boolean lowercase,
      @JsonProperty("minTokenLength") int minTokenLength,
      @JsonProperty("numFeatures") int numFeatures,
      @JsonProperty("labels") List<String> labels,
      @JsonProperty("intercepts") double[] intercepts,
      @JsonProperty("features") Map<Integer, Feature> features) {
    if (pattern == null || pattern.isEmpty()) {
      throw new IllegalArgumentException("Invalid pattern: " + pattern);
    }
    if (numFeatures < 1) {
      throw new IllegalArgumentException("Invalid numFeatures: " + numFeatures);
    }
    if (labels == null || labels.isEmpty()) {
      throw new IllegalArgumentException("Invalid labels: " + labels);
    }
    if (intercepts == null || intercepts.length < labels.size()) {
      throw new IllegalArgumentException("Invalid intercepts: " + (intercepts == null ? null : intercepts.length)
          + " for " + labels.size() + " labels");
    }
    for (Map.Entry<Integer, Feature> f : features.entrySet()) {
      if (f.getKey() < 0 || f.getKey() >= numFeatures || f.getValue().coefficients().length != intercepts.length) {
        throw new IllegalArgumentException("Invalid feature " + f.getKey() + ": outside " + numFeatures
            + " features or not " + intercepts.length + " coefficients");
      }
    }
    this.pattern = pattern;
    this.lowercase = lowercase;
    this.minTokenLength = minTokenLength;
    this.numFeatures = numFeatures;
    this.labels = List.copyOf(labels);
    this.intercepts = intercepts.clone();
    this.features = java.util.Collections.unmodifiableMap(new java.util.TreeMap<>(features));
    this.compiled = Pattern.compile(pattern);
  }

  private final String pattern;
  private final boolean lowercase;
  private final int minTokenLength;
  private final int numFeatures;
  private final List<String> labels;
  private final double[] intercepts;
  private final Map<Integer, Feature> features;
  @JsonIgnore
  private final Pattern compiled;

  @JsonProperty("pattern")
  public String pattern() {
    return pattern;
  }

  @JsonProperty("lowercase")
  public boolean lowercase() {
    return lowercase;
  }

  @JsonProperty("minTokenLength")
  public int minTokenLength() {
    return minTokenLength;
  }

  @JsonProperty("numFeatures")
  public int numFeatures() {
    return numFeatures;
  }

  @JsonProperty("labels")
  public List<String> labels() {
    return labels;
  }

  @JsonProperty("intercepts")
  public double[] intercepts() {
    return intercepts.clone();
  }

  @JsonProperty("features")
  public Map<Integer, Feature> features() {
    return features;
  }

  /** The tokens of a context, as {@code RegexTokenizer} splits them. */
  public List<String> tokens(String context) {
    String text = lowercase ? context.toLowerCase(Locale.ROOT) : context;
    List<String> out = new ArrayList<>();
    for (String token : compiled.split(text)) {
      if (token.length() >= minTokenLength) {
        out.add(token);
      }
    }
    return out;
  }

  /** The hashed feature index of a token, as {@code HashingTF.indexOf}. */
  public int index(String token) {
    int hash = murmur3(token.getBytes(StandardCharsets.UTF_8), HASH_SEED);
    int mod = hash % numFeatures;
    return mod < 0 ? mod + numFeatures : mod;
  }

  /** The logistic regression's margin of every class for a context. */
  public double[] margins(String context) {
    Map<Integer, Integer> counts = new HashMap<>();
    for (String token : tokens(context)) {
      counts.merge(index(token), 1, Integer::sum);
    }
    double[] margins = intercepts.clone();
    for (Map.Entry<Integer, Integer> c : counts.entrySet()) {
      Feature f = features.get(c.getKey());
      if (f == null) {
        continue;
      }
      double x = c.getValue() * f.idf();
      double[] w = f.coefficients();
      for (int k = 0; k < margins.length; k++) {
        margins[k] += w[k] * x;
      }
    }
    return margins;
  }

  /** The predicted node of a context, or {@code null} when the best class is the indexer's unknown label. */
  public String predict(String context) {
    double[] m = margins(context);
    int best = 0;
    for (int k = 1; k < m.length; k++) {
      if (m[k] > m[best]) {
        best = k;
      }
    }
    return best < labels.size() ? labels.get(best) : null;
  }

  /**
   * The text the baseline reads before turn {@code i} of a conversation: the agent's previous node as a token, then
   * the last {@value #CONTEXT_TURNS} turns with their roles (a tool turn as its tool's name and result). The same
   * function builds training examples and closed-loop contexts.
   */
  public static String context(List<Turn> turns, int i, String previousNode) {
    StringBuilder text = new StringBuilder(PREVIOUS).append(previousNode.replaceAll("\\W", "_"));
    for (int j = Math.max(0, i - CONTEXT_TURNS); j < i; j++) {
      Turn t = turns.get(j);
      text.append(' ').append(t.role().wireName()).append(": ");
      text.append(t.role() == Role.TOOL ? t.call().name() + " " + t.result() : t.text());
    }
    return text.toString();
  }

  /** Writes the scorer as JSON. */
  public void save(Path file) throws IOException {
    JSON.writeValue(file.toFile(), this);
  }

  /** Reads a scorer {@link #save} wrote. */
  public static NextNodeScorer load(Path file) throws IOException {
    return JSON.readValue(file.toFile(), NextNodeScorer.class);
  }

  /** The scorer as JSON text. */
  public String toJson() throws IOException {
    return JSON.writeValueAsString(this);
  }

  /** A scorer from JSON text. */
  public static NextNodeScorer fromJson(String json) throws IOException {
    return JSON.readValue(json, NextNodeScorer.class);
  }

  /** MurmurHash3 x86 32-bit (Appleby), as Spark's {@code Murmur3_x86_32.hashUnsafeBytes2}. */
  static int murmur3(byte[] data, int seed) {
    int h = seed;
    int n = data.length;
    int blocks = n / 4;
    for (int b = 0; b < blocks; b++) {
      int i = b * 4;
      int k = (data[i] & 0xff) | (data[i + 1] & 0xff) << 8 | (data[i + 2] & 0xff) << 16 | (data[i + 3] & 0xff) << 24;
      h = mix(h, k);
    }
    int k = 0;
    int tail = blocks * 4;
    switch (n & 3) {
      case 3:
        k ^= (data[tail + 2] & 0xff) << 16;
        // fall through
      case 2:
        k ^= (data[tail + 1] & 0xff) << 8;
        // fall through
      case 1:
        k ^= data[tail] & 0xff;
        k *= 0xcc9e2d51;
        k = Integer.rotateLeft(k, 15);
        k *= 0x1b873593;
        h ^= k;
        break;
      default:
        break;
    }
    h ^= n;
    h ^= h >>> 16;
    h *= 0x85ebca6b;
    h ^= h >>> 13;
    h *= 0xc2b2ae35;
    h ^= h >>> 16;
    return h;
  }

  private static int mix(int h, int k) {
    k *= 0xcc9e2d51;
    k = Integer.rotateLeft(k, 15);
    k *= 0x1b873593;
    h ^= k;
    h = Integer.rotateLeft(h, 13);
    return h * 5 + 0xe6546b64;
  }
}

package dev.subterra.training.decode;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.subterra.synthesis.Dialogue;
import dev.subterra.synthesis.Role;
import dev.subterra.synthesis.Turn;
import dev.subterra.training.serial.DialogueSerializer;
import dev.subterra.workflow.Node;
import dev.subterra.workflow.Slot;
import dev.subterra.workflow.SlotType;
import dev.subterra.workflow.Workflow;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeMap;

/**
 * A learnt pointer over the conversation's spans: which span holds the value of a call's argument, read from the words
 * around it and its shape, never from the value itself, so that it points at a name, a town or an email it has never
 * seen as readily as at one it has ("from {@code Manchester}", "it's under {@code Oluwaseun Adeyemi}").
 *
 * <p>It is logistic regression over hashed features of one mention of a span: the argument, conjoined with the two
 * words before the span and the two after it, the mark right before it, the span's shape ({@code Xx Xx},
 * {@code x.x@x.x}), its length, whether the user said it and in their latest turn, and the words of a span with digits
 * ("{@code 5 nights}"). It is trained with the student, on the calls of the training dialogues: every span of what the
 * user said and the tools returned before a call, labelled by whether it reads as the value the call carries (for a
 * typed slot, after normalisation), a sample of the rest as negatives. {@link GroundedCalls} asks it, for each open
 * argument, which of the values the grammar allows the conversation points at; the transformer then chooses among the
 * best of them. Learnt span scoring, rather than the transformer's likelihood alone, because the likelihood of a value
 * it never wrote is low whatever the context says; the transformer still decides what the pointer cannot tell apart.
 *
 * <p>Training is deterministic: the same dialogues and seed give the same weights. Immutable once trained.
 */
public final class SpanPointer {
  /** The file of a model directory the pointer is kept in. */
  public static final String FILE = "pointer.json";
  /** The format written to and required in {@link #FILE}. */
  static final String FORMAT = "subterra-span-pointer/1";
  /** Hashed feature space: 2^18 weights, few collisions for the features of one workflow's calls. */
  static final int BITS = 18;
  /** Negatives kept per positive mention, drawn from the call's other spans. */
  static final int NEGATIVES = 40;
  static final int EPOCHS = 6;
  static final double LEARNING_RATE = 0.2;
  static final double L2 = 1e-6;

  private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

  private final float[] weights;

  private SpanPointer(float[] weights) {
    this.weights = weights;
  }

  /**
   * A turn the pointer reads: its text as the student reads it (after a space; a tool result as {@code key: value;
   * ...}), each byte one ISO-8859-1 character as in {@link GroundedCalls}, and whether the user said it.
   */
  public record Quote(String text, boolean user) {
    /** A turn of a dialogue as the student reads it, or null when the student does not read it for values. */
    static Quote of(Turn turn) {
      if (turn.role() == Role.USER && turn.text() != null) {
        return new Quote(bytes(DialogueSerializer.quoted(turn.text())), true);
      }
      if (turn.result() != null) {
        return new Quote(bytes(DialogueSerializer.toolResultText(turn.result())), false);
      }
      return null;
    }

    private static String bytes(String text) {
      return new String(text.getBytes(StandardCharsets.UTF_8), StandardCharsets.ISO_8859_1);
    }
  }

  /**
   * The pointer's logit that the span {@code [start, end)} of quote {@code q} is the value of {@code argument} of
   * {@code tool}; {@code lastUser} is the index of the conversation's latest user quote, {@code listed} whether the
   * span is one of the slot's listed values, in any case.
   */
  public double logit(String tool, String argument, List<Quote> quotes, int q, int start, int end, int lastUser,
      boolean listed) {
    double z = 0;
    for (int index : features(tool + "." + argument, quotes.get(q), start, end, q == lastUser, listed)) {
      z += weights[index];
    }
    return z;
  }

  /** The features of one mention, as indices into the weights. */
  static int[] features(String key, Quote quote, int start, int end, boolean latest, boolean listed) {
    String text = quote.text();
    String span = text.substring(start, end);
    List<String> before = words(text.substring(0, start), true);
    List<String> after = words(text.substring(end), false);
    String p1 = before.size() > 0 ? before.get(before.size() - 1) : "^";
    String p2 = before.size() > 1 ? before.get(before.size() - 2) : "^";
    String n1 = after.size() > 0 ? after.get(0) : "$";
    String n2 = after.size() > 1 ? after.get(1) : "$";
    String mark = markBefore(text, start);
    List<String> out = new ArrayList<>();
    out.add("bias");
    out.add("p1=" + p1);
    out.add("p2p1=" + p2 + " " + p1);
    out.add("n1=" + n1);
    out.add("n1n2=" + n1 + " " + n2);
    out.add("p1n1=" + p1 + " " + n1);
    out.add("mark=" + mark);
    out.add("markAfter=" + markAfter(text, end));
    // Boundaries: a value does not stop before, nor start after, a capitalised word of the same name ("San Antonio").
    out.add("before=" + wordClass(text.substring(0, start), true));
    out.add("after=" + wordClass(text.substring(end), false));
    out.add("p1class=" + (p1.equals("^") ? "^" : GroundedCalls.isFunctionWord(p1) ? "function" : "other"));
    out.add("shape=" + shape(span));
    // A lower-case word is a value when the list knows it ("lisbon"), hardly ever otherwise ("looking").
    out.add("listed=" + listed + " first=" + firstWordClass(span));
    out.add("words=" + Math.min(4, span.split(" ").length));
    out.add("source=" + (quote.user() ? "user" : "tool") + (latest ? "-latest" : ""));
    out.add("first=" + firstWordClass(span));
    out.add("digits=" + Math.min(3, digitRuns(span)));
    if (span.chars().anyMatch(Character::isDigit)) {
      for (String word : words(span, false)) {
        if (word.chars().allMatch(Character::isLetter)) {
          out.add("inner=" + word);
        }
      }
    }
    int[] indices = new int[out.size()];
    for (int i = 0; i < indices.length; i++) {
      indices[i] = index(key + "|" + out.get(i));
    }
    return indices;
  }

  /** Whether a value is one of the slot's listed values (a text slot's examples, read in any case). */
  static boolean isListed(Slot slot, String value) {
    return slot.values().contains(value);
  }

  /** Lower-case words of a text, nearest the span first kept: the last words before it, or the first after it. */
  private static List<String> words(String text, boolean last) {
    String[] raw = text.toLowerCase(Locale.ROOT).split("[^\\p{L}\\p{N}@'\\u0080-\\u00ff]+");
    List<String> out = new ArrayList<>();
    for (String w : raw) {
      if (!w.isEmpty()) {
        out.add(w);
      }
    }
    return last ? out.subList(Math.max(0, out.size() - 2), out.size()) : out.subList(0, Math.min(2, out.size()));
  }

  /** The punctuation right before a span, spaces aside ({@code :} after {@code name:}), or {@code none}. */
  private static String markBefore(String text, int start) {
    int i = start - 1;
    while (i >= 0 && text.charAt(i) == ' ') {
      i--;
    }
    return i < 0 ? "^" : Character.isLetterOrDigit(text.charAt(i)) || text.charAt(i) >= 0x80 ? "none"
        : String.valueOf(text.charAt(i));
  }

  /** How many runs of digits a span has ("Berlin 2026-10-15 7 nights" has four). */
  private static int digitRuns(String span) {
    int runs = 0;
    for (int i = 0; i < span.length(); i++) {
      if (Character.isDigit(span.charAt(i)) && (i == 0 || !Character.isDigit(span.charAt(i - 1)))) {
        runs++;
      }
    }
    return runs;
  }

  /** The punctuation right after a span, or {@code none} when a word follows, or {@code $} at the end. */
  private static String markAfter(String text, int end) {
    int i = end;
    while (i < text.length() && text.charAt(i) == ' ') {
      i++;
    }
    return i >= text.length() ? "$" : Character.isLetterOrDigit(text.charAt(i)) || text.charAt(i) >= 0x80 ? "none"
        : String.valueOf(text.charAt(i));
  }

  /**
   * The class of the word right before ({@code last}) or after a span, with nothing but spaces between: a capitalised
   * word, a lower-case one, a number, or none (punctuation or the turn's edge).
   */
  private static String wordClass(String text, boolean last) {
    if (text.isEmpty() || text.charAt(last ? text.length() - 1 : 0) != ' ') {
      return "none";
    }
    String trimmed = text.strip();
    if (trimmed.isEmpty()) {
      return "none";
    }
    char c = last ? trimmed.charAt(trimmed.lastIndexOf(' ') + 1) : trimmed.charAt(0);
    return Character.isUpperCase(c) ? "capital" : Character.isLowerCase(c) ? "lower"
        : Character.isDigit(c) ? "digit" : "none";
  }

  /** A span's shape: upper-case letters X, lower-case x, digits 9, runs collapsed ("Ana Souza" is "Xx Xx"). */
  static String shape(String span) {
    StringBuilder out = new StringBuilder();
    char last = 0;
    for (char c : span.toCharArray()) {
      char k = Character.isUpperCase(c) ? 'X' : Character.isLowerCase(c) || c >= 0x80 ? 'x'
          : Character.isDigit(c) ? '9' : c;
      if (k != last || !(k == 'x' || k == '9')) {
        out.append(k);
      }
      last = k;
    }
    return out.length() > 24 ? out.substring(0, 24) : out.toString();
  }

  /** Whether a span starts with a capital, an article, a digit or something else. */
  private static String firstWordClass(String span) {
    String first = span.split(" ")[0].toLowerCase(Locale.ROOT);
    if (first.equals("the") || first.equals("a") || first.equals("an")) {
      return "article";
    }
    char c = span.charAt(0);
    return Character.isUpperCase(c) ? "capital" : Character.isDigit(c) ? "digit" : "lower";
  }

  private static int index(String feature) {
    int h = feature.hashCode();
    h ^= h >>> 16;
    h *= 0x7feb352d;
    h ^= h >>> 15;
    h *= 0x846ca68b;
    h ^= h >>> 16;
    return h & ((1 << BITS) - 1);
  }

  /**
   * A pointer trained on the calls of {@code dialogues} of {@code workflow}: for every call argument whose slot is
   * typed and not an enum, every mention the grammar would offer before the call, positive when it reads as the
   * call's value. Null when the workflow has no such argument or the dialogues no such call.
   */
  public static SpanPointer train(Workflow workflow, Collection<Dialogue> dialogues, long seed) {
    GroundedCalls.Signatures grammar = GroundedCalls.Signatures.of(workflow);
    record Example(int[] features, boolean positive) {}
    List<Example> examples = new ArrayList<>();
    SplittableRandom random = new SplittableRandom(seed);
    for (Dialogue dialogue : dialogues) {
      List<Quote> quotes = new ArrayList<>();
      int lastUser = -1;
      // The agent's own words are not read for values: only what the user said and the tools returned.
      for (Turn turn : dialogue.turns()) {
        if (turn.call() != null && turn.nodeId() != null) {
          Node node = workflow.node(turn.nodeId()).orElse(null);
          if (node != null && node.tool() != null && node.tool().name().equals(turn.call().name())) {
            for (Map.Entry<String, String> argument : turn.call().arguments().entrySet()) {
              Slot slot = grammar.slotOf(node.tool().name(), argument.getKey());
              if (slot == null || slot.type() == SlotType.ENUM) {
                continue;
              }
              boolean userOnly = grammar.fromUser(node.tool().name(), argument.getKey());
              List<Example> positives = new ArrayList<>();
              List<Example> negatives = new ArrayList<>();
              String key = node.tool().name() + "." + argument.getKey();
              for (int q = 0; q < quotes.size(); q++) {
                Quote quote = quotes.get(q);
                if (userOnly && !quote.user()) {
                  continue;
                }
                for (int[] range : GroundedCalls.ranges(quote.text())) {
                  String value = GroundedCalls.valueOf(slot, GroundedCalls.utf8(
                      quote.text().substring(range[0], range[1])));
                  if (value == null) {
                    continue;
                  }
                  Example example = new Example(features(key, quote, range[0], range[1], q == lastUser,
                      isListed(slot, value)),
                      value.equals(argument.getValue()));
                  (example.positive() ? positives : negatives).add(example);
                }
              }
              if (positives.isEmpty()) {
                continue;
              }
              examples.addAll(positives);
              int keep = Math.min(negatives.size(), NEGATIVES * positives.size());
              for (int i = 0; i < keep; i++) {
                int j = i + random.nextInt(negatives.size() - i);
                Example picked = negatives.get(j);
                negatives.set(j, negatives.get(i));
                negatives.set(i, picked);
                examples.add(picked);
              }
            }
          }
        }
        Quote quote = Quote.of(turn);
        if (quote != null) {
          quotes.add(quote);
          if (quote.user()) {
            lastUser = quotes.size() - 1;
          }
        }
      }
    }
    if (examples.isEmpty()) {
      return null;
    }
    float[] weights = new float[1 << BITS];
    int[] order = new int[examples.size()];
    for (int i = 0; i < order.length; i++) {
      order[i] = i;
    }
    for (int epoch = 0; epoch < EPOCHS; epoch++) {
      for (int i = order.length - 1; i > 0; i--) {
        int j = random.nextInt(i + 1);
        int t = order[i];
        order[i] = order[j];
        order[j] = t;
      }
      double rate = LEARNING_RATE / (1 + epoch);
      for (int i : order) {
        Example e = examples.get(i);
        double z = 0;
        for (int f : e.features()) {
          z += weights[f];
        }
        double gradient = 1.0 / (1.0 + Math.exp(-z)) - (e.positive() ? 1 : 0);
        for (int f : e.features()) {
          weights[f] -= (float) (rate * (gradient + L2 * weights[f]));
        }
      }
    }
    return new SpanPointer(weights);
  }

  /** Writes the pointer's non-zero weights to {@code file}. */
  public void save(Path file) throws IOException {
    Map<String, Object> doc = new LinkedHashMap<>();
    doc.put("format", FORMAT);
    doc.put("bits", BITS);
    Map<Integer, Float> nonZero = new TreeMap<>();
    for (int i = 0; i < weights.length; i++) {
      if (weights[i] != 0f) {
        nonZero.put(i, weights[i]);
      }
    }
    doc.put("weights", nonZero);
    JSON.writeValue(file.toFile(), doc);
  }

  /** Reads a pointer written by {@link #save}. */
  public static SpanPointer load(Path file) throws IOException {
    var doc = JSON.readTree(file.toFile());
    if (!FORMAT.equals(doc.path("format").asText()) || doc.path("bits").asInt() != BITS) {
      throw new IOException("Cannot load " + file + ": format " + doc.path("format").asText() + " with "
          + doc.path("bits").asInt() + " bits (this version reads " + FORMAT + " with " + BITS + ")");
    }
    float[] weights = new float[1 << BITS];
    doc.path("weights").fields().forEachRemaining(e -> weights[Integer.parseInt(e.getKey())]
        = (float) e.getValue().asDouble());
    return new SpanPointer(weights);
  }

  /** Whether two pointers have the same weights. */
  public boolean sameWeights(SpanPointer other) {
    return java.util.Arrays.equals(weights, other.weights);
  }
}

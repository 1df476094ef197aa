package dev.subterra.training.tokenizer;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A byte-level byte-pair-encoding tokenizer with structural special tokens and one tag token per workflow node.
 *
 * <p>Ids are laid out as: the {@link SpecialToken}s, then the node tags in the order given at training, then the 256
 * bytes, then one id per learnt merge. Every string encodes, whatever its script, because anything the merges do not
 * cover falls back to single bytes; {@code decode(encode(s))} is {@code s} exactly. Text never encodes to a special
 * token, even when it spells one ({@code "<end>"} in a user turn is five ordinary characters).
 *
 * <p>Text is first split into chunks: a letter run with its leading space, a single digit, a punctuation run, or
 * white space. Digits are split one by one so that the student copies numbers, dates and amounts digit by digit
 * instead of having to learn a token per number it sees. Training is deterministic: a tie between equally frequent
 * pairs goes to the pair with the smaller ids.
 *
 * <p>Instances are immutable and thread-safe.
 */
public final class BpeTokenizer {

  /** The format name written to and required in the JSON file. */
  public static final String FORMAT = "subterra-bpe/1";

  private static final Logger LOG = LoggerFactory.getLogger(BpeTokenizer.class);
  private static final Pattern CHUNK =
      Pattern.compile(" ?\\p{L}+| ?\\p{N}| ?[^\\s\\p{L}\\p{N}]+|\\s+(?!\\S)|\\s+");
  private static final int BYTES = 256;
  private static final int CACHE_LIMIT = 100_000;
  private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

  private final List<String> nodeIds;
  private final List<int[]> merges;
  private final Map<Long, Integer> mergeRank;
  private final Map<String, Integer> nodeTagIds;
  private final byte[][] tokenBytes;
  private final int byteBase;
  private final Map<String, int[]> cache = new ConcurrentHashMap<>();

  private BpeTokenizer(List<String> nodeIds, List<int[]> merges) {
    this.nodeIds = List.copyOf(nodeIds);
    this.byteBase = SpecialToken.values().length + nodeIds.size();
    this.nodeTagIds = new HashMap<>();
    for (int i = 0; i < nodeIds.size(); i++) {
      nodeTagIds.put(nodeIds.get(i), SpecialToken.values().length + i);
    }
    int size = byteBase + BYTES + merges.size();
    this.tokenBytes = new byte[size][];
    for (int b = 0; b < BYTES; b++) {
      tokenBytes[byteBase + b] = new byte[] {(byte) b};
    }
    this.merges = new ArrayList<>();
    this.mergeRank = new HashMap<>();
    for (int rank = 0; rank < merges.size(); rank++) {
      int[] pair = merges.get(rank);
      int id = byteBase + BYTES + rank;
      if (pair.length != 2 || !isByteSequence(pair[0], id) || !isByteSequence(pair[1], id)) {
        throw new IllegalArgumentException("Invalid merge " + rank + ": " + Arrays.toString(pair));
      }
      this.merges.add(pair.clone());
      mergeRank.put(pairKey(pair[0], pair[1]), rank);
      tokenBytes[id] = concat(tokenBytes[pair[0]], tokenBytes[pair[1]]);
    }
  }

  private boolean isByteSequence(int id, int below) {
    return id >= byteBase && id < below;
  }

  /**
   * Learns merges from a corpus until the vocabulary reaches {@code vocabularySize} ids in all, or no pair occurs
   * twice any more (then the vocabulary is smaller: read it back from {@link #vocabularySize()}).
   *
   * @param corpus the texts to learn from, typically every turn's text and tool call of the training split
   * @param nodeIds the workflow's node ids, each of which gets a tag token; duplicates are dropped, order is kept
   * @param vocabularySize the largest vocabulary wanted, special tokens and tags included
   */
  public static BpeTokenizer train(Iterable<String> corpus, Collection<String> nodeIds, int vocabularySize) {
    List<String> tags = List.copyOf(new LinkedHashSet<>(nodeIds));
    for (String id : tags) {
      if (id == null || id.isBlank() || id.contains(">")) {
        throw new IllegalArgumentException("Invalid nodeId: " + id);
      }
    }
    int base = SpecialToken.values().length + tags.size();
    if (vocabularySize < base + BYTES) {
      throw new IllegalArgumentException("Invalid vocabularySize: " + vocabularySize
          + " (at least " + (base + BYTES) + " for the special tokens, node tags and bytes)");
    }
    // Sorted, so that the words and hence every tie are visited in the same order on every run.
    Map<String, Integer> wordCounts = new TreeMap<>();
    for (String text : corpus) {
      for (String chunk : chunks(text)) {
        wordCounts.merge(chunk, 1, Integer::sum);
      }
    }
    List<int[]> words = new ArrayList<>(wordCounts.size());
    int[] counts = new int[wordCounts.size()];
    int w = 0;
    for (Map.Entry<String, Integer> e : wordCounts.entrySet()) {
      byte[] bytes = e.getKey().getBytes(StandardCharsets.UTF_8);
      int[] symbols = new int[bytes.length];
      for (int i = 0; i < bytes.length; i++) {
        symbols[i] = base + (bytes[i] & 0xff);
      }
      words.add(symbols);
      counts[w++] = e.getValue();
    }
    Map<Long, Long> pairCounts = new HashMap<>();
    for (int i = 0; i < words.size(); i++) {
      addPairs(pairCounts, words.get(i), counts[i]);
    }
    List<int[]> merges = new ArrayList<>();
    int wanted = vocabularySize - base - BYTES;
    while (merges.size() < wanted) {
      long bestKey = -1;
      long bestCount = 1;
      for (Map.Entry<Long, Long> e : pairCounts.entrySet()) {
        long c = e.getValue();
        if (c > bestCount || (c == bestCount && bestKey >= 0 && e.getKey() < bestKey)) {
          bestCount = c;
          bestKey = e.getKey();
        }
      }
      if (bestKey < 0) {
        break;
      }
      int a = (int) (bestKey >>> 32);
      int b = (int) bestKey;
      int merged = base + BYTES + merges.size();
      merges.add(new int[] {a, b});
      for (int i = 0; i < words.size(); i++) {
        int[] symbols = words.get(i);
        if (!containsPair(symbols, a, b)) {
          continue;
        }
        addPairs(pairCounts, symbols, -counts[i]);
        int[] next = applyMerge(symbols, a, b, merged);
        words.set(i, next);
        addPairs(pairCounts, next, counts[i]);
      }
    }
    LOG.debug("Learnt {} merges from {} distinct chunks", merges.size(), words.size());
    return new BpeTokenizer(tags, merges);
  }

  private static void addPairs(Map<Long, Long> pairCounts, int[] symbols, long count) {
    for (int i = 0; i + 1 < symbols.length; i++) {
      long key = pairKey(symbols[i], symbols[i + 1]);
      long c = pairCounts.getOrDefault(key, 0L) + count;
      if (c == 0) {
        pairCounts.remove(key);
      } else {
        pairCounts.put(key, c);
      }
    }
  }

  private static boolean containsPair(int[] symbols, int a, int b) {
    for (int i = 0; i + 1 < symbols.length; i++) {
      if (symbols[i] == a && symbols[i + 1] == b) {
        return true;
      }
    }
    return false;
  }

  private static int[] applyMerge(int[] symbols, int a, int b, int merged) {
    int[] out = new int[symbols.length];
    int n = 0;
    for (int i = 0; i < symbols.length; i++) {
      if (i + 1 < symbols.length && symbols[i] == a && symbols[i + 1] == b) {
        out[n++] = merged;
        i++;
      } else {
        out[n++] = symbols[i];
      }
    }
    return Arrays.copyOf(out, n);
  }

  private static long pairKey(int a, int b) {
    return ((long) a << 32) | (b & 0xffffffffL);
  }

  private static byte[] concat(byte[] a, byte[] b) {
    byte[] out = Arrays.copyOf(a, a.length + b.length);
    System.arraycopy(b, 0, out, a.length, b.length);
    return out;
  }

  /** Splits text into the chunks that merges never cross; the chunks concatenate back to the text. */
  static List<String> chunks(String text) {
    List<String> out = new ArrayList<>();
    Matcher m = CHUNK.matcher(text);
    int end = 0;
    while (m.find()) {
      if (m.start() > end) {
        out.add(text.substring(end, m.start()));
      }
      out.add(m.group());
      end = m.end();
    }
    if (end < text.length()) {
      out.add(text.substring(end));
    }
    return out;
  }

  /** Encodes plain text; the result never contains a special token or node tag. */
  public int[] encode(String text) {
    List<int[]> parts = new ArrayList<>();
    int total = 0;
    for (String chunk : chunks(text)) {
      int[] ids = cache.get(chunk);
      if (ids == null) {
        ids = encodeChunk(chunk);
        if (cache.size() < CACHE_LIMIT) {
          cache.put(chunk, ids);
        }
      }
      parts.add(ids);
      total += ids.length;
    }
    int[] out = new int[total];
    int n = 0;
    for (int[] part : parts) {
      System.arraycopy(part, 0, out, n, part.length);
      n += part.length;
    }
    return out;
  }

  private int[] encodeChunk(String chunk) {
    byte[] bytes = chunk.getBytes(StandardCharsets.UTF_8);
    int[] symbols = new int[bytes.length];
    for (int i = 0; i < bytes.length; i++) {
      symbols[i] = byteBase + (bytes[i] & 0xff);
    }
    // Apply merges in the order they were learnt, which is the order training applied them in.
    while (symbols.length > 1) {
      int bestRank = Integer.MAX_VALUE;
      for (int i = 0; i + 1 < symbols.length; i++) {
        Integer rank = mergeRank.get(pairKey(symbols[i], symbols[i + 1]));
        if (rank != null && rank < bestRank) {
          bestRank = rank;
        }
      }
      if (bestRank == Integer.MAX_VALUE) {
        break;
      }
      int[] pair = merges.get(bestRank);
      symbols = applyMerge(symbols, pair[0], pair[1], byteBase + BYTES + bestRank);
    }
    return symbols;
  }

  /** Decodes ids to text, writing special tokens and node tags as their text ({@code <end>}, {@code <node:x>}). */
  public String decode(int[] ids) {
    return decode(ids, true);
  }

  /** Decodes ids to text, dropping special tokens and node tags: what a user would see. */
  public String decodeText(int[] ids) {
    return decode(ids, false);
  }

  private String decode(int[] ids, boolean withSpecials) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    for (int id : ids) {
      if (id < 0 || id >= vocabularySize()) {
        throw new IllegalArgumentException("Invalid token id: " + id);
      }
      if (id < byteBase) {
        if (withSpecials) {
          out.writeBytes(tokenText(id).getBytes(StandardCharsets.UTF_8));
        }
      } else {
        out.writeBytes(tokenBytes[id]);
      }
    }
    return out.toString(StandardCharsets.UTF_8);
  }

  /** The bytes a text token stands for. */
  public byte[] decodeBytes(int id) {
    if (id < byteBase || id >= vocabularySize()) {
      throw new IllegalArgumentException("Invalid token id: " + id + " (not a text token)");
    }
    return tokenBytes[id].clone();
  }

  /** The text of one token; a byte token that is not valid UTF-8 on its own shows as a replacement character. */
  public String tokenText(int id) {
    SpecialToken[] specials = SpecialToken.values();
    if (id < specials.length) {
      return specials[id].text();
    }
    if (id < byteBase) {
      return SpecialToken.nodeTag(nodeIds.get(id - specials.length));
    }
    return new String(tokenBytes[id], StandardCharsets.UTF_8);
  }

  /** The number of ids: special tokens, node tags, bytes and merges. */
  public int vocabularySize() {
    return byteBase + BYTES + merges.size();
  }

  /** The node ids that have a tag token, in id order. */
  public List<String> nodeIds() {
    return nodeIds;
  }

  /** The id of the tag token for a node. */
  public int nodeTagId(String nodeId) {
    Integer id = nodeTagIds.get(nodeId);
    if (id == null) {
      throw new IllegalArgumentException("Invalid nodeId: " + nodeId + " (the tokenizer has no tag for it)");
    }
    return id;
  }

  /** The node whose tag this id is, if it is a node tag. */
  public Optional<String> nodeIdOf(int id) {
    return isNodeTag(id) ? Optional.of(nodeIds.get(id - SpecialToken.values().length)) : Optional.empty();
  }

  /** Whether this id is a node tag. */
  public boolean isNodeTag(int id) {
    return id >= SpecialToken.values().length && id < byteBase;
  }

  /** Whether this id is a special token or node tag rather than text. */
  public boolean isStructural(int id) {
    return id >= 0 && id < byteBase;
  }

  /** The tokenizer as JSON; {@link #fromJson} reads it back to an equal tokenizer. */
  public String toJson() {
    List<String> specials = new ArrayList<>();
    for (SpecialToken t : SpecialToken.values()) {
      specials.add(t.text());
    }
    Map<String, Object> file = new LinkedHashMap<>();
    file.put("format", FORMAT);
    file.put("vocabularySize", vocabularySize());
    file.put("specialTokens", specials);
    file.put("nodeIds", nodeIds);
    file.put("merges", merges);
    try {
      return JSON.writeValueAsString(file);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Reads a tokenizer written by {@link #toJson}. */
  public static BpeTokenizer fromJson(String json) {
    TokenizerFile file;
    try {
      file = JSON.readValue(json, TokenizerFile.class);
    } catch (IOException e) {
      throw new IllegalArgumentException("Cannot read tokenizer: " + e.getMessage(), e);
    }
    if (!FORMAT.equals(file.format())) {
      throw new IllegalArgumentException("Invalid format: " + file.format());
    }
    List<String> specials = file.specialTokens() == null ? List.of() : file.specialTokens();
    SpecialToken[] known = SpecialToken.values();
    // Newer versions may only append special tokens; an older file with fewer of them would shift every id.
    for (int i = 0; i < known.length; i++) {
      if (i >= specials.size() || !known[i].text().equals(specials.get(i))) {
        throw new IllegalArgumentException("Invalid specialTokens: " + specials);
      }
    }
    BpeTokenizer tokenizer = new BpeTokenizer(file.nodeIds(), file.merges());
    if (tokenizer.vocabularySize() != file.vocabularySize()) {
      throw new IllegalArgumentException("Invalid vocabularySize: " + file.vocabularySize()
          + " (the file's tokens make " + tokenizer.vocabularySize() + ")");
    }
    return tokenizer;
  }

  /** Writes the tokenizer as JSON. */
  public void save(Path file) throws IOException {
    Files.writeString(file, toJson(), StandardCharsets.UTF_8);
  }

  /** Reads a tokenizer saved by {@link #save}. */
  public static BpeTokenizer load(Path file) throws IOException {
    return fromJson(Files.readString(file, StandardCharsets.UTF_8));
  }

  @Override
  public boolean equals(Object o) {
    if (!(o instanceof BpeTokenizer other)) {
      return false;
    }
    if (!nodeIds.equals(other.nodeIds) || merges.size() != other.merges.size()) {
      return false;
    }
    for (int i = 0; i < merges.size(); i++) {
      if (!Arrays.equals(merges.get(i), other.merges.get(i))) {
        return false;
      }
    }
    return true;
  }

  @Override
  public int hashCode() {
    int h = nodeIds.hashCode();
    for (int[] m : merges) {
      h = 31 * h + Arrays.hashCode(m);
    }
    return h;
  }

  @Override
  public String toString() {
    return "BpeTokenizer[vocabularySize=" + vocabularySize() + ", nodeTags=" + nodeIds.size() + "]";
  }

  private record TokenizerFile(
      String format, int vocabularySize, List<String> specialTokens, List<String> nodeIds, List<int[]> merges) {}
}

package dev.subterra.evaluation.judge;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The judge's rubric, stored as data ({@value #BUNDLED}): the instructions, the answer format and the five criteria,
 * each with its question and what a 1, 3 and 5 mean. Changing the wording of the judge is an edit of that file, and its
 * {@code version} goes into every summary the judge scored.
 *
 * @param version the rubric's version
 * @param source where the criteria come from
 * @param system the judge's instructions
 * @param answerFormat how the judge must answer, followed by the criteria keys in the prompt
 * @param criteria the criteria, in the order the scores are reported
 */
public record Rubric(String version, String source, String system, String answerFormat, List<Criterion> criteria) {
  /** The bundled rubric's resource. */
  public static final String BUNDLED = "judge/rubric.json";

  /** One criterion: its key in the judge's JSON answer, its name, its question and its scale. */
  public record Criterion(
      @JsonProperty("key") String key,
      @JsonProperty("name") String name,
      @JsonProperty("question") String question,
      @JsonProperty("scale") Map<String, String> scale) {
    public Criterion {
      if (key == null || !key.matches("[a-z_]+")) {
        throw new IllegalArgumentException("Invalid criterion key: " + key);
      }
      scale = new TreeMap<>(scale == null ? Map.of() : scale);
    }
  }

  @JsonCreator
  public Rubric(
      @JsonProperty("version") String version,
      @JsonProperty("source") String source,
      @JsonProperty("system") String system,
      @JsonProperty("answer_format") String answerFormat,
      @JsonProperty("criteria") List<Criterion> criteria) {
    if (version == null || version.isBlank()) {
      throw new IllegalArgumentException("Invalid rubric version: " + version);
    }
    if (system == null || system.isBlank() || answerFormat == null || answerFormat.isBlank()) {
      throw new IllegalArgumentException("Invalid rubric " + version + ": no instructions or answer format");
    }
    List<String> keys = criteria == null ? List.of() : criteria.stream().map(Criterion::key).toList();
    if (!keys.equals(JudgeScores.KEYS)) {
      throw new IllegalArgumentException("Invalid rubric " + version + ": criteria " + keys + ", expected "
          + JudgeScores.KEYS);
    }
    this.version = version;
    this.source = source;
    this.system = system;
    this.answerFormat = answerFormat;
    this.criteria = List.copyOf(criteria);
  }

  /** The bundled rubric. */
  public static Rubric bundled() {
    try (InputStream in = Rubric.class.getClassLoader().getResourceAsStream(BUNDLED)) {
      if (in == null) {
        throw new IllegalStateException("Cannot load the judge rubric: " + BUNDLED + " is not on the class path");
      }
      return new ObjectMapper().readValue(in, Rubric.class);
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot load the judge rubric " + BUNDLED + ": " + e.getMessage(), e);
    }
  }

  /** The judge's system prompt: the instructions, every criterion with its scale, and the answer format. */
  public String systemPrompt() {
    StringBuilder s = new StringBuilder(system.trim()).append("\n\nCriteria:\n");
    for (Criterion c : criteria) {
      s.append("- ").append(c.key()).append(" (").append(c.name()).append("): ").append(c.question()).append('\n');
      c.scale().forEach((score, meaning) -> s.append("    ").append(score).append(" = ").append(meaning).append('\n'));
    }
    s.append('\n').append(answerFormat.trim()).append(' ').append(String.join(", ", JudgeScores.KEYS)).append('.');
    return s.toString();
  }
}

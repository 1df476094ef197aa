package dev.subterra.evaluation.star;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.subterra.workflow.WorkflowCodec;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * A directory of STAR dialogues ({@code <id>.json}, one dialogue per file, the corpus's FORMAT-VERSION 7), read in
 * order of dialogue id, with one SHA-256 over every file for provenance.
 *
 * @param dir where the dialogues were read from
 * @param dialogues every dialogue, by id
 * @param sha256 the SHA-256 of the file names and contents' hashes, in name order
 */
public record StarCorpus(Path dir, List<StarDialogue> dialogues, String sha256) {
  private static final ObjectMapper JSON = new ObjectMapper();

  public StarCorpus {
    dialogues = List.copyOf(dialogues);
  }

  /** Reads every {@code *.json} file of {@code dir}; a file that is not a STAR dialogue is an error naming it. */
  public static StarCorpus read(Path dir) throws IOException {
    if (!Files.isDirectory(dir)) {
      throw new IllegalArgumentException("Cannot read STAR dialogues: " + dir + " is not a directory");
    }
    List<Path> files;
    try (Stream<Path> list = Files.list(dir)) {
      files = list.filter(p -> p.getFileName().toString().endsWith(".json")).sorted().toList();
    }
    if (files.isEmpty()) {
      throw new IllegalArgumentException("Cannot read STAR dialogues: no *.json files in " + dir);
    }
    List<StarDialogue> dialogues = new ArrayList<>();
    StringBuilder digest = new StringBuilder();
    for (Path file : files) {
      byte[] bytes = Files.readAllBytes(file);
      digest.append(file.getFileName()).append(' ').append(WorkflowCodec.sha256Hex(bytes)).append('\n');
      dialogues.add(parse(file.toString(), bytes));
    }
    dialogues.sort(Comparator.comparingInt(StarDialogue::id));
    return new StarCorpus(dir, dialogues,
        WorkflowCodec.sha256Hex(digest.toString().getBytes(StandardCharsets.UTF_8)));
  }

  /** Parses one dialogue; {@code source} names it in messages. */
  public static StarDialogue parse(String source, byte[] bytes) {
    JsonNode root;
    try {
      root = JSON.readTree(bytes);
    } catch (IOException e) {
      throw new IllegalArgumentException("Cannot read STAR dialogue " + source + ": malformed JSON ("
          + e.getMessage().lines().findFirst().orElse("") + ")");
    }
    if (root == null || !root.path("DialogueID").canConvertToInt() || !root.path("Events").isArray()
        || !root.path("Scenario").isObject()) {
      throw new IllegalArgumentException("Cannot read STAR dialogue " + source
          + ": it needs DialogueID, Scenario and Events");
    }
    JsonNode scenario = root.path("Scenario");
    List<String> tasks = new ArrayList<>();
    for (JsonNode capability : scenario.path("WizardCapabilities")) {
      String task = capability.path("Task").asText("");
      if (!task.isEmpty()) {
        tasks.add(task);
      }
    }
    List<StarEvent> events = new ArrayList<>();
    for (JsonNode event : root.path("Events")) {
      events.add(new StarEvent(event.path("Agent").asText(""), event.path("Action").asText(""),
          text(event.path("Text")), text(event.path("ActionLabel")), text(event.path("APIName")),
          constraints(event.path("Constraints")), item(event.path("Item"))));
    }
    return new StarDialogue(root.path("DialogueID").asInt(), tasks, scenario.path("Happy").asBoolean(false),
        scenario.path("MultiTask").asBoolean(false), events);
  }

  private static String text(JsonNode node) {
    return node.isMissingNode() || node.isNull() ? null : node.asText();
  }

  /** Query constraints, a list of one-field objects, with their values unquoted. */
  private static Map<String, String> constraints(JsonNode list) {
    Map<String, String> out = new LinkedHashMap<>();
    for (JsonNode constraint : list) {
      constraint.fields().forEachRemaining(e -> out.put(e.getKey(), constraintValue(e.getValue().asText())));
    }
    return out;
  }

  /**
   * A constraint's value as the wizard meant it: STAR writes {@code "\"Hilton Hotel\""} for a literal and
   * {@code api.is_equal_to("Dr. Johnson")} for some comparisons; both mean the quoted text.
   */
  static String constraintValue(String raw) {
    String value = raw.strip();
    if (value.startsWith("api.") && value.endsWith(")") && value.indexOf('(') > 0) {
      value = value.substring(value.indexOf('(') + 1, value.length() - 1).strip();
    }
    if (value.length() >= 2 && value.startsWith("\"") && value.endsWith("\"")) {
      value = value.substring(1, value.length() - 1);
    }
    return value;
  }

  private static Map<String, String> item(JsonNode item) {
    Map<String, String> out = new LinkedHashMap<>();
    if (item.isObject()) {
      item.fields().forEachRemaining(e -> out.put(e.getKey(), e.getValue().isValueNode() ? e.getValue().asText()
          : e.getValue().toString()));
    }
    return out;
  }
}

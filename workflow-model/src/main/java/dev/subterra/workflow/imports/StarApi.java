package dev.subterra.workflow.imports;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.subterra.workflow.InvalidWorkflowException;
import dev.subterra.workflow.WorkflowLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * A STAR knowledge-base API ({@code apis/apis/<name>.json}): its input and output fields and the fields of the
 * database behind it ({@code apis/dbs/<db>.json}). The importer takes slot pools and tool arguments from these.
 */
record StarApi(String name, List<Field> inputs, List<Field> outputs, List<Field> database) {
  private static final ObjectMapper JSON = new ObjectMapper();

  StarApi {
    inputs = List.copyOf(inputs);
    outputs = List.copyOf(outputs);
    database = List.copyOf(database);
  }

  /**
   * One field of an API or database. {@code names} are the tokens of its name and of its readable name (the field
   * {@code Name} of the hotel API reads "Hotel Name"), which is how slots find it.
   */
  record Field(String name, String type, List<String> categories, Double min, Double max, String origin,
      List<List<String>> names) {

    Field {
      categories = List.copyOf(categories);
      names = List.copyOf(names);
    }

    /** Whether the field lists values a slot can draw from: categories, a numeric range, or true and false. */
    boolean hasValues() {
      return !categories.isEmpty() || (min != null && max != null) || isBoolean();
    }

    boolean isBoolean() {
      return "Boolean".equals(type);
    }

    /** Free text such as a person's name: STAR marks these ShortString or LongString and lists no values. */
    boolean isFreeText() {
      return type != null && type.endsWith("String");
    }
  }

  /**
   * The API of that name under {@code apisDir} (with {@code apis/} and {@code dbs/} inside), if its file exists. A
   * malformed file is an error: it is input the user pointed at.
   */
  static Optional<StarApi> load(Path apisDir, String name) throws InvalidWorkflowException {
    if (apisDir == null || name == null || !name.matches("[A-Za-z0-9_]+")) {
      return Optional.empty();
    }
    Path file = apisDir.resolve("apis").resolve(name + ".json");
    if (!Files.isRegularFile(file)) {
      return Optional.empty();
    }
    JsonNode api = read(file);
    List<Field> database = List.of();
    // APIs without a database ("db": "null", as trivia has) may still have one of their own name.
    String db = api.path("db").asText("null");
    if (db.isBlank() || db.equals("null")) {
      db = name;
    }
    if (db.matches("[A-Za-z0-9_]+")) {
      Path dbFile = apisDir.resolve("dbs").resolve(db + ".json");
      if (Files.isRegularFile(dbFile)) {
        database = fields(read(dbFile), "STAR " + db + " database field ");
      }
    }
    return Optional.of(new StarApi(name, fields(api.path("input"), "STAR " + name + " API input field "),
        fields(api.path("output"), "STAR " + name + " API output field "), database));
  }

  private static JsonNode read(Path file) throws InvalidWorkflowException {
    byte[] bytes = WorkflowLoader.readFile(file);
    try {
      return JSON.readTree(bytes);
    } catch (JsonProcessingException e) {
      String line = e.getLocation() == null ? "" : e.getLocation().getLineNr() + ":" + e.getLocation().getColumnNr() + ":";
      throw new InvalidWorkflowException(file.toString(), List.of(file + ":" + line + " malformed STAR API definition: "
          + e.getOriginalMessage().lines().findFirst().orElse("")));
    } catch (java.io.IOException e) {
      throw new InvalidWorkflowException(file.toString(), List.of(file + ": cannot read the file: " + e.getMessage()));
    }
  }

  private static List<Field> fields(JsonNode array, String origin) {
    List<Field> fields = new ArrayList<>();
    for (JsonNode node : array) {
      String name = node.path("Name").asText(null);
      if (name == null || name.isBlank()) {
        continue;
      }
      List<String> categories = new ArrayList<>();
      // Some categories are lists (the steps of a route) or Python expressions ("!lambda ..."): only plain strings
      // are values a slot can take, and a list of steps counts as its steps.
      for (JsonNode category : node.path("Categories")) {
        if (category.isTextual() || category.isNumber()) {
          addValue(categories, category.asText());
        } else if (category.isArray()) {
          category.forEach(step -> addValue(categories, step.asText()));
        }
      }
      List<List<String>> names = new ArrayList<>();
      names.add(tokens(name));
      String readable = node.path("ReadableName").asText("");
      if (!readable.isBlank()) {
        names.add(tokens(readable.replaceAll("\\(.*?\\)", " ")));
      }
      fields.add(new Field(name, node.path("Type").asText(null), categories, number(node.path("Min")),
          number(node.path("Max")), origin + name, names));
    }
    return fields;
  }

  private static void addValue(List<String> values, String value) {
    String clean = value.strip().replaceFirst("^#", "");
    if (!clean.isEmpty() && !clean.startsWith("!") && !values.contains(clean)) {
      values.add(clean);
    }
  }

  private static Double number(JsonNode node) {
    return node.isNumber() ? node.asDouble() : null;
  }

  /**
   * The lower-case words of a field name ({@code StartTimeHour}, {@code NearbyPOIs}), a readable name ("Start Day") or a
   * slot name ({@code start_time}), with a few spellings unified so that {@code question_number} finds
   * {@code QuestionNum}, {@code clazz} finds {@code Class} and {@code number_of_guests} finds {@code NumberGuests}.
   */
  static List<String> tokens(String name) {
    // "StartTimeHour" and "PINCode" split before each word, but the plural of an acronym ("POIs") stays one word.
    String spaced = name.replaceAll("([a-z0-9])([A-Z])", "$1 $2").replaceAll("([A-Z])([A-Z][a-z]{2,})", "$1 $2");
    List<String> tokens = new ArrayList<>();
    for (String token : spaced.toLowerCase(Locale.ROOT).split("[^a-z0-9]+")) {
      if (!token.isEmpty() && !token.equals("of")) {
        tokens.add(switch (token) {
          case "num" -> "number";
          case "colour" -> "color";
          case "clazz" -> "class";
          case "starting" -> "start";
          default -> token;
        });
      }
    }
    return tokens;
  }

  /** All fields, API before database, for finding a slot's pool. */
  List<List<Field>> tiers() {
    List<Field> api = new ArrayList<>(inputs);
    api.addAll(outputs);
    return Arrays.asList(api, database);
  }
}

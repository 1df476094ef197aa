package dev.subterra.workflow;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.databind.DeserializationContext;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JavaType;
import com.fasterxml.jackson.databind.JsonDeserializer;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.deser.DeserializationProblemHandler;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads a workflow in the native format, YAML or JSON, and validates it.
 *
 * <p>Every problem comes back as one line that starts with {@code file:line:column:}: unknown fields (a typo such as
 * {@code nxt:} is an error, never ignored), values of the wrong type, and every rule of {@link WorkflowValidator}.
 * Empty, binary, malformed and oversized files get a one-line error too. Problems are listed in file order (by line,
 * then column). The format is chosen by the file extension ({@code .json}, {@code .yaml}, {@code .yml}) and otherwise by
 * the first character.
 */
public final class WorkflowLoader {
  /** Hand-written procedures are kilobytes; a file this large is a mistake, not a workflow. */
  public static final long MAX_BYTES = 8L * 1024 * 1024;

  /** The two serialisations of the native model. */
  public enum Format { YAML, JSON }

  /** A place in a SnakeYAML message: {@code  in 'reader', line 2, column 8:}. */
  private static final Pattern MARK = Pattern.compile("line (\\d+), column (\\d+)");

  /** Jackson's mark for a JSON construct, which quotes the source (newlines and all) before the line and column. */
  private static final Pattern JSON_MARK = Pattern.compile("\\[Source: .*?; line: (\\d+), column: (\\d+)]",
      Pattern.DOTALL);

  /** A problem and the place it was found, so that a report can list problems in file order. */
  private record Placed(JsonLocation location, String message) {
    int line() {
      return location == null ? 0 : location.getLineNr();
    }

    int column() {
      return location == null ? 0 : location.getColumnNr();
    }
  }

  private WorkflowLoader() {}

  /** Loads and validates a workflow file. */
  public static Workflow load(Path file) throws InvalidWorkflowException {
    byte[] bytes = readFile(file);
    return parse(file.toString(), bytes, formatOf(file.getFileName().toString(), bytes));
  }

  /** Parses and validates a workflow held in memory; {@code source} names it in messages. */
  public static Workflow parse(String source, byte[] bytes, Format format) throws InvalidWorkflowException {
    Located<Workflow> document =
        bind(source, bytes, format, Workflow.class, "a workflow must be a mapping with id, start and nodes");
    List<WorkflowProblem> invalid = document.unlessRejected(WorkflowValidator.validate(document.value()));
    if (document.hasProblems() || !invalid.isEmpty()) {
      throw document.failure(invalid);
    }
    return document.value();
  }

  /**
   * Reads a file for parsing, refusing a missing, unreadable or oversized one. Importers of other formats use this
   * so that every file Subterra reads gets the same limits and messages.
   */
  public static byte[] readFile(Path file) throws InvalidWorkflowException {
    String source = file.toString();
    try {
      long size = Files.size(file);
      if (size > MAX_BYTES) {
        throw fail(source, "file is " + size + " bytes, more than the " + MAX_BYTES + "-byte limit for a workflow");
      }
      return Files.readAllBytes(file);
    } catch (NoSuchFileException e) {
      throw fail(source, "no such file");
    } catch (IOException e) {
      throw fail(source, "cannot read the file: " + e.getMessage());
    }
  }

  /**
   * Binds a YAML or JSON document to a record type, strictly: an empty, binary or malformed document, or one that is
   * not a mapping, fails at once with a located one-line message; unknown fields, values of the wrong type and
   * duplicate keys are collected as problems so that all of them are reported together.
   *
   * @param notAMapping what to say when the document is not a mapping, e.g. "a workflow must be a mapping with id,
   *     start and nodes"
   */
  public static <T> Located<T> bind(String source, byte[] bytes, Format format, Class<T> type, String notAMapping)
      throws InvalidWorkflowException {
    String text = decodeText(source, bytes);
    if (text.isBlank()) {
      throw fail(source, "the file is empty");
    }
    JsonFactory factory = factory(format);
    List<Placed> found = new ArrayList<>();
    Map<String, JsonLocation> locations = locate(source, format, factory, text, found, notAMapping);
    List<WorkflowProblem> problems = new ArrayList<>();
    Set<String> rejected = new HashSet<>();
    T value;
    try {
      value = mapper(factory, problems, rejected).readValue(text, type);
    } catch (JsonProcessingException e) {
      if (found.isEmpty() && problems.isEmpty()) {
        throw new InvalidWorkflowException(source, List.of(at(source, e.getLocation()) + firstLine(e.getOriginalMessage())));
      }
      // A value rejected above (a node written as text, an empty list entry) leaves a null that a record refuses; the
      // problems already found are the cause, so report them rather than the failure they led to.
      throw report(source, locations, found, problems);
    }
    if (value == null) {
      throw fail(source, "the file holds nothing");
    }
    return new Located<>(source, value, found, problems, rejected, locations);
  }

  /**
   * A document bound to a record, with the problems binding found and where each JSON pointer of the document starts,
   * so that problems found later (by validation, or by an importer) are reported at a line and column as well.
   */
  public static final class Located<T> {
    private final String source;
    private final T value;
    private final List<Placed> found;
    private final List<WorkflowProblem> problems;
    private final Set<String> rejected;
    private final Map<String, JsonLocation> locations;

    private Located(String source, T value, List<Placed> found, List<WorkflowProblem> problems, Set<String> rejected,
        Map<String, JsonLocation> locations) {
      this.source = source;
      this.value = value;
      this.found = List.copyOf(found);
      this.problems = List.copyOf(problems);
      this.rejected = Set.copyOf(rejected);
      this.locations = Map.copyOf(locations);
    }

    public String source() {
      return source;
    }

    public T value() {
      return value;
    }

    /** The problems binding found that have a pointer (unknown fields, wrong values). */
    public List<WorkflowProblem> problems() {
      return problems;
    }

    /** Whether binding found any problem at all, duplicate keys and empty entries included. */
    public boolean hasProblems() {
      return !found.isEmpty() || !problems.isEmpty();
    }

    /**
     * The later problems that do not repeat a rejected value: a value rejected by binding reads as absent, and
     * "invalid node kind 'agnet'" needs no "has no kind" after it.
     */
    public List<WorkflowProblem> unlessRejected(List<WorkflowProblem> later) {
      return later.stream().filter(p -> !within(p.pointer(), rejected)).toList();
    }

    /**
     * The {@code file:line:column: } prefix for a JSON pointer into the document; a pointer that does not exist (a
     * default, or a field the record does not have) is placed at its nearest existing parent.
     */
    public String at(String pointer) {
      return WorkflowLoader.at(source, find(locations, pointer));
    }

    /** The exception for these problems and every problem binding found, each on its own located line, in file order. */
    public InvalidWorkflowException failure(List<WorkflowProblem> more) {
      List<WorkflowProblem> all = new ArrayList<>(problems);
      for (WorkflowProblem problem : more) {
        if (!all.contains(problem)) {
          all.add(problem);
        }
      }
      return report(source, locations, found, all);
    }
  }

  /** The format a file name and content imply. */
  public static Format formatOf(String fileName, byte[] bytes) {
    String lower = fileName.toLowerCase(Locale.ROOT);
    if (lower.endsWith(".json")) {
      return Format.JSON;
    }
    if (lower.endsWith(".yaml") || lower.endsWith(".yml")) {
      return Format.YAML;
    }
    for (byte b : bytes) {
      if (!Character.isWhitespace(b)) {
        return b == '{' ? Format.JSON : Format.YAML;
      }
    }
    return Format.YAML;
  }

  private static String decodeText(String source, byte[] bytes) throws InvalidWorkflowException {
    for (int i = 0; i < bytes.length; i++) {
      if (bytes[i] == 0) {
        throw fail(source, "not a text file (a NUL byte at offset " + i + ")");
      }
    }
    try {
      String text = StandardCharsets.UTF_8.newDecoder()
          .onMalformedInput(CodingErrorAction.REPORT)
          .onUnmappableCharacter(CodingErrorAction.REPORT)
          .decode(ByteBuffer.wrap(bytes))
          .toString();
      // Editors on Windows may start UTF-8 with a byte-order mark, which the JSON parser takes for content.
      return text.startsWith("\uFEFF") ? text.substring(1) : text;
    } catch (CharacterCodingException e) {
      throw fail(source, "not a UTF-8 text file");
    }
  }

  private static JsonFactory factory(Format format) {
    JsonFactory factory = format == Format.JSON ? new JsonFactory() : new YAMLFactory();
    factory.setStreamReadConstraints(StreamReadConstraints.builder().maxNestingDepth(64).build());
    return factory;
  }

  /**
   * Walks the document once and remembers where each JSON pointer starts, for messages about the parsed records. It
   * also finds what data binding cannot see: a key given twice (binding keeps one silently), an empty list entry, and
   * a second document after the workflow (binding reads only the first).
   */
  private static Map<String, JsonLocation> locate(String source, Format format, JsonFactory factory, String text,
      List<Placed> found, String notAMapping) throws InvalidWorkflowException {
    Map<String, JsonLocation> locations = new HashMap<>();
    Set<String> keys = new HashSet<>();
    try (JsonParser parser = factory.createParser(text)) {
      JsonToken first = parser.nextToken();
      if (first == null || first == JsonToken.VALUE_NULL) {
        throw fail(source, "the file holds no workflow, only comments or an empty document");
      }
      if (first != JsonToken.START_OBJECT) {
        throw new InvalidWorkflowException(source, List.of(at(source, parser.currentTokenLocation())
            + notAMapping + ", but the document is " + describe(first)));
      }
      locations.put("", parser.currentTokenLocation());
      JsonToken token = parser.nextToken();
      for (; token != null && !parser.getParsingContext().inRoot(); token = parser.nextToken()) {
        if (token == JsonToken.END_OBJECT || token == JsonToken.END_ARRAY) {
          continue;
        }
        String pointer = parser.getParsingContext().pathAsPointer().toString();
        JsonLocation here = parser.currentTokenLocation();
        JsonLocation earlier = locations.putIfAbsent(pointer, here);
        if (token == JsonToken.FIELD_NAME && !keys.add(pointer)) {
          found.add(new Placed(here, "duplicate key '" + parser.currentName() + "' (first given at line "
              + earlier.getLineNr() + ", column " + earlier.getColumnNr() + "): a key may appear only once in a mapping"));
          // Binding keeps the last value: locate it and its own fields from here on, and forget the first one's.
          String under = pointer + "/";
          locations.keySet().removeIf(p -> p.startsWith(under));
          keys.removeIf(p -> p.startsWith(under));
          locations.put(pointer, here);
        } else if (token == JsonToken.VALUE_NULL && parser.getParsingContext().inArray()) {
          found.add(new Placed(here, "empty list entry: give it a value or remove it"));
        }
      }
      JsonToken after = parser.nextToken();
      if (after != null && after != JsonToken.VALUE_NULL) { // a trailing "---" opens an empty document, which is harmless
        found.add(new Placed(parser.currentTokenLocation(),
            "a second document follows the workflow: a file holds exactly one workflow"));
      }
    } catch (JsonProcessingException e) {
      throw new InvalidWorkflowException(source, List.of(malformed(source, format, e)));
    } catch (IOException e) {
      throw fail(source, "cannot read the document: " + e.getMessage());
    }
    return locations;
  }

  private static ObjectMapper mapper(JsonFactory factory, List<WorkflowProblem> problems, Set<String> rejected) {
    ObjectMapper mapper = new ObjectMapper(factory)
        .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
        .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
        .enable(DeserializationFeature.FAIL_ON_READING_DUP_TREE_KEY);
    mapper.addHandler(new CollectingProblemHandler(problems, rejected));
    return mapper;
  }

  /**
   * Turns field and value mistakes into problems, so that all of them are reported and parsing goes on. It notes the
   * pointers of rejected values in {@code rejected}: they read as absent afterwards, and must not be reported again.
   */
  private static final class CollectingProblemHandler extends DeserializationProblemHandler {
    private final List<WorkflowProblem> problems;
    private final Set<String> rejected;

    CollectingProblemHandler(List<WorkflowProblem> problems, Set<String> rejected) {
      this.problems = problems;
      this.rejected = rejected;
    }

    private void reject(String pointer, String message) {
      problems.add(new WorkflowProblem(pointer, message));
      rejected.add(pointer);
    }

    @Override
    public boolean handleUnknownProperty(DeserializationContext ctxt, JsonParser p, JsonDeserializer<?> deserializer,
        Object beanOrClass, String propertyName) throws IOException {
      String pointer = p.getParsingContext().pathAsPointer().toString();
      problems.add(new WorkflowProblem(pointer, "unknown field '" + propertyName + "' in " + owner(beanOrClass)
          + " (known fields: " + String.join(", ", deserializer.getKnownPropertyNames().stream().map(Object::toString)
          .sorted().toList()) + ")"));
      p.skipChildren();
      return true;
    }

    @Override
    public Object handleWeirdStringValue(DeserializationContext ctxt, Class<?> targetType, String valueToConvert,
        String failureMsg) {
      String pointer = pointer(ctxt);
      reject(pointer, "invalid " + typeName(targetType) + " '" + valueToConvert + "'"
          + (targetType.isEnum() ? expected(targetType) : forField(pointer)));
      return null;
    }

    @Override
    public Object handleUnexpectedToken(DeserializationContext ctxt, JavaType targetType, JsonToken t, JsonParser p,
        String failureMsg) throws IOException {
      String pointer = pointer(ctxt);
      reject(pointer, "expected " + typeName(targetType.getRawClass()) + forField(pointer) + " but found " + describe(t));
      p.skipChildren();
      return null;
    }

    @Override
    public Object handleMissingInstantiator(DeserializationContext ctxt, Class<?> instClass,
        com.fasterxml.jackson.databind.deser.ValueInstantiator valueInsta, JsonParser p, String msg)
        throws IOException {
      String pointer = pointer(ctxt);
      reject(pointer, "expected " + typeName(instClass) + forField(pointer) + " but found " + describe(p.currentToken()));
      p.skipChildren();
      return null;
    }

    private static String pointer(DeserializationContext ctxt) {
      return ctxt.getParser().getParsingContext().pathAsPointer().toString();
    }

    /** Names the field a value belongs to ({@code for 'prompt'}); a list entry is named by its type alone. */
    private static String forField(String pointer) {
      String last = pointer.substring(pointer.lastIndexOf('/') + 1);
      return last.isEmpty() || last.chars().allMatch(Character::isDigit) ? "" : " for '" + last + "'";
    }

    private static String owner(Object beanOrClass) {
      Class<?> type = beanOrClass instanceof Class<?> c ? c : beanOrClass.getClass();
      return typeName(type);
    }

    private static String typeName(Class<?> type) {
      if (type == String.class) {
        return "text";
      }
      if (List.class.isAssignableFrom(type)) {
        return "a list";
      }
      if (Map.class.isAssignableFrom(type)) {
        return "a mapping";
      }
      if (type == Double.class || type == double.class) {
        return "number";
      }
      // A nested type is named with its owner: Guard.Op reads "guard op".
      // An enum nested in a record (Guard.Op) reads best with its owner's name; a nested record names itself.
      String name = type.isEnum() && type.getEnclosingClass() != null && type.getEnclosingClass().isRecord()
          ? type.getEnclosingClass().getSimpleName() + type.getSimpleName() : type.getSimpleName();
      return name.replaceAll("([a-z])([A-Z])", "$1 $2").toLowerCase(Locale.ROOT);
    }

    private static String expected(Class<?> type) {
      if (!type.isEnum()) {
        return "";
      }
      List<String> names = new ArrayList<>();
      for (Object constant : type.getEnumConstants()) {
        names.add(constant.toString().toLowerCase(Locale.ROOT));
      }
      return ": expected one of " + String.join(", ", names);
    }
  }

  private static String describe(JsonToken token) {
    if (token == null) {
      return "nothing";
    }
    return switch (token) {
      case START_ARRAY -> "a list";
      case START_OBJECT -> "a mapping";
      case VALUE_STRING -> "text";
      case VALUE_NUMBER_INT, VALUE_NUMBER_FLOAT -> "a number";
      case VALUE_TRUE, VALUE_FALSE -> "a boolean";
      case VALUE_NULL -> "null";
      default -> token.toString();
    };
  }

  /** Every problem as one {@code file:line:column: message} line, in file order; equal places keep their order. */
  private static InvalidWorkflowException report(String source, Map<String, JsonLocation> locations,
      List<Placed> found, List<WorkflowProblem> problems) {
    List<Placed> all = new ArrayList<>(found);
    for (WorkflowProblem problem : problems) {
      all.add(new Placed(find(locations, problem.pointer()), problem.message()));
    }
    all.sort(Comparator.comparingInt(Placed::line).thenComparingInt(Placed::column));
    return new InvalidWorkflowException(source, all.stream().map(p -> at(source, p.location()) + p.message()).toList());
  }

  /** Whether a pointer is one of {@code roots} or lies inside one. */
  private static boolean within(String pointer, Set<String> roots) {
    for (String p = pointer == null ? "" : pointer; ; p = p.substring(0, Math.max(0, p.lastIndexOf('/')))) {
      if (roots.contains(p)) {
        return true;
      }
      if (p.isEmpty()) {
        return false;
      }
    }
  }

  private static JsonLocation find(Map<String, JsonLocation> locations, String pointer) {
    String p = pointer == null ? "" : pointer;
    while (true) {
      JsonLocation location = locations.get(p);
      int single = p.lastIndexOf("/0/");
      if (location == null && single >= 0) {
        // A list of one may be written as its only value (next: {to: done, outcome: success}); the file has no "/0".
        location = locations.get(p.substring(0, single) + p.substring(single + 2));
      }
      if (location != null || p.isEmpty()) {
        return location;
      }
      p = p.substring(0, Math.max(0, p.lastIndexOf('/')));
    }
  }

  private static String at(String source, JsonLocation location) {
    if (location == null || location.getLineNr() < 1) {
      return source + ": ";
    }
    return source + ":" + location.getLineNr() + ":" + location.getColumnNr() + ": ";
  }

  /**
   * One line for a parser's complaint. SnakeYAML writes what it was reading and where that began, then what it found
   * and where, each place with a snippet, over several lines; keep what it found, at its own place (the exception's
   * location is only where the parser had got to), then what it was reading and where it began (an unclosed bracket is
   * found a line or more after it was opened). Jackson quotes the JSON source in its marks; keep only line and column.
   */
  private static String malformed(String source, Format format, JsonProcessingException e) {
    String message = e.getOriginalMessage();
    if (message == null) {
      return at(source, e.getLocation()) + "malformed " + format + ": unreadable document";
    }
    message = JSON_MARK.matcher(message).replaceAll("line $1, column $2");
    List<String> said = new ArrayList<>();
    List<Matcher> marks = new ArrayList<>();
    for (String line : message.split("\\R")) {
      if (line.isBlank()) {
        continue;
      }
      if (!Character.isWhitespace(line.charAt(0))) {
        said.add(line.trim());
        marks.add(null);
      } else if (!said.isEmpty() && marks.get(said.size() - 1) == null) {
        Matcher mark = MARK.matcher(line);
        if (mark.find()) {
          marks.set(said.size() - 1, mark);
        }
      }
    }
    if (said.isEmpty()) {
      return at(source, e.getLocation()) + "malformed " + format + ": " + firstLine(message);
    }
    int problem = said.size() > 1 ? 1 : 0;
    Matcher problemMark = marks.get(problem);
    String place = problemMark == null ? at(source, e.getLocation())
        : source + ":" + problemMark.group(1) + ":" + problemMark.group(2) + ": ";
    String text = said.get(problem);
    if (problem == 1) {
      Matcher contextMark = marks.get(0);
      text += " (" + said.get(0)
          + (contextMark == null ? "" : " at line " + contextMark.group(1) + ", column " + contextMark.group(2)) + ")";
    }
    return place + "malformed " + format + ": " + text;
  }

  private static String firstLine(String message) {
    if (message == null) {
      return "unreadable document";
    }
    int newline = message.indexOf('\n');
    return (newline < 0 ? message : message.substring(0, newline)).trim();
  }

  private static InvalidWorkflowException fail(String source, String reason) {
    return new InvalidWorkflowException(source, List.of(source + ": " + reason));
  }
}

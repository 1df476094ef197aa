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
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Reads a workflow in the native format, YAML or JSON, and validates it.
 *
 * <p>Every problem comes back as one line that starts with {@code file:line:column:}: unknown fields (a typo such as
 * {@code nxt:} is an error, never ignored), values of the wrong type, and every rule of {@link WorkflowValidator}.
 * Empty, binary, malformed and oversized files get a one-line error too. The format is chosen by the file extension
 * ({@code .json}, {@code .yaml}, {@code .yml}) and otherwise by the first character. Importers of other formats
 * read their files with {@link #readFile} and {@link #bind}, so that they check and locate problems the same way.
 */
public final class WorkflowLoader {
  /** Hand-written procedures are kilobytes; a file this large is a mistake, not a workflow. */
  public static final long MAX_BYTES = 8L * 1024 * 1024;

  /** The two serialisations of the native model. */
  public enum Format { YAML, JSON }

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
    List<WorkflowProblem> problems = new ArrayList<>(document.problems());
    problems.addAll(WorkflowValidator.validate(document.value()));
    if (!problems.isEmpty()) {
      throw document.failure(problems);
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
   * not a mapping, fails at once with a located one-line message; unknown fields and values of the wrong type are
   * collected as problems so that all of them are reported together.
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
    Map<String, JsonLocation> locations = locate(source, factory, text, notAMapping);
    List<WorkflowProblem> problems = new ArrayList<>();
    T value;
    try {
      value = mapper(factory, problems).readValue(text, type);
    } catch (JsonProcessingException e) {
      throw new InvalidWorkflowException(source, List.of(at(source, e.getLocation()) + firstLine(e.getOriginalMessage())));
    }
    if (value == null) {
      throw fail(source, "the file holds nothing");
    }
    return new Located<>(source, value, problems, locations);
  }

  /**
   * A document bound to a record, with the problems binding found and where each JSON pointer of the document starts,
   * so that problems found later (by validation, or by an importer) are reported at a line and column as well.
   */
  public record Located<T>(String source, T value, List<WorkflowProblem> problems,
      Map<String, JsonLocation> locations) {

    public Located {
      problems = List.copyOf(problems);
      locations = Map.copyOf(locations);
    }

    /**
     * The {@code file:line:column: } prefix for a JSON pointer into the document; a pointer that does not exist (a
     * default, or a field the record does not have) is placed at its nearest existing parent.
     */
    public String at(String pointer) {
      return WorkflowLoader.at(source, find(locations, pointer));
    }

    /** The exception for some problems, each on its own located line. */
    public InvalidWorkflowException failure(List<WorkflowProblem> found) {
      List<String> lines = new ArrayList<>();
      for (WorkflowProblem problem : found) {
        lines.add(at(problem.pointer()) + problem.message());
      }
      return new InvalidWorkflowException(source, lines);
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
      return StandardCharsets.UTF_8.newDecoder()
          .onMalformedInput(CodingErrorAction.REPORT)
          .onUnmappableCharacter(CodingErrorAction.REPORT)
          .decode(ByteBuffer.wrap(bytes))
          .toString();
    } catch (CharacterCodingException e) {
      throw fail(source, "not a UTF-8 text file");
    }
  }

  private static JsonFactory factory(Format format) {
    JsonFactory factory = format == Format.JSON ? new JsonFactory() : new YAMLFactory();
    factory.setStreamReadConstraints(StreamReadConstraints.builder().maxNestingDepth(64).build());
    // A key given twice would otherwise silently keep the last value: a node defined twice, a field overwritten.
    factory.enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION);
    return factory;
  }

  /** Walks the document once and remembers where each JSON pointer starts, for messages about the parsed records. */
  private static Map<String, JsonLocation> locate(String source, JsonFactory factory, String text,
      String notAMapping) throws InvalidWorkflowException {
    Map<String, JsonLocation> locations = new HashMap<>();
    try (JsonParser parser = factory.createParser(text)) {
      JsonToken first = parser.nextToken();
      if (first != JsonToken.START_OBJECT) {
        throw new InvalidWorkflowException(source, List.of(at(source, parser.currentTokenLocation())
            + notAMapping + ", but the document starts with " + describe(first)));
      }
      locations.put("", parser.currentTokenLocation());
      for (JsonToken token = parser.nextToken(); token != null; token = parser.nextToken()) {
        if (token != JsonToken.END_OBJECT && token != JsonToken.END_ARRAY) {
          String pointer = parser.getParsingContext().pathAsPointer().toString();
          locations.putIfAbsent(pointer, parser.currentTokenLocation());
        }
      }
    } catch (JsonProcessingException e) {
      throw new InvalidWorkflowException(source, List.of(at(source, e.getLocation())
          + "malformed document: " + firstLine(e.getOriginalMessage())));
    } catch (IOException e) {
      throw fail(source, "cannot read the document: " + e.getMessage());
    }
    return locations;
  }

  private static ObjectMapper mapper(JsonFactory factory, List<WorkflowProblem> problems) {
    ObjectMapper mapper = new ObjectMapper(factory)
        .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
        .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
        .enable(DeserializationFeature.FAIL_ON_READING_DUP_TREE_KEY);
    mapper.addHandler(new CollectingProblemHandler(problems));
    return mapper;
  }

  /** Turns field and value mistakes into problems, so that all of them are reported and parsing goes on. */
  private static final class CollectingProblemHandler extends DeserializationProblemHandler {
    private final List<WorkflowProblem> problems;

    CollectingProblemHandler(List<WorkflowProblem> problems) {
      this.problems = problems;
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
      problems.add(new WorkflowProblem(pointer(ctxt), "invalid " + typeName(targetType) + " '" + valueToConvert + "'"
          + expected(targetType)));
      return null;
    }

    @Override
    public Object handleUnexpectedToken(DeserializationContext ctxt, JavaType targetType, JsonToken t, JsonParser p,
        String failureMsg) throws IOException {
      problems.add(new WorkflowProblem(pointer(ctxt), "expected " + typeName(targetType.getRawClass()) + " but found "
          + describe(t)));
      p.skipChildren();
      return null;
    }

    @Override
    public Object handleMissingInstantiator(DeserializationContext ctxt, Class<?> instClass,
        com.fasterxml.jackson.databind.deser.ValueInstantiator valueInsta, JsonParser p, String msg)
        throws IOException {
      problems.add(new WorkflowProblem(pointer(ctxt), "expected " + typeName(instClass) + " but found "
          + describe(p.currentToken())));
      p.skipChildren();
      return null;
    }

    private static String pointer(DeserializationContext ctxt) {
      return ctxt.getParser().getParsingContext().pathAsPointer().toString();
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
      return type.getSimpleName().replaceAll("([a-z])([A-Z])", "$1 $2").toLowerCase(Locale.ROOT);
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

  private static JsonLocation find(Map<String, JsonLocation> locations, String pointer) {
    String p = pointer == null ? "" : pointer;
    while (true) {
      JsonLocation location = locations.get(p);
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

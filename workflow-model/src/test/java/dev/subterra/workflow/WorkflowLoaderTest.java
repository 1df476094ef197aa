package dev.subterra.workflow;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import dev.subterra.workflow.WorkflowLoader.Format;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link WorkflowLoader}: files and formats, parse errors, field and value mistakes, and the shape of its report (one
 * {@code file:line:column: message} line per problem, all of them, in file order). The semantic rules are in
 * {@link WorkflowValidatorTest}.
 */
class WorkflowLoaderTest {
  private static final Pattern LOCATED = Pattern.compile("^w\\.yaml:(\\d+):(\\d+): .+");

  @TempDir Path dir;

  /** A workflow with every node kind, every slot type, a knowledge base, guards and personas. */
  static final String FULL = """
      id: travel-booking
      name: Travel booking
      description: Book a trip end to end.
      start: greet
      personas: [decisive, indecisive, budget_conscious]
      slots:
        destination: {type: enum, values: [Lisbon, Kyoto, Reykjavik]}
        depart_date: {type: date, values: [2026-03-14, 2026-05-02]}
        travellers: {type: number, description: Party size, min: 1, max: 6}
        budget: {type: number, values: ["500", "1200.50"]}
        traveller_name: {type: string, values: [Ana Souza, Kenji Ito]}
        notes: {type: text, values: ["window seat please"]}
        booking_ref: {type: string, values: [BK-20931, BK-77120]}
      knowledge:
        - {id: baggage, question: "How many bags are included?", answer: One 23 kg checked bag per traveller.}
        - {id: change_fee, key: change fee, value: 50 EUR per booking}
      nodes:
        - id: greet
          kind: agent
          description: Opening turn.
          prompt: Greet the customer and ask where they want to go.
          templates:
            - "Hi! Where would you like to travel?"
          next: ask_destination
        - id: ask_destination
          kind: user
          prompt: Say where you want to go, when, and for how many people.
          templates: ["I'd like to go to {destination} on {depart_date}, {travellers} of us. I'm {traveller_name}."]
          next: check_group
        - id: check_group
          kind: decision
          description: Large parties go to the group desk.
          next:
            - to: group_desk
              when: the party is larger than four
              guard: {slot: travellers, op: gt, value: "4"}
            - to: search
              when: the party is four or fewer
              guard: {slot: travellers, op: le, value: "4"}
        - id: search
          kind: tool
          description: Look up flights.
          tool:
            name: search_flights
            arguments: {destination: destination, date: depart_date, party: travellers}
            returns: [booking_ref]
          next:
            - {to: offer, outcome: success}
            - {to: no_flights, outcome: not_found}
        - id: offer
          kind: agent
          prompt: Offer the flight and state the baggage allowance and the change fee.
          templates: ["Booked: {booking_ref}. One checked bag is included; changes cost 50 EUR."]
          cites: [baggage, change_fee]
          next: reply
        - id: reply
          kind: user
          prompt: Accept, or give up.
          next:
            - {to: booked, when: the customer accepts, guard: {slot: destination, op: in, values: [Lisbon, Kyoto]}}
            - {to: abandoned, when: the customer gives up, guard: {slot: destination, op: eq, value: Reykjavik}}
            - {to: abandoned, when: the customer wants no notes, guard: {slot: notes, op: absent}}
        - id: no_flights
          kind: agent
          prompt: Apologise that there are no flights.
          next: abandoned
        - id: group_desk
          kind: terminal
          description: Handed to a person.
          outcome: escalation
        - id: booked
          kind: terminal
          outcome: success
        - id: abandoned
          kind: terminal
          outcome: abandonment
      """;

  private static Workflow parse(String text, Format format) throws InvalidWorkflowException {
    return WorkflowLoader.parse("w." + format.name().toLowerCase(), text.getBytes(UTF_8), format);
  }

  /** The exception for a workflow that must be rejected. */
  private static InvalidWorkflowException rejection(String name, byte[] bytes, Format format) {
    try {
      WorkflowLoader.parse(name, bytes, format);
    } catch (InvalidWorkflowException e) {
      return e;
    }
    return fail("expected %s to be rejected", name);
  }

  private static List<String> problems(String yaml) {
    return rejection("w.yaml", yaml.getBytes(UTF_8), Format.YAML).problems();
  }

  private static InvalidWorkflowException rejection(Path file) {
    try {
      WorkflowLoader.load(file);
    } catch (InvalidWorkflowException e) {
      return e;
    }
    return fail("expected %s to be rejected", file);
  }

  private Path write(String name, String text) throws IOException {
    return Files.writeString(dir.resolve(name), text);
  }

  @Nested
  class ValidWorkflow {
    @Test
    void loadsWithEveryPart() throws Exception {
      Workflow w = WorkflowLoader.load(write("travel.yaml", FULL));

      assertThat(w.id()).isEqualTo("travel-booking");
      assertThat(w.start()).isEqualTo("greet");
      assertThat(w.personas()).containsExactly("decisive", "indecisive", "budget_conscious");
      assertThat(w.slots().keySet()).containsExactly(
          "destination", "depart_date", "travellers", "budget", "traveller_name", "notes", "booking_ref");
      assertThat(w.slots().values()).extracting(Slot::type).containsOnly(SlotType.values());
      assertThat(w.slots().get("travellers")).isEqualTo(new Slot(SlotType.NUMBER, "Party size", List.of(), 1.0, 6.0));
      assertThat(w.knowledge()).extracting(Fact::statement)
          .containsExactly("One 23 kg checked bag per traveller.", "50 EUR per booking");
      for (NodeKind kind : NodeKind.values()) {
        assertThat(w.count(kind)).as(kind.wireName()).isPositive();
      }
      assertThat(w.node("check_group").orElseThrow().next()).extracting(Edge::guard)
          .containsExactly(new Guard("travellers", Guard.Op.GT, "4", null),
              new Guard("travellers", Guard.Op.LE, "4", null));
      assertThat(w.node("search").orElseThrow().tool().arguments().keySet())
          .containsExactly("destination", "date", "party");
      assertThat(w.node("ask_destination").orElseThrow().next()).containsExactly(Edge.to("check_group"));
    }

    @Test
    void roundTripsThroughYamlAndJson() throws Exception {
      Workflow w = parse(FULL, Format.YAML);

      Workflow fromYaml = parse(WorkflowCodec.toYaml(w), Format.YAML);
      Workflow fromJson = parse(WorkflowCodec.toJson(w), Format.JSON);
      Workflow fromPrettyJson = parse(WorkflowCodec.toPrettyJson(w), Format.JSON);

      assertThat(fromYaml).isEqualTo(w);
      assertThat(fromJson).isEqualTo(w);
      assertThat(fromPrettyJson).isEqualTo(w);
      assertThat(WorkflowCodec.toJson(fromYaml)).isEqualTo(WorkflowCodec.toJson(w));
    }

    @Test
    void contentHashIsStableAndFollowsTheContent() throws Exception {
      Workflow w = parse(FULL, Format.YAML);
      Workflow copy = parse(WorkflowCodec.toYaml(w), Format.YAML);
      Workflow reformatted = parse("# Travel booking, reformatted\n" + FULL
          .replace("personas: [decisive, indecisive, budget_conscious]",
              "personas:   # user styles\n  - decisive\n  - indecisive\n  - 'budget_conscious'")
          .replace("kind: terminal", "kind: \"terminal\""), Format.YAML);
      Workflow retemplated = parse(FULL.replace("Hi! Where would you like to travel?", "Hello! Where to?"),
          Format.YAML);

      assertThat(WorkflowCodec.contentHash(w)).matches("[0-9a-f]{64}")
          .isEqualTo(WorkflowCodec.contentHash(copy))
          .isEqualTo(WorkflowCodec.contentHash(reformatted))
          .isNotEqualTo(WorkflowCodec.contentHash(retemplated));
    }

    @Test
    void byteOrderMarkIsIgnored() throws Exception {
      String json = WorkflowCodec.toJson(parse(FULL, Format.YAML));

      assertThat(parse("\uFEFF" + json, Format.JSON)).isEqualTo(parse(json, Format.JSON));
      assertThat(parse("\uFEFF" + FULL, Format.YAML)).isEqualTo(parse(FULL, Format.YAML));
    }

    @Test
    void trailingDocumentMarkerIsHarmless() throws Exception {
      assertThat(parse(FULL + "---\n", Format.YAML)).isEqualTo(parse(FULL, Format.YAML));
    }
  }

  @Nested
  class FileLevel {
    @Test
    void missingFile() {
      Path file = dir.resolve("nope.yaml");

      assertThat(rejection(file).problems()).containsExactly(file + ": no such file");
    }

    @Test
    void emptyFile() throws IOException {
      Path file = write("w.yaml", "");

      assertThat(rejection(file).problems()).containsExactly(file + ": the file is empty");
    }

    @Test
    void whitespaceOnlyFile() throws IOException {
      Path file = write("w.yaml", " \n\t\n  \r\n");

      assertThat(rejection(file).problems()).containsExactly(file + ": the file is empty");
    }

    @Test
    void commentsOnlyOrAnEmptyDocument() {
      for (String text : List.of("# just a comment\n", "---\n", "---\n...\n", "~\n")) {
        assertThat(rejection("w.yaml", text.getBytes(UTF_8), Format.YAML).problems()).as(text)
            .containsExactly("w.yaml: the file holds no workflow, only comments or an empty document");
      }
    }

    @Test
    void binaryFileWithNulBytes() throws IOException {
      Path file = Files.write(dir.resolve("w.yaml"), new byte[] {'i', 'd', ':', ' ', 'w', '\n', 0, 1, 2});

      assertThat(rejection(file).problems()).containsExactly(file + ": not a text file (a NUL byte at offset 6)");
    }

    @Test
    void invalidUtf8() throws IOException {
      Path file = Files.write(dir.resolve("w.yaml"), new byte[] {'i', 'd', ':', ' ', (byte) 0xC3, '(', '\n'});

      assertThat(rejection(file).problems()).containsExactly(file + ": not a UTF-8 text file");
    }

    @Test
    void oversizedFileIsRejectedBeforeItIsRead() throws IOException {
      Path file = dir.resolve("w.yaml");
      try (RandomAccessFile sparse = new RandomAccessFile(file.toFile(), "rw")) {
        sparse.setLength(WorkflowLoader.MAX_BYTES + 1); // sparse: no 8 MiB is written
      }

      assertThat(rejection(file).problems()).containsExactly(
          file + ": file is 8388609 bytes, more than the 8388608-byte limit for a workflow");
    }

    @Test
    void fileOfExactlyTheLimitIsRead() throws IOException {
      Path file = dir.resolve("w.yaml");
      try (RandomAccessFile sparse = new RandomAccessFile(file.toFile(), "rw")) {
        sparse.setLength(WorkflowLoader.MAX_BYTES); // all NUL bytes: read, then refused as binary
      }

      assertThat(rejection(file).problems()).containsExactly(file + ": not a text file (a NUL byte at offset 0)");
    }

    @Test
    void messageNamesTheFile() throws IOException {
      Path file = write("trip.yaml", "id: w\nstart: a\nnodes: []\n");

      InvalidWorkflowException e = rejection(file);

      assertThat(e.source()).isEqualTo(file.toString());
      assertThat(e.problems()).containsExactly(file + ":3:1: the workflow has no nodes");
      assertThat(e.getMessage()).isEqualTo("Invalid workflow " + file + ": 1 problem" + System.lineSeparator()
          + file + ":3:1: the workflow has no nodes");
    }
  }

  @Nested
  class Formats {
    @Test
    void formatFollowsTheExtension() {
      byte[] json = "{\"id\": \"w\"}".getBytes(UTF_8);
      byte[] yaml = "id: w\n".getBytes(UTF_8);

      assertThat(WorkflowLoader.formatOf("w.json", yaml)).isEqualTo(Format.JSON);
      assertThat(WorkflowLoader.formatOf("W.JSON", yaml)).isEqualTo(Format.JSON);
      assertThat(WorkflowLoader.formatOf("w.yaml", json)).isEqualTo(Format.YAML);
      assertThat(WorkflowLoader.formatOf("w.yml", json)).isEqualTo(Format.YAML);
      assertThat(WorkflowLoader.formatOf("w.Yaml", json)).isEqualTo(Format.YAML);
    }

    @Test
    void withoutAKnownExtensionTheFirstCharacterDecides() {
      assertThat(WorkflowLoader.formatOf("w.txt", " \n {\"id\": \"w\"}".getBytes(UTF_8))).isEqualTo(Format.JSON);
      assertThat(WorkflowLoader.formatOf("workflow", "id: w\n".getBytes(UTF_8))).isEqualTo(Format.YAML);
      assertThat(WorkflowLoader.formatOf("workflow", new byte[0])).isEqualTo(Format.YAML);
    }

    @Test
    void jsonFileLoads() throws Exception {
      Workflow expected = parse(FULL, Format.YAML);
      Path file = write("travel.json", WorkflowCodec.toPrettyJson(expected));

      assertThat(WorkflowLoader.load(file)).isEqualTo(expected);
    }

    @Test
    void jsonContentWithoutExtensionLoads() throws Exception {
      Workflow expected = parse(FULL, Format.YAML);
      Path file = write("travel", WorkflowCodec.toJson(expected));

      assertThat(WorkflowLoader.load(file)).isEqualTo(expected);
    }

    @Test
    void yamlInAJsonFileIsParsedAsJson() throws IOException {
      Path file = write("travel.json", FULL);

      assertThat(rejection(file).problems()).singleElement().asString()
          .startsWith(file + ":1:3: malformed JSON: Unrecognized token 'id'");
    }

    @Test
    void ymlExtensionIsYaml() throws Exception {
      assertThat(WorkflowLoader.load(write("travel.yml", FULL))).isEqualTo(parse(FULL, Format.YAML));
    }

    @Test
    void jsonProblemsAreLocatedToo() {
      String json = """
          {"id": "w", "start": "a",
           "nodes": [
             {"id": "a", "kind": "terminal", "outcome": "success", "nxt": "a"},
             {"id": "b", "kind": "agnet"}
           ]}
          """;

      assertThat(rejection("w.json", json.getBytes(UTF_8), Format.JSON).problems()).containsExactly(
          "w.json:3:58: unknown field 'nxt' in node (known fields: cites, description, id, kind, next, outcome,"
              + " prompt, templates, tool)",
          "w.json:4:4: node 'b' is unreachable from start node 'a'",
          "w.json:4:16: invalid node kind 'agnet': expected one of agent, user, decision, tool, terminal");
    }
  }

  @Nested
  class Malformed {
    /** A parse error is one line, with a place, and nothing of the parser's multi-line report or stack trace. */
    private void assertOneCleanLine(InvalidWorkflowException e) {
      assertThat(e.problems()).singleElement().asString()
          .doesNotContain("\n", "\r", "Exception", "\tat ", "in 'reader'", "^", "[Source");
      assertThat(e.getMessage().lines()).hasSize(2);
    }

    @Test
    void unclosedBracketInYaml() {
      InvalidWorkflowException e = rejection("w.yaml", """
          id: w
          start: a
          nodes: [a, b
          description: never closed
          """.getBytes(UTF_8), Format.YAML);

      assertOneCleanLine(e);
      assertThat(e.problems()).containsExactly("w.yaml:4:12: malformed YAML: expected ',' or ']', but got :"
          + " (while parsing a flow sequence at line 3, column 8)");
    }

    @Test
    void tabIndentationInYaml() {
      InvalidWorkflowException e = rejection("w.yaml", "id: w\nnodes:\n\t- id: a\n".getBytes(UTF_8), Format.YAML);

      assertOneCleanLine(e);
      assertThat(e.problems().get(0)).startsWith("w.yaml:3:1: malformed YAML: found character '\\t(TAB)' that cannot"
          + " start any token");
    }

    @Test
    void unquotedQuestionMarkInAFlowMapping() {
      InvalidWorkflowException e = rejection("w.yaml", """
          id: w
          knowledge:
            - {id: bags, question: How many bags?, answer: One.}
          """.getBytes(UTF_8), Format.YAML);

      assertOneCleanLine(e);
      assertThat(e.problems().get(0)).startsWith("w.yaml:3:39: malformed YAML: ")
          .endsWith("(while parsing a flow mapping at line 3, column 5)");
    }

    @Test
    void trailingCommaInJson() {
      InvalidWorkflowException e = rejection("w.json",
          "{\"id\": \"w\", \"nodes\": [{\"id\": \"a\"},]}".getBytes(UTF_8), Format.JSON);

      assertOneCleanLine(e);
      assertThat(e.problems()).singleElement().asString()
          .startsWith("w.json:1:36: malformed JSON: Unexpected character (']' (code 93))"); // Jackson: just past it
    }

    @Test
    void unclosedArrayInJsonNamesWhereItOpened() {
      InvalidWorkflowException e = rejection("w.json", """
          {"id": "w", "start": "a",
           "nodes": [ {"id": "a", "kind": "terminal", "outcome": "success"}
          """.getBytes(UTF_8), Format.JSON);

      assertOneCleanLine(e);
      assertThat(e.problems()).containsExactly("w.json:3:1: malformed JSON: Unexpected end-of-input: expected close"
          + " marker for Array (start marker at line 2, column 11)");
    }

    @Test
    void documentThatIsAList() {
      assertThat(problems("- id: a\n- id: b\n")).containsExactly(
          "w.yaml:1:1: a workflow must be a mapping with id, start and nodes, but the document is a list");
    }

    @Test
    void documentThatIsAScalar() {
      assertThat(problems("just some text\n")).containsExactly(
          "w.yaml:1:1: a workflow must be a mapping with id, start and nodes, but the document is text");
      assertThat(rejection("w.json", "42".getBytes(UTF_8), Format.JSON).problems()).containsExactly(
          "w.json:1:1: a workflow must be a mapping with id, start and nodes, but the document is a number");
    }

    @Test
    void secondYamlDocument() {
      // Reported where the second document's content starts, the line after its "---".
      assertThat(problems(FULL + "---\nid: other\n")).containsExactly(
          "w.yaml:" + (FULL.lines().count() + 2) + ":1: a second document follows the workflow: a file holds exactly one workflow");
    }

    @Test
    void secondJsonValue() {
      String json = "{\"id\": \"w\", \"start\": \"a\", \"nodes\": [{\"id\": \"a\", \"kind\": \"terminal\","
          + " \"outcome\": \"success\"}]}\n{}\n";

      assertThat(rejection("w.json", json.getBytes(UTF_8), Format.JSON).problems())
          .containsExactly("w.json:2:1: a second document follows the workflow: a file holds exactly one workflow");
    }
  }

  @Nested
  class FieldsAndValues {
    @Test
    void unknownFieldInANodeListsTheKnownFields() {
      assertThat(problems("""
          id: w
          start: a
          nodes:
            - id: a
              kind: agent
              prompt: Hi.
              nxt: done
              next: done
            - {id: done, kind: terminal, outcome: success}
          """)).containsExactly("w.yaml:7:5: unknown field 'nxt' in node (known fields: cites, description, id, kind,"
          + " next, outcome, prompt, templates, tool)");
    }

    @Test
    void unknownTopLevelField() {
      assertThat(problems("""
          id: w
          start: a
          colour: blue
          nodes:
            - {id: a, kind: terminal, outcome: success}
          """)).containsExactly("w.yaml:3:1: unknown field 'colour' in workflow (known fields: description, id,"
          + " knowledge, name, nodes, personas, slots, start)");
    }

    @Test
    void unknownFieldsDeeperDown() {
      assertThat(problems("""
          id: w
          start: t
          slots:
            q: {type: string, values: [x], default: x}
          knowledge:
            - {id: f, key: k, value: v, source: manual}
          nodes:
            - id: t
              kind: tool
              tool: {name: search, args: {query: q}}
              next:
                - {to: done, outcome: success, weight: 2}
            - {id: done, kind: terminal, outcome: success}
          """)).containsExactly(
          "w.yaml:4:34: unknown field 'default' in slot (known fields: description, format, generate, max, min, phrasings, type, values)",
          "w.yaml:6:31: unknown field 'source' in fact (known fields: answer, id, key, question, value)",
          "w.yaml:10:26: unknown field 'args' in tool call (known fields: arguments, name, returns)",
          "w.yaml:12:38: unknown field 'weight' in edge (known fields: guard, outcome, to, when)");
    }

    @Test
    void invalidNodeKindIsReportedOnceWithTheExpectedValues() {
      assertThat(problems("""
          id: w
          start: a
          nodes:
            - id: a
              kind: agnet
              prompt: Hi.
              next: done
            - {id: done, kind: terminal, outcome: success}
          """)).containsExactly(
          "w.yaml:5:5: invalid node kind 'agnet': expected one of agent, user, decision, tool, terminal");
    }

    @Test
    void otherInvalidEnumValuesAreReportedOnceToo() {
      assertThat(problems("""
          id: w
          start: d
          slots:
            n: {type: integer, values: ["1"]}
          nodes:
            - id: d
              kind: decision
              next:
                - {to: done, when: big, guard: {slot: n, op: bigger, value: "3"}}
                - {to: done, when: small}
            - id: done
              kind: terminal
              outcome: finished
          """)).containsExactly(
          "w.yaml:4:7: invalid slot type 'integer': expected one of string, number, date, enum, text",
          "w.yaml:9:48: invalid guard op 'bigger': expected one of eq, ne, lt, le, gt, ge, in, not_in, present, absent",
          "w.yaml:13:5: invalid terminal outcome 'finished': expected one of success, abandonment, escalation");
    }

    @Test
    void valueOfTheWrongShapeNamesTheFieldAndIsReportedOnce() {
      // min reads as absent after 'few' is rejected: no "needs both min and max" at the same place.
      assertThat(problems("""
          id: w
          start: a
          slots:
            n: {type: number, min: few, max: 3}
          nodes:
            - id: a
              kind: agent
              prompt: [Hi., Hello.]
              next: done
            - id: done
              kind: terminal
              outcome: success
              tool: search
          """)).containsExactly(
          "w.yaml:4:21: invalid number 'few' for 'min'",
          "w.yaml:8:5: expected text for 'prompt' but found a list",
          "w.yaml:13:5: expected tool call for 'tool' but found text");
    }

    @Test
    void problemInsideASingleEdgeWrittenWithoutAListIsLocatedAtIt() {
      assertThat(problems("""
          id: w
          start: t
          nodes:
            - id: t
              kind: tool
              tool: {name: book}
              next: {to: done, outcome: success, guard: {slot: nope, op: present}}
            - {id: done, kind: terminal, outcome: success}
          """)).containsExactly("w.yaml:7:48: node 't' guard names undeclared slot 'nope'");
    }

    @Test
    void wrongShapeOfATopLevelField() {
      assertThat(problems("""
          id: w
          start: a
          slots: [a, b]
          nodes: a
          """)).containsExactly(
          "w.yaml:3:1: expected a mapping for 'slots' but found a list",
          "w.yaml:4:1: expected a list for 'nodes' but found text");
    }

    @Test
    void nodeWrittenAsTextIsReportedWithTheProblemsBeforeIt() {
      assertThat(problems("""
          id: [w]
          start: a
          nodes:
            - a
            - {id: a, kind: terminal, outcome: success}
          """)).containsExactly(
          "w.yaml:1:1: expected text for 'id' but found a list",
          "w.yaml:4:5: expected node but found text");
    }

    @Test
    void emptyListEntries() {
      assertThat(problems("""
          id: w
          start: a
          nodes:
            - id: a
              kind: agent
              templates: ["Hi.", ~]
              next: [done, null]
            -
            - {id: done, kind: terminal, outcome: success}
          """)).containsExactly(
          "w.yaml:6:24: empty list entry: give it a value or remove it",
          "w.yaml:7:18: empty list entry: give it a value or remove it",
          "w.yaml:8:4: empty list entry: give it a value or remove it");
    }

    @Test
    void duplicateKeysAreReportedAndTheLastValueIsTheOneLocated() {
      assertThat(problems("""
          id: w
          start: a
          slots:
            s: {type: string, values: [x]}
            s: {type: enum}
          nodes:
            - id: a
              kind: terminal
              outcome: success
              outcome: abandonment
          start: b
          """)).containsExactly(
          "w.yaml:5:3: duplicate key 's' (first given at line 4, column 3): a key may appear only once in a mapping",
          "w.yaml:5:3: slot 's' has no values: give a pool of example values",
          "w.yaml:10:5: duplicate key 'outcome' (first given at line 9, column 5): a key may appear only once in a"
              + " mapping",
          "w.yaml:11:1: duplicate key 'start' (first given at line 2, column 1): a key may appear only once in a"
              + " mapping",
          "w.yaml:11:1: start node 'b' is not a node of this workflow");
    }
  }

  @Nested
  class Report {
    private static final String MANY = """
        id: ../w
        start: nowhere
        slots:
          dest: {type: enum}
        nodes:
          - id: a
            kind: agnet
            prompt: Hi {who}.
            next: b
          - id: b
            kind: decision
            next: [c]
          - id: c
            kind: terminal
            outcome: success
            nxt: a
          - id: c
            kind: user
        colour: blue
        """;

    @Test
    void everyProblemIsReportedOnItsOwnLine() {
      InvalidWorkflowException e = rejection("w.yaml", MANY.getBytes(UTF_8), Format.YAML);

      assertThat(e.problems()).containsExactly(
          "w.yaml:1:1: invalid workflow id '../w': use letters, digits, '_', '-' and '.', starting with a letter or"
              + " digit, at most 80 characters",
          "w.yaml:2:1: start node 'nowhere' is not a node of this workflow",
          "w.yaml:4:3: slot 'dest' has no values: give a pool of example values",
          "w.yaml:7:5: invalid node kind 'agnet': expected one of agent, user, decision, tool, terminal",
          "w.yaml:12:5: node 'b' is a decision with 1 edge(s): a decision needs at least two",
          "w.yaml:12:12: node 'b' is a decision: edge to 'c' needs a 'when' or a 'guard'",
          "w.yaml:16:5: unknown field 'nxt' in node (known fields: cites, description, id, kind, next, outcome,"
              + " prompt, templates, tool)",
          "w.yaml:17:5: duplicate node id 'c' (first defined as node #3)",
          "w.yaml:17:5: node 'c' (user) has neither a prompt nor templates, so no teacher can write its turn",
          "w.yaml:17:5: node 'c' has no way out: give it 'next' or make it a terminal",
          "w.yaml:19:1: unknown field 'colour' in workflow (known fields: description, id, knowledge, name, nodes,"
              + " personas, slots, start)");
      assertThat(e.getMessage().split("\\R")).hasSize(1 + e.problems().size())
          .startsWith("Invalid workflow w.yaml: 11 problems");
      assertThat(e.getMessage()).contains(String.join(System.lineSeparator(), e.problems()));
    }

    @Test
    void problemsAreSortedByLineThenColumn() {
      List<String> problems = problems(MANY);

      List<int[]> places = new ArrayList<>();
      for (String problem : problems) {
        Matcher m = LOCATED.matcher(problem);
        assertThat(m.matches()).as(problem).isTrue();
        places.add(new int[] {Integer.parseInt(m.group(1)), Integer.parseInt(m.group(2))});
      }
      assertThat(places).isSortedAccordingTo(
          Comparator.<int[]>comparingInt(p -> p[0]).thenComparingInt(p -> p[1]));
    }

    @Test
    void problemsAtOnePlaceKeepTheirOrder() {
      assertThat(problems("""
          id: w
          start: a
          nodes:
            - id: a
              kind: agent
              prompt: Hi.
              next: done
            - id: stuck
              kind: user
              prompt: Hm.
            - {id: done, kind: terminal, outcome: success}
          """)).containsExactly(
          "w.yaml:8:5: node 'stuck' has no way out: give it 'next' or make it a terminal",
          "w.yaml:8:5: node 'stuck' is unreachable from start node 'a'");
    }
  }
}

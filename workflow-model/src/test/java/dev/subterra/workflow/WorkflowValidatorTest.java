package dev.subterra.workflow;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import dev.subterra.workflow.WorkflowLoader.Format;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Every rule of {@link WorkflowValidator}, each with a small broken workflow. The workflows go through
 * {@link WorkflowLoader#parse} so that each test pins the whole reported line: {@code file:line:column: message}.
 * {@code containsExactly} also pins that a mistake is reported once, and without knock-on problems.
 */
class WorkflowValidatorTest {

  /** The problems the loader reports for a workflow that must be rejected, one {@code w.yaml:line:col: ...} each. */
  static List<String> problems(String yaml) {
    try {
      WorkflowLoader.parse("w.yaml", yaml.getBytes(UTF_8), Format.YAML);
    } catch (InvalidWorkflowException e) {
      return e.problems();
    }
    return fail("expected the workflow to be rejected:%n%s", yaml);
  }

  @Test
  void minimalWorkflowIsValid() throws InvalidWorkflowException {
    Workflow w = WorkflowLoader.parse("w.yaml", """
        id: w
        start: a
        nodes:
          - id: a
            kind: agent
            prompt: Say hello.
            next: done
          - id: done
            kind: terminal
            outcome: success
        """.getBytes(UTF_8), Format.YAML);

    assertThat(WorkflowValidator.validate(w)).isEmpty();
  }

  @Nested
  class Graph {
    @Test
    void unknownStart() {
      assertThat(problems("""
          id: w
          start: nowhere
          nodes:
            - id: done
              kind: terminal
              outcome: success
          """)).containsExactly("w.yaml:2:1: start node 'nowhere' is not a node of this workflow");
    }

    @Test
    void missingStartIsReportedAtTheTopOfTheDocument() {
      assertThat(problems("""
          id: w
          nodes:
            - id: done
              kind: terminal
              outcome: success
          """)).containsExactly("w.yaml:1:1: missing field 'start': name the node where conversations begin");
    }

    @Test
    void danglingEdgeTargetIsReportedAtTheTarget() {
      assertThat(problems("""
          id: w
          start: a
          nodes:
            - id: a
              kind: agent
              prompt: Hi.
              next: [done, nowhere]
            - id: done
              kind: terminal
              outcome: success
          """)).containsExactly("w.yaml:7:18: node 'a' edge 1 points to unknown node 'nowhere'");
    }

    @Test
    void danglingOnlyEdgeIsNotAlsoCalledADeadEndTrap() {
      // 'a' and 'b' have no edge that reaches a terminal, but only because of the typo; that is the one problem.
      assertThat(problems("""
          id: w
          start: a
          nodes:
            - id: a
              kind: agent
              prompt: Hi.
              next: b
            - id: b
              kind: user
              prompt: Answer.
              next: dnoe
            - id: done
              kind: terminal
              outcome: success
          """)).containsExactly(
              "w.yaml:11:5: node 'b' edge 0 points to unknown node 'dnoe'",
              "w.yaml:12:5: node 'done' is unreachable from start node 'a'");
    }

    @Test
    void unreachableNode() {
      assertThat(problems("""
          id: w
          start: a
          nodes:
            - id: a
              kind: agent
              prompt: Hi.
              next: done
            - id: lost
              kind: agent
              prompt: Nobody gets here.
              next: done
            - id: done
              kind: terminal
              outcome: success
          """)).containsExactly("w.yaml:8:5: node 'lost' is unreachable from start node 'a'");
    }

    @Test
    void nonTerminalNodeWithoutAWayOut() {
      assertThat(problems("""
          id: w
          start: a
          nodes:
            - id: a
              kind: agent
              prompt: Hi.
              next: [stuck, done]
            - id: stuck
              kind: user
              prompt: Say anything.
            - id: done
              kind: terminal
              outcome: success
          """)).containsExactly("w.yaml:8:5: node 'stuck' has no way out: give it 'next' or make it a terminal");
    }

    @Test
    void deadEndTrapReportsEveryNodeOfTheCycle() {
      assertThat(problems("""
          id: w
          start: a
          nodes:
            - id: a
              kind: agent
              prompt: Hi.
              next: [b, done]
            - id: b
              kind: user
              prompt: Ask again.
              next: c
            - id: c
              kind: agent
              prompt: Answer again.
              next: b
            - id: done
              kind: terminal
              outcome: success
          """)).containsExactly(
              "w.yaml:8:5: node 'b' is a dead-end trap: every way out of it loops back without reaching a terminal",
              "w.yaml:12:5: node 'c' is a dead-end trap: every way out of it loops back without reaching a terminal");
    }

    @Test
    void cycleWithAnEscapeIsFine() throws InvalidWorkflowException {
      Workflow w = WorkflowLoader.parse("w.yaml", """
          id: w
          start: a
          nodes:
            - id: a
              kind: agent
              prompt: Anything else?
              next: b
            - id: b
              kind: user
              prompt: Answer.
              next:
                - {to: a, when: the user has another question}
                - {to: done, when: the user is done}
            - id: done
              kind: terminal
              outcome: success
          """.getBytes(UTF_8), Format.YAML);

      assertThat(w.nodes()).hasSize(3);
    }

    @Test
    void noTerminalAtAllIsOneProblemNotATrapPerNode() {
      assertThat(problems("""
          id: w
          start: a
          nodes:
            - id: a
              kind: agent
              prompt: Hi.
              next: b
            - id: b
              kind: user
              prompt: Hello.
              next: a
          """)).containsExactly("w.yaml:3:1: the workflow has no terminal node, so no conversation can end");
    }

    @Test
    void noNodes() {
      assertThat(problems("""
          id: w
          start: a
          nodes: []
          """)).containsExactly("w.yaml:3:1: the workflow has no nodes");
    }

    @Test
    void missingNodesListIsReportedAsNoNodes() {
      assertThat(problems("""
          id: w
          start: a
          """)).containsExactly("w.yaml:1:1: the workflow has no nodes");
    }

    @Test
    void twoUnconditionalEdgesToTheSameNode() {
      assertThat(problems("""
          id: w
          start: a
          nodes:
            - id: a
              kind: agent
              prompt: Hi.
              next: [done, done]
            - id: done
              kind: terminal
              outcome: success
          """)).containsExactly("w.yaml:7:18: node 'a' has two unconditional edges to 'done'");
    }
  }

  @Nested
  class Decisions {
    @Test
    void decisionWithFewerThanTwoEdges() {
      assertThat(problems("""
          id: w
          start: d
          nodes:
            - id: d
              kind: decision
              next:
                - {to: done, when: always}
            - id: done
              kind: terminal
              outcome: success
          """)).containsExactly("w.yaml:6:5: node 'd' is a decision with 1 edge(s): a decision needs at least two");
    }

    @Test
    void decisionWithoutEdgesIsNotAlsoWithoutAWayOut() {
      assertThat(problems("""
          id: w
          start: a
          nodes:
            - id: a
              kind: agent
              prompt: Hi.
              next: [d, done]
            - id: d
              kind: decision
            - id: done
              kind: terminal
              outcome: success
          """)).containsExactly("w.yaml:8:5: node 'd' is a decision with 0 edge(s): a decision needs at least two");
    }

    @Test
    void decisionEdgeWithoutWhenOrGuard() {
      assertThat(problems("""
          id: w
          start: d
          nodes:
            - id: d
              kind: decision
              next:
                - {to: done, when: the user is happy}
                - done2
            - id: done
              kind: terminal
              outcome: success
            - id: done2
              kind: terminal
              outcome: abandonment
          """)).containsExactly("w.yaml:8:9: node 'd' is a decision: edge to 'done2' needs a 'when' or a 'guard'");
    }

    @Test
    void outcomeOnANonToolEdge() {
      assertThat(problems("""
          id: w
          start: a
          nodes:
            - id: a
              kind: agent
              prompt: Hi.
              next: [{to: done, outcome: success}]
            - id: done
              kind: terminal
              outcome: success
          """)).containsExactly("w.yaml:7:23: node 'a' is not a tool node: only tool edges carry an outcome");
    }
  }

  @Nested
  class Tools {
    private static final String HEAD = """
        id: w
        start: t
        slots:
          dest: {type: enum, values: [Lisbon, Kyoto]}
          ref: {type: string, values: [BK-1]}
        nodes:
        """;
    private static final String DONE = """
          - id: done
            kind: terminal
            outcome: success
          - id: failed
            kind: terminal
            outcome: escalation
        """;

    @Test
    void argumentNamingAnUndeclaredSlot() {
      assertThat(problems(HEAD + """
            - id: t
              kind: tool
              tool:
                name: search
                arguments: {destination: dest, date: when}
              next: [{to: done, outcome: success}, {to: failed, outcome: error}]
          """ + DONE)).containsExactly("w.yaml:11:38: node 't' tool argument 'date' takes undeclared slot 'when'");
    }

    @Test
    void returnsAnUndeclaredSlot() {
      assertThat(problems(HEAD + """
            - id: t
              kind: tool
              tool: {name: book, returns: [ref, price]}
              next: [{to: done, outcome: success}, {to: failed, outcome: error}]
          """ + DONE)).containsExactly("w.yaml:9:39: node 't' tool returns undeclared slot 'price'");
    }

    @Test
    void edgeWithoutOutcome() {
      assertThat(problems(HEAD + """
            - id: t
              kind: tool
              tool: {name: book}
              next:
                - {to: done, outcome: success}
                - failed
          """ + DONE)).containsExactly(
              "w.yaml:12:9: node 't' is a tool node: edge 1 needs an 'outcome' (success, not_found, error, ...)");
    }

    @Test
    void duplicateOutcome() {
      assertThat(problems(HEAD + """
            - id: t
              kind: tool
              tool: {name: book}
              next:
                - {to: done, outcome: success}
                - {to: failed, outcome: success}
          """ + DONE)).containsExactly("w.yaml:12:22: node 't' has two edges for outcome 'success'");
    }

    @Test
    void twoOutcomesToOneNodeAreNotUnconditionalDuplicates() {
      // Two labelled edges to 'done' and one bare edge to it: the bare one lacks an outcome, and that is all.
      assertThat(problems(HEAD + """
            - id: t
              kind: tool
              tool: {name: book}
              next:
                - {to: done, outcome: success}
                - {to: done, outcome: not_found}
                - done
            - id: done
              kind: terminal
              outcome: success
          """)).containsExactly(
              "w.yaml:13:9: node 't' is a tool node: edge 2 needs an 'outcome' (success, not_found, error, ...)");
    }

    @Test
    void toolWithoutName() {
      assertThat(problems(HEAD + """
            - id: t
              kind: tool
              tool: {arguments: {destination: dest}}
              next: [{to: done, outcome: success}, {to: failed, outcome: error}]
          """ + DONE)).containsExactly("w.yaml:9:5: node 't' is a tool node without 'tool.name'");
    }
  }

  @Nested
  class Ids {
    @Test
    void duplicateNodeId() {
      assertThat(problems("""
          id: w
          start: a
          nodes:
            - id: a
              kind: agent
              prompt: Hi.
              next: done
            - id: a
              kind: agent
              prompt: Hi again.
              next: done
            - id: done
              kind: terminal
              outcome: success
          """)).containsExactly("w.yaml:8:5: duplicate node id 'a' (first defined as node #1)");
    }

    @Test
    void duplicateFactId() {
      assertThat(problems("""
          id: w
          start: a
          knowledge:
            - {id: fee, key: change fee, value: 50 EUR}
            - {id: fee, question: 'Is there a fee?', answer: Yes.}
          nodes:
            - id: a
              kind: agent
              prompt: Hi.
              cites: [fee]
              next: done
            - id: done
              kind: terminal
              outcome: success
          """)).containsExactly("w.yaml:5:6: duplicate fact id 'fee'");
    }

    @ParameterizedTest
    @ValueSource(strings = {"../etc", "a b", "a/b", "-lead", ".hidden", "tab\there", "ünïcode"})
    void workflowIdUnsafeAsAFileName(String id) {
      assertThat(problems("id: \"" + id.replace("\t", "\\t") + "\"\n" + """
          start: a
          nodes:
            - id: a
              kind: terminal
              outcome: success
          """)).containsExactly("w.yaml:1:1: invalid workflow id '" + id + "': use letters, digits, '_', '-' and '.',"
              + " starting with a letter or digit, at most 80 characters");
    }

    @Test
    void workflowIdOfMoreThanEightyCharacters() {
      assertThat(problems("id: " + "x".repeat(81) + "\n" + """
          start: a
          nodes:
            - {id: a, kind: terminal, outcome: success}
          """)).singleElement().asString().startsWith("w.yaml:1:1: invalid workflow id 'xxx");
      assertThat(WorkflowValidator.SAFE_ID.matcher("x".repeat(80)).matches()).isTrue();
    }

    @Test
    void emptyAndMissingWorkflowId() {
      String rest = """
          start: a
          nodes:
            - {id: a, kind: terminal, outcome: success}
          """;
      assertThat(problems("id: ''\n" + rest)).containsExactly("w.yaml:1:1: missing workflow id");
      assertThat(problems(rest)).containsExactly("w.yaml:1:1: missing workflow id");
    }

    @Test
    void nodeIdUnsafeAsAFileName() {
      assertThat(problems("""
          id: w
          start: ../etc
          nodes:
            - id: ../etc
              kind: agent
              prompt: Hi.
              next: a b
            - id: a b
              kind: terminal
              outcome: success
          """)).containsExactly(
              "w.yaml:4:5: invalid node id '../etc': use letters, digits, '_', '-' and '.', starting with a letter or"
                  + " digit, at most 80 characters",
              "w.yaml:8:5: invalid node id 'a b': use letters, digits, '_', '-' and '.', starting with a letter or"
                  + " digit, at most 80 characters");
    }

    @Test
    void emptyNodeIdIsMissingAndNothingElse() {
      assertThat(problems("""
          id: w
          start: a
          nodes:
            - id: a
              kind: agent
              prompt: Hi.
              next: done
            - id: ""
              kind: terminal
              outcome: abandonment
            - id: done
              kind: terminal
              outcome: success
          """)).containsExactly("w.yaml:8:5: missing node id");
    }

    @Test
    void slotNameAndFactIdUnsafe() {
      assertThat(problems("""
          id: w
          start: a
          slots:
            "my slot": {type: string, values: [x]}
          knowledge:
            - {id: "fee/2", key: fee, value: 50 EUR}
          nodes:
            - {id: a, kind: terminal, outcome: success}
          """)).containsExactly(
              "w.yaml:4:3: invalid slot name 'my slot': use letters, digits, '_', '-' and '.', starting with a letter"
                  + " or digit, at most 80 characters",
              "w.yaml:6:6: invalid fact id 'fee/2': use letters, digits, '_', '-' and '.', starting with a letter or"
                  + " digit, at most 80 characters");
    }
  }

  @Nested
  class FieldsOfAKind {
    @Test
    void templatesOnADecision() {
      assertThat(problems("""
          id: w
          start: d
          nodes:
            - id: d
              kind: decision
              templates: ["Let me check."]
              next:
                - {to: done, when: yes}
                - {to: done2, when: no}
            - {id: done, kind: terminal, outcome: success}
            - {id: done2, kind: terminal, outcome: abandonment}
          """)).containsExactly("w.yaml:6:5: node 'd' is a decision node and cannot have 'templates'");
    }

    @Test
    void outcomeOnAnAgent() {
      assertThat(problems("""
          id: w
          start: a
          nodes:
            - id: a
              kind: agent
              prompt: Hi.
              outcome: success
              next: done
            - {id: done, kind: terminal, outcome: success}
          """)).containsExactly("w.yaml:7:5: node 'a' is an agent node and cannot have 'outcome'");
    }

    @Test
    void toolOnAUser() {
      assertThat(problems("""
          id: w
          start: u
          nodes:
            - id: u
              kind: user
              prompt: Ask.
              tool: {name: search}
              next: done
            - {id: done, kind: terminal, outcome: success}
          """)).containsExactly("w.yaml:7:5: node 'u' is a user node and cannot have 'tool'");
    }

    @Test
    void promptOnAToolAndCitesOnAUser() {
      assertThat(problems("""
          id: w
          start: u
          knowledge:
            - {id: fee, key: fee, value: 50 EUR}
          nodes:
            - id: u
              kind: user
              prompt: Ask.
              cites: [fee]
              next: t
            - id: t
              kind: tool
              prompt: Call it.
              tool: {name: search}
              next: [{to: done, outcome: success}]
            - {id: done, kind: terminal, outcome: success}
          """)).containsExactly(
              "w.yaml:9:5: node 'u' is a user node and cannot have 'cites'",
              "w.yaml:13:5: node 't' is a tool node and cannot have 'prompt'");
    }

    @Test
    void agentOrUserWithNeitherPromptNorTemplates() {
      assertThat(problems("""
          id: w
          start: a
          nodes:
            - id: a
              kind: agent
              description: Says hello.
              next: u
            - id: u
              kind: user
              templates: []
              next: done
            - {id: done, kind: terminal, outcome: success}
          """)).containsExactly(
              "w.yaml:4:5: node 'a' (agent) has neither a prompt nor templates, so no teacher can write its turn",
              "w.yaml:8:5: node 'u' (user) has neither a prompt nor templates, so no teacher can write its turn");
    }

    @Test
    void terminalWithoutOutcome() {
      assertThat(problems("""
          id: w
          start: a
          nodes:
            - id: a
              kind: agent
              prompt: Bye.
              next: done
            - id: done
              kind: terminal
          """)).containsExactly(
              "w.yaml:8:5: node 'done' is a terminal without an outcome: use success, abandonment or escalation");
    }

    @Test
    void terminalWithEdges() {
      assertThat(problems("""
          id: w
          start: a
          nodes:
            - id: a
              kind: agent
              prompt: Bye.
              next: done
            - id: done
              kind: terminal
              outcome: success
              next: a
          """)).containsExactly(
              "w.yaml:11:5: node 'done' is a terminal but has edges: a terminal ends the conversation");
    }

    @Test
    void nodeWithoutKind() {
      assertThat(problems("""
          id: w
          start: a
          nodes:
            - id: a
              prompt: Hi.
              next: done
            - {id: done, kind: terminal, outcome: success}
          """)).containsExactly("w.yaml:4:5: node 'a' has no kind: use one of agent, user, decision, tool, terminal");
    }
  }

  @Nested
  class References {
    @Test
    void templatePlaceholderNamingAnUndeclaredSlot() {
      assertThat(problems("""
          id: w
          start: a
          slots:
            destination: {type: enum, values: [Lisbon]}
          nodes:
            - id: a
              kind: agent
              templates:
                - "Flying to {destination}?"
                - "Flying on {date} to {destination}?"
              next: done
            - {id: done, kind: terminal, outcome: success}
          """)).containsExactly("w.yaml:10:9: node 'a' template uses {date}, which is not a declared slot");
    }

    @Test
    void emptyTemplate() {
      assertThat(problems("""
          id: w
          start: a
          nodes:
            - id: a
              kind: agent
              templates: ["Hi!", " "]
              next: done
            - {id: done, kind: terminal, outcome: success}
          """)).containsExactly("w.yaml:6:24: node 'a' has an empty template");
    }

    @Test
    void citesAnUnknownFact() {
      assertThat(problems("""
          id: w
          start: a
          knowledge:
            - {id: baggage, question: 'How many bags?', answer: One.}
          nodes:
            - id: a
              kind: agent
              prompt: Answer the question.
              cites: [baggage, refunds]
              next: done
            - {id: done, kind: terminal, outcome: success}
          """)).containsExactly("w.yaml:9:22: node 'a' cites unknown fact 'refunds'");
    }

    @Test
    void factWithNeitherQuestionAndAnswerNorKeyAndValue() {
      assertThat(problems("""
          id: w
          start: a
          knowledge:
            - {id: half, question: 'How many bags?'}
            - {id: both, question: 'Fee?', answer: Yes., key: fee, value: 50 EUR}
            - id: none
          nodes:
            - {id: a, kind: terminal, outcome: success}
          """)).containsExactly(
              "w.yaml:4:5: fact 'half' must have either question and answer, or key and value",
              "w.yaml:5:5: fact 'both' must have either question and answer, or key and value",
              "w.yaml:6:5: fact 'none' must have either question and answer, or key and value");
    }
  }

  @Nested
  class Slots {
    private static List<String> slot(String declaration) {
      return problems("""
          id: w
          start: a
          slots:
            s: %s
          nodes:
            - {id: a, kind: terminal, outcome: success}
          """.formatted(declaration));
    }

    @Test
    void slotWithoutType() {
      assertThat(slot("{values: [x]}"))
          .containsExactly("w.yaml:4:3: slot 's' has no type: use one of string, number, date, enum, text");
    }

    @Test
    void enumSlotWithoutValues() {
      assertThat(slot("{type: enum}")).containsExactly("w.yaml:4:3: slot 's' has no values: give a pool of example values");
      assertThat(slot("{type: enum, values: []}"))
          .containsExactly("w.yaml:4:3: slot 's' has no values: give a pool of example values");
    }

    @Test
    void numberSlotWithoutValuesOrRange() {
      assertThat(slot("{type: number}"))
          .containsExactly("w.yaml:4:3: slot 's' has no values: give a pool of example values or min and max");
    }

    @Test
    void numberSlotWithMinAboveMax() {
      assertThat(slot("{type: number, min: 6, max: 1}"))
          .containsExactly("w.yaml:4:21: slot 's' needs both min and max with min <= max, got min=6.0 max=1.0");
    }

    @Test
    void numberSlotWithOnlyMin() {
      assertThat(slot("{type: number, min: 1}"))
          .containsExactly("w.yaml:4:21: slot 's' needs both min and max with min <= max, got min=1.0 max=null");
    }

    @Test
    void rangeOnANonNumberSlot() {
      assertThat(slot("{type: enum, values: [a], min: 1, max: 2}"))
          .containsExactly("w.yaml:4:32: slot 's' is an enum: only number slots take min/max");
    }

    @Test
    void numberSlotWithNonNumericValue() {
      assertThat(slot("{type: number, values: [1, 2.5, two]}"))
          .containsExactly("w.yaml:4:38: slot 's' is a number but value 'two' is not");
    }

    @Test
    void dateSlotWithNonIsoValue() {
      assertThat(slot("{type: date, values: [2026-03-14, 14/03/2026]}")).containsExactly(
          "w.yaml:4:40: slot 's' is a date but value '14/03/2026' is not an ISO date (2026-03-14)");
    }

    @Test
    void blankValue() {
      assertThat(slot("{type: string, values: [a, '']}")).containsExactly("w.yaml:4:33: slot 's' has an empty value");
    }

    @ParameterizedTest
    @ValueSource(strings = {
        "{type: number, values: ['1'], format: number}",
        "{type: number, values: ['1'], format: money}",
        "{type: number, min: 1, max: 9, format: duration}",
        "{type: date, values: [2026-03-14], format: date}",
        "{type: enum, values: [a], format: enum}",
        "{type: string, values: [a@b.com], format: email}",
        "{type: text, values: [a@b.com], format: email}",
        "{type: string, values: [a], format: text}",
        "{type: text, values: [a], format: text}"})
    void formatThatFitsTheType(String declaration) throws InvalidWorkflowException {
      Workflow w = WorkflowLoader.parse("w.yaml", """
          id: w
          start: a
          slots:
            s: %s
          nodes:
            - {id: a, kind: terminal, outcome: success}
          """.formatted(declaration).getBytes(UTF_8), Format.YAML);

      assertThat(WorkflowValidator.validate(w)).isEmpty();
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', textBlock = """
        string | money    | a string
        string | number   | a string
        text   | duration | a text
        date   | number   | a date
        enum   | date     | an enum
        number | date     | a number
        string | enum     | a string
        number | email    | a number
        enum   | text     | an enum
        date   | text     | a date
        """)
    void formatThatDoesNotFitTheType(String type, String format, String typeWithArticle) {
      String value = type.equals("number") ? "'1'" : type.equals("date") ? "2026-03-14" : "a";
      String declaration = "{type: " + type + ", values: [" + value + "], format: " + format + "}";
      int column = "  s: ".length() + 1 + declaration.indexOf("format:"); // reported at the key
      assertThat(slot(declaration)).containsExactly("w.yaml:4:" + column + ": slot 's' is " + typeWithArticle
          + ", which format '" + format + "' does not fit (number, money and duration are for numbers, date for"
          + " dates, enum for enums, email and text for strings)");
    }

    @Test
    void unknownFormatIsReportedByTheLoader() {
      assertThat(slot("{type: number, values: ['1'], format: currency}")).containsExactly(
          "w.yaml:4:36: invalid value format 'currency': expected one of number, money, date, duration, email, enum,"
              + " text");
    }

    @Test
    void generatorOnAClosedSlot() {
      assertThat(slot("{type: enum, values: [a, b], generate: place}")).containsExactly("w.yaml:4:35: slot 's' is an"
          + " enum: only string and text slots take a generator (their values are examples of an open set)");
      assertThat(slot("{type: number, values: [1, 2], generate: code}")).containsExactly("w.yaml:4:37: slot 's' is a"
          + " number: only string and text slots take a generator (their values are examples of an open set)");
    }

    @Test
    void generatorOnAnOpenSlotIsValid() throws InvalidWorkflowException {
      Workflow w = WorkflowLoader.parse("w.yaml", """
          id: w
          start: a
          slots:
            who: {type: string, values: [Ana Souza], generate: person_name}
            note: {type: text, values: [a cracked windscreen], generate: description}
          nodes:
            - {id: a, kind: terminal, outcome: success}
          """.getBytes(UTF_8), Format.YAML);

      assertThat(WorkflowValidator.validate(w)).isEmpty();
      assertThat(w.slots().get("who").generate()).isEqualTo(ValueGenerator.PERSON_NAME);
    }

    @Test
    void phrasingWithoutThePlaceholder() {
      assertThat(slot("{type: string, values: [a], phrasings: ['it is {s}', 'it is that']}")).containsExactly(
          "w.yaml:4:59: slot 's' phrasing 'it is that' does not say the value: it needs the placeholder {s}");
    }
  }

  @Nested
  class Guards {
    /** A decision whose first edge carries the guard; line 10 of the document. */
    private static String guardWorkflow(String guard) {
      return """
          id: w
          start: d
          slots:
            dest: {type: enum, values: [Lisbon, Kyoto]}
            travellers: {type: number, min: 1, max: 6}
          nodes:
            - id: d
              kind: decision
              next:
                - {to: done, when: first, guard: %s}
                - {to: done2, when: otherwise}
            - {id: done, kind: terminal, outcome: success}
            - {id: done2, kind: terminal, outcome: escalation}
          """.formatted(guard);
    }

    private static List<String> guard(String guard) {
      return problems(guardWorkflow(guard));
    }

    @ParameterizedTest
    @ValueSource(strings = {"{slot: travellers, op: gt, value: '4'}", "{slot: travellers, op: le, value: '4'}",
        "{slot: dest, op: eq, value: Kyoto}", "{slot: dest, op: ne, value: Kyoto}",
        "{slot: dest, op: in, values: [Kyoto, Lisbon]}", "{slot: dest, op: not_in, values: [Kyoto]}",
        "{slot: dest, op: present}", "{slot: travellers, op: absent}"})
    void everyOperatorOnAFittingSlotIsFine(String guard) throws InvalidWorkflowException {
      Workflow w = WorkflowLoader.parse("w.yaml", guardWorkflow(guard).getBytes(UTF_8), Format.YAML);

      assertThat(w.nodes().get(0).next().get(0).guard()).isNotNull();
    }

    @Test
    void guardOnAnUndeclaredSlot() {
      assertThat(guard("{slot: budget, op: gt, value: '100'}"))
          .containsExactly("w.yaml:10:41: node 'd' guard names undeclared slot 'budget'");
    }

    @Test
    void orderingOperatorOnAnEnumSlot() {
      assertThat(guard("{slot: dest, op: gt, value: Kyoto}"))
          .containsExactly("w.yaml:10:53: node 'd' guard 'gt' orders slot 'dest', which is an enum, not a number or date");
    }

    @Test
    void enumComparedWithAValueOutsideItsValues() {
      assertThat(guard("{slot: dest, op: eq, value: Paris}")).containsExactly(
          "w.yaml:10:61: node 'd' guard compares enum slot 'dest' with 'Paris', which is not one of [Lisbon, Kyoto]");
      assertThat(guard("{slot: dest, op: not_in, values: [Kyoto, Rome]}")).containsExactly(
          "w.yaml:10:81: node 'd' guard compares enum slot 'dest' with 'Rome', which is not one of [Lisbon, Kyoto]");
    }

    @Test
    void inWithoutValues() {
      assertThat(guard("{slot: dest, op: in}"))
          .containsExactly("w.yaml:10:33: node 'd' guard 'in' on 'dest' needs 'values'");
      assertThat(guard("{slot: dest, op: in, values: []}"))
          .containsExactly("w.yaml:10:61: node 'd' guard 'in' on 'dest' needs 'values'");
    }

    @Test
    void comparisonWithoutValue() {
      assertThat(guard("{slot: travellers, op: lt}"))
          .containsExactly("w.yaml:10:33: node 'd' guard 'lt' on 'travellers' needs a 'value'");
    }

    @Test
    void guardWithoutOp() {
      assertThat(guard("{slot: travellers, value: '3'}")).containsExactly(
          "w.yaml:10:33: node 'd' guard on 'travellers' has no 'op' (eq, ne, lt, le, gt, ge, in, not_in, present,"
              + " absent)");
    }
  }

  @Nested
  class Direct {
    @Test
    void problemsCarryJsonPointersIntoTheDocument() {
      Workflow w = new Workflow("w", null, null, "t", List.of(), Map.of(), List.of(), List.of(
          Node.tool("t", null, new ToolCall("search", Map.of("q", "query"), List.of()),
              List.of(Edge.onOutcome("done", "success"))),
          Node.terminal("done", TerminalOutcome.SUCCESS)));

      assertThat(WorkflowValidator.validate(w)).containsExactly(
          new WorkflowProblem("/nodes/0/tool/arguments/q", "node 't' tool argument 'q' takes undeclared slot 'query'"));
    }

    @Test
    void everyProblemIsReportedNotJustTheFirst() {
      Workflow w = new Workflow("../w", null, null, "nowhere", List.of(), Map.of(), List.of(), List.of(
          Node.agent("a", null, List.of(), List.of()),
          Node.decision("d", null, List.of(Edge.to("a")))));

      assertThat(WorkflowValidator.validate(w)).extracting(WorkflowProblem::pointer).containsExactly(
          "", "/start", "/nodes/0/prompt", "/nodes/0/next", "/nodes/1/next", "/nodes/1/next/0", "/nodes");
    }
  }
}

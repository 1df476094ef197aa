package dev.subterra.workflow.imports;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.subterra.workflow.Edge;
import dev.subterra.workflow.InvalidWorkflowException;
import dev.subterra.workflow.Node;
import dev.subterra.workflow.NodeKind;
import dev.subterra.workflow.SlotType;
import dev.subterra.workflow.TerminalOutcome;
import dev.subterra.workflow.Workflow;
import dev.subterra.workflow.WorkflowCodec;
import dev.subterra.workflow.WorkflowLoader;
import dev.subterra.workflow.WorkflowValidator;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Named;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

class StarImporterTest {
  /** A small schema in the STAR format, so that the importer is tested on a fresh clone too. */
  private static final String PIZZA = """
      {
        "task": "pizza_order",
        "replies": {
          "user_hello": "Hello.",
          "hello": "Hello, how can I help?",
          "user_pizza_ask_order": "I'd like a pizza.",
          "ask_size": "What size would you like?",
          "user_pizza_inform_size": "A [SIZE] one, please.",
          "user_pizza_inform_size_and_topping": "A [SIZE] one with [TOPPING].",
          "query": "[QUERY]",
          "db_pizza_ordered": "[RESULT] APIName = pizza_api ; Message = Order placed. ; ",
          "db_pizza_sold_out": "[RESULT] APIName = pizza_api ; Message = Sold out. ; ",
          "pizza_confirm": "Your {size:s} pizza is ready in {minutes:d} minutes.",
          "pizza_sold_out": "Sorry, we are out of {size:s} pizzas.",
          "user_pizza_thanks": "Thanks!",
          "goodbye_1": "Goodbye.",
          "out_of_scope": "I can only take pizza orders."
        },
        "graph": {
          "user_hello": "hello",
          "user_pizza_ask_order": "ask_size",
          "user_pizza_inform_size": "query",
          "user_pizza_inform_size_and_topping": "query",
          "db_pizza_ordered": "pizza_confirm",
          "db_pizza_sold_out": "pizza_sold_out",
          "user_pizza_thanks": "goodbye_1"
        },
        "r_graph": {
          "user_pizza_ask_order": "hello",
          "user_pizza_inform_size": "ask_size",
          "user_pizza_inform_size_and_topping": "ask_size",
          "db_pizza_ordered": "query",
          "db_pizza_sold_out": "query",
          "user_pizza_thanks": "pizza_confirm"
        }
      }
      """;

  @TempDir
  Path dir;

  /**
   * The shared STAR schemas; without them, one placeholder case that the test skips with a message (an aborted
   * argument source would make the whole parameterized test vanish from reports instead).
   */
  static Stream<Named<Path>> starSchemas() throws Exception {
    Path schemas = SharedData.sharedDir().resolve("data/star/schemas");
    if (!Files.isDirectory(schemas)) {
      return Stream.of(Named.of("shared STAR data absent", null));
    }
    return schemaFiles().stream().map(f -> Named.of(f.getFileName().toString(), f));
  }

  private static List<Path> schemaFiles() throws Exception {
    try (Stream<Path> files = Files.list(SharedData.require("star/schemas"))) {
      return files.filter(f -> f.getFileName().toString().endsWith(".json")).sorted().toList();
    }
  }

  private Path write(String name, String text) throws Exception {
    return Files.writeString(dir.resolve(name), text, StandardCharsets.UTF_8);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("starSchemas")
  void everyStarSchemaImportsAndPassesValidation(Path schema) throws Exception {
    SharedData.require("star/schemas");
    ImportResult result = WorkflowImporter.importFile(schema, ImportFormat.STAR);
    Workflow workflow = result.workflow();

    assertThat(WorkflowValidator.validate(workflow)).isEmpty();
    assertThat(workflow.id()).isEqualTo(schema.getFileName().toString().replace(".json", ""));
    assertThat(workflow.start()).isEqualTo("user_hello");
    assertThat(workflow.node("user_hello").orElseThrow().kind()).isEqualTo(NodeKind.USER);
    assertThat(workflow.count(NodeKind.TERMINAL)).isPositive();
    // The native YAML an import writes loads back as the same workflow.
    String yaml = WorkflowCodec.toYaml(workflow);
    assertThat(WorkflowLoader.parse(schema + ".yaml", yaml.getBytes(StandardCharsets.UTF_8),
        WorkflowLoader.Format.YAML)).isEqualTo(workflow);
  }

  @Test
  void allTwentyFourStarSchemasAreThere() throws Exception {
    assertThat(schemaFiles()).hasSize(24);
  }

  @Test
  void hotelBookHasItsQueriesAsToolsAndItsBranchesAsConditionalEdges() throws Exception {
    ImportResult result = StarImporter.importFile(SharedData.require("star/schemas/hotel_book.json"));
    Workflow workflow = result.workflow();

    Node check = workflow.node("query_check").orElseThrow();
    assertThat(check.kind()).isEqualTo(NodeKind.TOOL);
    assertThat(check.tool().name()).isEqualTo("hotel_book");
    assertThat(check.tool().arguments()).containsEntry("Name", "hotel_name").containsEntry("StartDate", "start_date")
        .containsEntry("EndDate", "end_date").containsEntry("CustomerName", "name")
        .doesNotContainKey("RequestType");
    assertThat(check.description()).contains("RequestType Check");
    assertThat(check.next()).containsExactly(
        Edge.onOutcome("hotel_unavailable", "hotel_unavailable"),
        Edge.onOutcome("hotel_ask_confirm_booking", "hotel_available"));
    assertThat(workflow.node("query_book").orElseThrow().next()).extracting(Edge::outcome)
        .containsExactly("hotel_reservation_succeeded", "hotel_reservation_failed");

    Node confirm = workflow.node("hotel_ask_confirm_booking").orElseThrow();
    assertThat(confirm.kind()).isEqualTo(NodeKind.AGENT);
    assertThat(confirm.templates())
        .containsExactly("Alright, the {hotel_name} ticks all of your boxes, can I book this room for you?");
    assertThat(confirm.next()).extracting(Edge::to)
        .containsExactly("user_hotel_book_inform_book", "user_hotel_book_inform_no_book");
    assertThat(confirm.next()).extracting(Edge::when).containsExactly(
        "the user says \"Yes, book it\" (inform book)", "the user says \"No don't book it\" (inform no book)");

    assertThat(workflow.node("user_hotel_book_inform_hotel_name").orElseThrow().templates())
        .containsExactly("I'd like to stay at the {hotel_name}");
    assertThat(workflow.node("user_hotel_book_inform_start_date").orElseThrow().templates())
        .containsExactly("I'll arrive on {start_date}");
    assertThat(workflow.slots().get("hotel_name").type()).isEqualTo(SlotType.ENUM);
    assertThat(workflow.slots().get("hotel_name").values())
        .containsExactly("Shadyside Inn", "Hilton Hotel", "Hyatt Hotel", "Old Town Inn");
    assertThat(workflow.slots().get("name").description()).startsWith("Generic example pool");

    assertThat(endOf(workflow, "goodbye_1")).isEqualTo(TerminalOutcome.SUCCESS);
    assertThat(endOf(workflow, "hotel_unavailable")).isEqualTo(TerminalOutcome.ABANDONMENT);
    assertThat(endOf(workflow, "hotel_reservation_failed")).isEqualTo(TerminalOutcome.ABANDONMENT);
    assertThat(workflow.node("out_of_scope")).isEmpty();
    assertThat(workflow.node("hotel_inform_nothing_found")).isEmpty();
    assertThat(workflow.nodes()).noneMatch(n -> n.id().startsWith("db_"));
    assertThat(result.warnings()).contains(
        "Dropped 'hotel_inform_nothing_found' (wizard action): it cannot be reached from user_hello",
        "Dropped 'out_of_scope' (wizard action): it cannot be reached from user_hello");
  }

  @Test
  void hotelSearchIgnoresAUserIntentThatAnswersAQuery() throws Exception {
    ImportResult result = StarImporter.importFile(SharedData.require("star/schemas/hotel_search.json"));

    assertThat(result.warnings()).contains("Ignored r_graph entry 'user_hotel_search_goodbye' -> 'query': a query is"
        + " answered by its results, not by the user");
    assertThat(result.workflow().node("user_hotel_search_goodbye")).isEmpty();
    assertThat(endOf(result.workflow(), "anything_else")).isEqualTo(TerminalOutcome.SUCCESS);
  }

  @Test
  void importsAnInlineSchemaWithoutApiDefinitions() throws Exception {
    ImportResult result = StarImporter.importFile(write("pizza_order.json", PIZZA), dir.resolve("no-apis"));
    Workflow workflow = result.workflow();

    assertThat(WorkflowValidator.validate(workflow)).isEmpty();
    assertThat(workflow.id()).isEqualTo("pizza_order");
    assertThat(workflow.name()).isEqualTo("Pizza order (STAR)");
    assertThat(workflow.nodes()).extracting(Node::id).containsExactly("user_hello", "hello", "user_pizza_ask_order",
        "ask_size", "user_pizza_inform_size", "user_pizza_inform_size_and_topping", "query", "pizza_confirm",
        "pizza_sold_out", "user_pizza_thanks", "goodbye_1", "end_success", "end_abandonment");
    assertThat(workflow.node("ask_size").orElseThrow().next()).extracting(Edge::to)
        .containsExactly("user_pizza_inform_size", "user_pizza_inform_size_and_topping");
    assertThat(workflow.node("user_pizza_inform_size").orElseThrow().templates())
        .containsExactly("A {size} one, please.");
    assertThat(workflow.node("user_pizza_inform_size_and_topping").orElseThrow().templates())
        .containsExactly("A {size} one with {topping}.");
    assertThat(workflow.node("pizza_confirm").orElseThrow().templates())
        .containsExactly("Your {size} pizza is ready in {minutes} minutes.");

    Node query = workflow.node("query").orElseThrow();
    assertThat(query.tool().name()).isEqualTo("pizza_api");
    assertThat(query.tool().arguments()).isEmpty();
    assertThat(query.tool().returns()).containsExactly("minutes");
    assertThat(query.next()).containsExactly(
        Edge.onOutcome("pizza_confirm", "pizza_ordered"), Edge.onOutcome("pizza_sold_out", "pizza_sold_out"));
    assertThat(endOf(workflow, "goodbye_1")).isEqualTo(TerminalOutcome.SUCCESS);
    assertThat(endOf(workflow, "pizza_sold_out")).isEqualTo(TerminalOutcome.ABANDONMENT);

    assertThat(workflow.slots()).containsOnlyKeys("size", "topping", "minutes");
    assertThat(workflow.slots().get("minutes").type()).isEqualTo(SlotType.NUMBER);
    assertThat(workflow.slots().values()).allSatisfy(s -> assertThat(s.description()).startsWith("Generic"));
    assertThat(result.warnings()).containsExactly(
        "Dropped 'out_of_scope' (wizard action): it cannot be reached from user_hello",
        "No STAR API definition for 'pizza_api' under " + dir.resolve("no-apis")
            + ": its slots get generic example pools and its calls no arguments",
        "Generic example pools (STAR lists no values for them) for slots: size, topping, minutes");
  }

  @Test
  void closingActionsEndInSuccessAndOthersInAbandonment() {
    assertThat(List.of("goodbye_1", "goodbye_2", "ride_bye", "trivia_bye", "anything_else"))
        .allSatisfy(a -> assertThat(StarImporter.ending(a)).isEqualTo(TerminalOutcome.SUCCESS));
    assertThat(List.of("hotel_reservation_failed", "bank_inform_cannot_authenticate", "byway", "ride_provide_driver"))
        .allSatisfy(a -> assertThat(StarImporter.ending(a)).isEqualTo(TerminalOutcome.ABANDONMENT));
  }

  @Test
  void aSchemaWithoutUserHelloIsALocatedError() throws Exception {
    Path file = write("broken.json", PIZZA.replace("\"user_hello\": \"Hello.\",", "")
        .replace("\"user_hello\": \"hello\",", ""));

    assertThatThrownBy(() -> StarImporter.importFile(file, null))
        .isInstanceOf(InvalidWorkflowException.class)
        .hasMessage("Invalid workflow " + file + ": 1 problem" + System.lineSeparator()
            + file + ":3:3: no reply 'user_hello': STAR schemas start with the user's hello");
  }

  @Test
  void graphEntriesMustNameRepliesOfTheRightKind() throws Exception {
    Path file = write("broken.json", PIZZA
        .replace("\"user_pizza_thanks\": \"goodbye_1\"", "\"user_pizza_thanks\": \"goodbye_2\"")
        .replace("\"user_pizza_ask_order\": \"hello\",", "\"user_pizza_ask_order\": \"user_hello\","));

    InvalidWorkflowException e = (InvalidWorkflowException) catchThrowable(file);

    assertThat(e.problems()).containsExactly(
        file + ":26:5: 'graph' maps 'user_pizza_thanks' to 'goodbye_2', which has no reply",
        file + ":29:5: 'r_graph' maps 'user_pizza_ask_order' to 'user_hello', but it must name the wizard action it"
            + " answers");
  }

  @Test
  void anUnknownFieldInASchemaIsAnError() throws Exception {
    Path file = write("broken.json", PIZZA.replace("\"task\": \"pizza_order\",", "\"task\": \"pizza_order\", \"domain\": 1,"));

    InvalidWorkflowException e = (InvalidWorkflowException) catchThrowable(file);

    assertThat(e.problems()).singleElement().asString()
        .isEqualTo(file + ":2:26: unknown field 'domain' in star schema (known fields: graph, r_graph, replies, task)");
  }

  private static Throwable catchThrowable(Path file) {
    try {
      StarImporter.importFile(file, null);
    } catch (InvalidWorkflowException e) {
      return e;
    }
    throw new AssertionError("import of an invalid schema succeeded");
  }

  /** How a conversation ends right after an action: the outcome of the terminal its only edge leads to. */
  private static TerminalOutcome endOf(Workflow workflow, String action) {
    List<Edge> next = workflow.node(action).orElseThrow().next();
    assertThat(next).hasSize(1);
    Node end = workflow.node(next.get(0).to()).orElseThrow();
    assertThat(end.kind()).isEqualTo(NodeKind.TERMINAL);
    return end.outcome();
  }
}

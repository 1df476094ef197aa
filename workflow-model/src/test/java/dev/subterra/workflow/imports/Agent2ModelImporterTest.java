package dev.subterra.workflow.imports;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.subterra.workflow.Edge;
import dev.subterra.workflow.InvalidWorkflowException;
import dev.subterra.workflow.Node;
import dev.subterra.workflow.NodeKind;
import dev.subterra.workflow.Slot;
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
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class Agent2ModelImporterTest {
  private static final String SMALL = """
      name: pizza-order
      description: Take a pizza order.
      start: greet
      nodes:
        greet:
          role: agent
          prompt: |
            Greet the customer and ask what they would like.
          next: order
        order:
          role: user
          prompt: Order a pizza.
          next: [check, greet]
        check:
          role: decision
          prompt: Is the size known?
          next:
            - to: confirm
              when: the customer named a size
            - {to: order, when: the size is missing}
        confirm:
          role: agent
          prompt: Confirm the order.
          next: [done]
        done:
          terminal: success
      scenario_variables:
        topping_pool: [ham, mushroom]
        pizzas_range: [1, 4]
        user_styles: [hungry, picky]
      """;

  @TempDir
  Path dir;

  private Path write(String name, String text) throws Exception {
    return Files.writeString(dir.resolve(name), text, StandardCharsets.UTF_8);
  }

  private InvalidWorkflowException importFails(String text) throws Exception {
    Path file = write("flow.yaml", text);
    try {
      Agent2ModelImporter.importFile(file);
    } catch (InvalidWorkflowException e) {
      return e;
    }
    throw new AssertionError("import of an invalid flowchart succeeded");
  }

  @Test
  void importsAnInlineFlowchartWithEveryFormOfNext() throws Exception {
    ImportResult result = Agent2ModelImporter.importFile(write("pizza.yaml", SMALL));
    Workflow workflow = result.workflow();

    assertThat(result.warnings()).isEmpty();
    assertThat(workflow.id()).isEqualTo("pizza-order");
    assertThat(workflow.name()).isNull();
    assertThat(workflow.description()).isEqualTo("Take a pizza order.");
    assertThat(workflow.start()).isEqualTo("greet");
    assertThat(workflow.nodes()).extracting(Node::id).containsExactly("greet", "order", "check", "confirm", "done");
    assertThat(workflow.nodes()).extracting(Node::kind).containsExactly(
        NodeKind.AGENT, NodeKind.USER, NodeKind.DECISION, NodeKind.AGENT, NodeKind.TERMINAL);

    Node greet = workflow.node("greet").orElseThrow();
    assertThat(greet.prompt()).isEqualTo("Greet the customer and ask what they would like.");
    assertThat(greet.next()).containsExactly(Edge.to("order"));
    assertThat(workflow.node("order").orElseThrow().next()).containsExactly(Edge.to("check"), Edge.to("greet"));
    Node check = workflow.node("check").orElseThrow();
    assertThat(check.prompt()).isNull();
    assertThat(check.description()).isEqualTo("Is the size known?");
    assertThat(check.next()).containsExactly(
        Edge.when("confirm", "the customer named a size"), Edge.when("order", "the size is missing"));
    assertThat(workflow.node("done").orElseThrow().outcome()).isEqualTo(TerminalOutcome.SUCCESS);

    assertThat(workflow.slots()).containsOnlyKeys("topping", "pizzas");
    assertThat(workflow.slots().get("topping")).isEqualTo(Slot.pool(SlotType.ENUM, null, List.of("ham", "mushroom")));
    assertThat(workflow.slots().get("pizzas")).isEqualTo(Slot.range(null, 1, 4));
    assertThat(workflow.personas()).containsExactly("hungry", "picky");
    assertThat(WorkflowValidator.validate(workflow)).isEmpty();
  }

  @Test
  void theImportedWorkflowLoadsBackFromItsNativeYaml() throws Exception {
    Workflow imported = Agent2ModelImporter.importFile(write("pizza.yaml", SMALL)).workflow();

    String yaml = WorkflowCodec.toYaml(imported);
    Workflow loaded = WorkflowLoader.parse("pizza.yaml", yaml.getBytes(StandardCharsets.UTF_8),
        WorkflowLoader.Format.YAML);

    assertThat(loaded).isEqualTo(imported);
  }

  @Test
  void importsTheSharedTravelBookingSample() throws Exception {
    Path sample = SharedData.require("agent2model/travel_booking.yaml");

    ImportResult result = WorkflowImporter.importFile(sample, ImportFormat.AGENT2MODEL);
    Workflow workflow = result.workflow();

    assertThat(result.warnings()).isEmpty();
    assertThat(workflow.id()).isEqualTo("travel_booking");
    assertThat(workflow.description()).isEqualTo("Help a customer plan and book a trip end to end.");
    assertThat(workflow.start()).isEqualTo("greet");
    assertThat(workflow.nodes()).extracting(Node::id).containsExactly("greet", "gather_preferences",
        "assess_readiness", "present_options", "handle_response", "evaluate_response", "refine_options",
        "abandon_check", "book", "confirm", "escalate_to_human", "booking_confirmed", "abandoned", "escalated");
    assertThat(workflow.count(NodeKind.AGENT)).isEqualTo(7);
    assertThat(workflow.count(NodeKind.USER)).isEqualTo(1);
    assertThat(workflow.count(NodeKind.DECISION)).isEqualTo(3);
    assertThat(workflow.nodes().stream().filter(Node::isTerminal).map(Node::outcome)).containsExactly(
        TerminalOutcome.SUCCESS, TerminalOutcome.ABANDONMENT, TerminalOutcome.ESCALATION);
    assertThat(workflow.node("evaluate_response").orElseThrow().next())
        .extracting(Edge::to).containsExactly("book", "refine_options", "abandon_check");
    assertThat(workflow.node("abandon_check").orElseThrow().next())
        .allSatisfy(edge -> assertThat(edge.when()).isNotBlank());
    assertThat(workflow.node("handle_response").orElseThrow().prompt())
        .isEqualTo("React to the presented options in the customer's voice.");

    assertThat(workflow.slots()).containsOnlyKeys("destination", "budget", "group_size");
    assertThat(workflow.slots().get("destination").type()).isEqualTo(SlotType.ENUM);
    assertThat(workflow.slots().get("destination").values())
        .containsExactly("Japan", "Italy", "Iceland", "Portugal", "Thailand", "Peru", "Morocco");
    assertThat(workflow.slots().get("budget")).isEqualTo(Slot.range(null, 500, 5000));
    assertThat(workflow.slots().get("group_size")).isEqualTo(Slot.range(null, 1, 6));
    assertThat(workflow.personas())
        .containsExactly("decisive", "indecisive", "skeptical", "enthusiastic", "budget_conscious");
    assertThat(WorkflowValidator.validate(workflow)).isEmpty();
  }

  @Test
  void anUnsafeNameBecomesASafeIdWithAWarning() throws Exception {
    ImportResult result = Agent2ModelImporter.importFile(write("flow.yaml",
        SMALL.replace("name: pizza-order", "name: \"Pizza order / v2\"")));

    assertThat(result.workflow().id()).isEqualTo("Pizza_order_v2");
    assertThat(result.workflow().name()).isEqualTo("Pizza order / v2");
    assertThat(result.warnings()).containsExactly(
        "The name 'Pizza order / v2' is not a safe id: the workflow id is 'Pizza_order_v2'");
  }

  @Test
  void withoutANameTheIdComesFromTheFileName() throws Exception {
    ImportResult result = Agent2ModelImporter.importFile(write("my flow.yml", SMALL.replace("name: pizza-order\n", "")));

    assertThat(result.workflow().id()).isEqualTo("my_flow");
    assertThat(result.warnings()).singleElement().asString().contains("no 'name'");
  }

  @Test
  void anUnknownTopLevelFieldIsALocatedError() throws Exception {
    InvalidWorkflowException e = importFails(SMALL.replace("start: greet\n", "start: greet\nowner: ops\n"));

    assertThat(e.problems()).containsExactly(dir.resolve("flow.yaml") + ":4:1: unknown field 'owner' in agent2model"
        + " flowchart (known fields: description, name, nodes, scenario_variables, start)");
    assertThat(e.getMessage()).startsWith("Invalid workflow " + dir.resolve("flow.yaml") + ": 1 problem");
  }

  @Test
  void anUnknownNodeFieldIsALocatedError() throws Exception {
    InvalidWorkflowException e = importFails(SMALL.replace("    prompt: Confirm the order.\n",
        "    prompt: Confirm the order.\n    nxt: done\n"));

    assertThat(e.problems()).singleElement().asString()
        .endsWith(":24:5: unknown field 'nxt' in agent2model node (known fields: next, prompt, role, terminal)");
  }

  @Test
  void aNodeWithNeitherRoleNorTerminalIsAnError() throws Exception {
    InvalidWorkflowException e = importFails(SMALL.replace("    role: agent\n    prompt: Confirm", "    prompt: Confirm"));

    assertThat(e.problems()).singleElement().asString().endsWith(":21:3: node 'confirm' has neither 'role' nor"
        + " 'terminal': give it role: agent|user|decision, or terminal: success|abandonment|escalation");
  }

  @Test
  void aNodeWithBothRoleAndTerminalIsAnError() throws Exception {
    InvalidWorkflowException e = importFails(SMALL.replace("    terminal: success", "    terminal: success\n    role: agent"));

    assertThat(e.problems()).singleElement().asString()
        .contains("node 'done' has both 'role' and 'terminal'");
  }

  @Test
  void aTerminalWithEdgesIsAnError() throws Exception {
    InvalidWorkflowException e = importFails(SMALL.replace("    terminal: success", "    terminal: success\n    next: greet"));

    assertThat(e.problems()).singleElement().asString().contains("node 'done' is a terminal and cannot have 'next'");
  }

  @Test
  void anInvalidRoleNamesTheRoles() throws Exception {
    InvalidWorkflowException e = importFails(SMALL.replace("role: user", "role: customer"));

    assertThat(e.problems()).singleElement().asString()
        .endsWith(":11:5: invalid agent2model role 'customer': expected one of agent, user, decision");
  }

  @Test
  void aDocumentThatIsNotAMappingIsAOneLineError() throws Exception {
    InvalidWorkflowException e = importFails("- greet\n- done\n");

    assertThat(e.problems()).containsExactly(dir.resolve("flow.yaml") + ":1:1: an agent2model flowchart must be a"
        + " mapping with name, start and nodes, but the document is a list");
  }

  @Test
  void aMissingStartIsAnError() throws Exception {
    InvalidWorkflowException e = importFails(SMALL.replace("start: greet\n", ""));

    assertThat(e.problems()).singleElement().asString()
        .endsWith(":1:1: missing field 'start': name the node where conversations begin");
  }

  @Test
  void anEmptyFileIsAnError() throws Exception {
    InvalidWorkflowException e = importFails("\n  \n");

    assertThat(e.problems()).containsExactly(dir.resolve("flow.yaml") + ": the file is empty");
  }

  @Test
  void aNodeDefinedTwiceIsAnError() throws Exception {
    InvalidWorkflowException e = importFails(SMALL.replace("  done:\n    terminal: success",
        "  done:\n    terminal: success\n  greet:\n    terminal: abandonment"));

    assertThat(e.problems()).singleElement().asString().contains("duplicate key 'greet'");
  }

  @Test
  void unknownAndMalformedScenarioVariablesAreErrors() throws Exception {
    InvalidWorkflowException e = importFails(SMALL.replace("  pizzas_range: [1, 4]",
        "  pizzas_range: [1]\n  crust: [thin]"));

    assertThat(e.problems()).containsExactly(
        dir.resolve("flow.yaml") + ":29:3: scenario variable 'pizzas_range' must be a range [low, high] of two"
            + " numbers, got [1]",
        dir.resolve("flow.yaml") + ":30:3: unknown scenario variable 'crust': use <name>_pool: [values],"
            + " <name>_range: [low, high] or user_styles: [styles]");
  }

  @Test
  void validationProblemsAreReportedWhereTheyAreInTheFlowchart() throws Exception {
    String text = SMALL
        .replace("      - {to: order, when: the size is missing}", "      - {to: order}")
        .replace("  pizzas_range: [1, 4]", "  pizzas_range: [4, 1]")
        .replace("    terminal: success\n", "    terminal: success\n  lost:\n    terminal: abandonment\n");

    InvalidWorkflowException e = importFails(text);

    String file = dir.resolve("flow.yaml").toString();
    assertThat(e.problems()).containsExactlyInAnyOrder(
        file + ":31:18: slot 'pizzas' needs both min and max with min <= max, got min=4.0 max=1.0",
        file + ":20:9: node 'check' is a decision: edge to 'order' needs a 'when' or a 'guard'",
        file + ":27:3: node 'lost' is unreachable from start node 'greet'");
  }
}

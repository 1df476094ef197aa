package dev.subterra.evaluation.cost;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.subterra.evaluation.Fixtures;
import dev.subterra.evaluation.loop.ConversationResult;
import dev.subterra.evaluation.loop.EndReason;
import dev.subterra.evaluation.loop.StepResult;
import dev.subterra.synthesis.Scenario;
import dev.subterra.synthesis.ToolInvocation;
import dev.subterra.synthesis.Turn;
import dev.subterra.synthesis.cost.ModelPrice;
import dev.subterra.workflow.Workflow;
import dev.subterra.workflow.paths.PathSplit;
import java.math.BigDecimal;
import java.time.LocalDate;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class CostModelTest {
  private static final double TOLERANCE = 1e-9;
  private static final LocalDate DAY = LocalDate.of(2025, 6, 1);

  /** $3.60 an hour at 1,000 tokens a second: exactly one microdollar a token. */
  private static CostAssumptions assumptions() {
    HardwarePrice machine = new HardwarePrice("test-cpu", "cpu", "a test machine", new BigDecimal("3.60"), DAY,
        "a test");
    ModelPrice frontier = new ModelPrice("test-frontier", new BigDecimal("2.00"), new BigDecimal("8.00"), DAY,
        "a test");
    return new CostAssumptions(machine, "test", 1_000, "a test", 1.0, frontier, "test", 5);
  }

  private static StepResult step(int turn, int pathStep, String node, ToolInvocation call, int prompt, int written) {
    return new StepResult(turn, pathStep, node, node, true, false, false, false, call, call, null, "", prompt,
        written, 0);
  }

  @Test
  void pricesAHandComputedConversation() throws Exception {
    Workflow workflow = Fixtures.retryLoop();
    List<String> path = List.of("greet", "give_order", "lookup", "offer", "reply", "route", "refunded");
    Scenario scenario = new Scenario("s", workflow.id(), "p", path, 1, "cautious", List.of(),
        Map.of("order", "A-100", "amount", "42"), PathSplit.TRAIN);
    ToolInvocation call = new ToolInvocation("find_order", Map.of("order_id", "A-100"));
    List<Turn> transcript = List.of(
        Turn.agent("greet", "Hello!"),                      // 6 chars: 2 tokens out
        new Turn(dev.subterra.synthesis.Role.USER, "A-100", null, null, null), // 2 + 4 framing
        new Turn(dev.subterra.synthesis.Role.TOOL, "", "lookup", call, "{\"status\":\"ok\"}"),
        Turn.agent("offer", "Refund 42?"));                 // 10 chars: 3 tokens out
    List<StepResult> steps = List.of(step(0, 0, "greet", null, 100, 5), step(1, 2, "lookup", call, 150, 10),
        step(2, 3, "offer", null, 200, 5));
    ConversationResult conversation = new ConversationResult("s", "p", PathSplit.TRAIN, 0, "student", "refunded",
        "offer", steps, transcript, EndReason.COMPLETED, -1, null);
    CostModel model = new CostModel(workflow, assumptions());

    ConversationCost cost = model.cost(scenario, conversation);

    // Student: 450 tokens read + 20 written = 470 tokens at $0.000001.
    assertThat(model.studentUsdPerToken()).isEqualByComparingTo("0.000001");
    assertThat(cost.studentTokens()).isEqualTo(470);
    assertThat(cost.studentUsd()).isEqualByComparingTo("0.000470");
    // History before each agent turn: 0; then 2 + 4 (greeting) + 2 + 4 (user) = 12; then 12 + 7 + 4 (the call,
    // "find_order(order_id=A-100)", 26 chars) + 4 + 4 (the result, 15 chars) = 31.
    long system = model.systemPromptTokens();
    assertThat(cost.inContextInputTokens()).isEqualTo(3 * system + 0 + 12 + 31);
    assertThat(cost.inContextOutputTokens()).isEqualTo(2 + 7 + 3);
    BigDecimal inContextUsd = new BigDecimal("2.00").multiply(BigDecimal.valueOf(3 * system + 43))
        .add(new BigDecimal("8.00").multiply(BigDecimal.valueOf(12)))
        .divide(BigDecimal.valueOf(1_000_000));
    assertThat(cost.inContextUsd()).isEqualByComparingTo(inContextUsd);
    // Orchestrated: three node prompts with their histories, and one routing call at the decision 'route' (the tool's
    // outcomes need none) with the whole conversation: 31 + 3 + 4 = 38 tokens.
    long nodes = TokenApproximation.message(ProcedurePrompt.node(workflow, workflow.node("greet").orElseThrow()))
        + TokenApproximation.message(ProcedurePrompt.node(workflow, workflow.node("lookup").orElseThrow()))
        + TokenApproximation.message(ProcedurePrompt.node(workflow, workflow.node("offer").orElseThrow()));
    long routing = TokenApproximation.message(ProcedurePrompt.routing(workflow, workflow.node("route").orElseThrow()));
    assertThat(cost.orchestratedInputTokens()).isEqualTo(nodes + 0 + 12 + 31 + routing + 38);
    assertThat(cost.orchestratedOutputTokens()).isEqualTo(12 + 5);

    CostReport report = model.report(List.of(conversation), Map.of("s", scenario));
    assertThat(report.ratioInContext())
        .isCloseTo(inContextUsd.doubleValue() / 0.000470, within(TOLERANCE));
    assertThat(report.toMap()).containsKeys(CostReport.STUDENT, CostReport.IN_CONTEXT, CostReport.ORCHESTRATED,
        CostReport.RATIO_IN_CONTEXT, "cost_assumptions");
  }

  @Test
  void halfTheUtilisationDoublesTheStudentsPrice() throws Exception {
    CostAssumptions full = assumptions();
    CostAssumptions half = new CostAssumptions(full.hardware(), "test", 1_000, "a test", 0.5, full.frontier(), "test",
        5);
    Workflow workflow = Fixtures.retryLoop();
    assertThat(new CostModel(workflow, half).studentUsdPerToken()).isEqualByComparingTo("0.000002");
  }

  @Test
  void theBundledHardwareTableHasDatedSourcedCpuAndGpuPrices() {
    HardwarePriceTable table = HardwarePriceTable.bundled();
    assertThat(table.entries()).extracting(HardwarePrice::kind).contains("cpu", "gpu");
    assertThat(table.entries()).allSatisfy(p -> {
      assertThat(p.source()).startsWith("https://");
      assertThat(p.usdPerHour()).isPositive();
    });
    assertThat(table.version()).isNotBlank();
  }

  @Test
  void aTableEntryWithoutAPriceIsRejectedByName() {
    String json = "{\"version\":\"1\",\"instances\":[{\"name\":\"x\",\"kind\":\"gpu\",\"description\":\"d\","
        + "\"date\":\"2025-01-01\",\"source\":\"s\"}]}";
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> HardwarePriceTable.read(
            new java.io.ByteArrayInputStream(json.getBytes(java.nio.charset.StandardCharsets.UTF_8)), "test"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("Invalid usd_per_hour in test entry x: null");
  }
}

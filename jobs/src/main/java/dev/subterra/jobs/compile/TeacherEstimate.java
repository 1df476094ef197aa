package dev.subterra.jobs.compile;

import dev.subterra.jobs.synthesize.TeacherSpec;
import dev.subterra.synthesis.Dialogue;
import dev.subterra.synthesis.Role;
import dev.subterra.synthesis.Scenario;
import dev.subterra.synthesis.ScenarioConfig;
import dev.subterra.synthesis.ScenarioPlanner;
import dev.subterra.synthesis.TeacherException;
import dev.subterra.synthesis.Turn;
import dev.subterra.synthesis.cost.PriceTable;
import dev.subterra.synthesis.openai.ChatMessage;
import dev.subterra.synthesis.openai.TurnPrompts;
import dev.subterra.synthesis.template.TemplateTeacher;
import dev.subterra.workflow.Node;
import dev.subterra.workflow.NodeKind;
import dev.subterra.workflow.Workflow;
import dev.subterra.workflow.paths.EnumerationConfig;
import dev.subterra.workflow.paths.PathCatalog;
import dev.subterra.workflow.paths.SplitConfig;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.List;

/**
 * What synthesis is expected to ask of its teacher, worked out on the driver without running anything: the paths
 * enumerated on this thread, the scenarios planned as the job would plan them, one call per agent and user turn of
 * each scenario (exact, before cache hits), and tokens estimated on a sample of scenarios by building the real turn
 * prompts with the template teacher's turns standing in for the remote teacher's answers, at about
 * {@value #CHARS_PER_TOKEN} characters per token (English text with a BPE tokenizer). Spend comes from the dated price
 * table.
 *
 * @param spendUsd null when the model is not in the price table
 */
public record TeacherEstimate(long scenarios, long calls, long inputTokens, long outputTokens, BigDecimal spendUsd,
    String priceTable) {

  /** Characters per token of English text under GPT-style BPE tokenizers: a rough, widely quoted ratio. */
  static final int CHARS_PER_TOKEN = 4;
  /** Scenarios whose prompts are built to estimate the tokens of all. */
  static final int SAMPLE = 200;

  /** No teacher calls: the template teacher is offline. */
  static TeacherEstimate none(long scenarios) {
    return new TeacherEstimate(scenarios, 0, 0, 0, BigDecimal.ZERO, null);
  }

  static TeacherEstimate of(Workflow workflow, CompileOptions options) throws TeacherException {
    return of(workflow, options, PathCatalog.build(workflow, EnumerationConfig.withSeed(options.seed()),
        SplitConfig.DEFAULT));
  }

  /** The estimate over the paths of {@code catalog}, enumerated as the paths stage would. */
  static TeacherEstimate of(Workflow workflow, CompileOptions options, PathCatalog catalog) throws TeacherException {
    long seed = options.seed();
    List<Scenario> scenarios = new ScenarioPlanner(workflow, ScenarioConfig.perPath(options.perPath(), seed))
        .plan(catalog.paths()).scenarios();
    TeacherSpec teacher = options.teacher();
    if (teacher.kind().equals(TeacherSpec.TEMPLATE)) {
      return none(scenarios.size());
    }
    long calls = 0;
    for (Scenario scenario : scenarios) {
      for (String id : scenario.nodes()) {
        NodeKind kind = workflow.node(id).map(Node::kind).orElse(NodeKind.TERMINAL);
        calls += kind == NodeKind.AGENT || kind == NodeKind.USER ? 1 : 0;
      }
    }
    TemplateTeacher template = new TemplateTeacher();
    long sampledCalls = 0;
    long inputChars = 0;
    long outputChars = 0;
    int stride = Math.max(1, scenarios.size() / SAMPLE);
    for (int i = 0; i < scenarios.size(); i += stride) {
      Scenario scenario = scenarios.get(i);
      Dialogue dialogue = template.write(workflow, scenario);
      List<Turn> so = new ArrayList<>();
      for (Turn turn : dialogue.turns()) {
        Node node = turn.nodeId() == null ? null : workflow.node(turn.nodeId()).orElse(null);
        if (node != null && (turn.role() == Role.AGENT || turn.role() == Role.USER) && turn.call() == null) {
          List<ChatMessage> messages = turn.role() == Role.AGENT
              ? TurnPrompts.agent(workflow, scenario, node, List.of(), so)
              : TurnPrompts.user(workflow, scenario, node, List.of(), so);
          for (ChatMessage m : messages) {
            inputChars += m.content().length();
          }
          outputChars += turn.text() == null ? 0 : turn.text().length();
          sampledCalls++;
        }
        so.add(turn);
      }
    }
    long inputTokens = sampledCalls == 0 ? 0 : Math.round((double) inputChars / CHARS_PER_TOKEN / sampledCalls * calls);
    long outputTokens = sampledCalls == 0 ? 0
        : Math.round((double) outputChars / CHARS_PER_TOKEN / sampledCalls * calls);
    PriceTable prices = PriceTable.bundled();
    BigDecimal spend = prices.price(teacher.model()).map(p -> p.cost(inputTokens, outputTokens)).orElse(null);
    return new TeacherEstimate(scenarios.size(), calls, inputTokens, outputTokens, spend, prices.version());
  }

  /** The spend, as the budget bounds it. */
  BigDecimal boundedSpend(BigDecimal budget) {
    return spendUsd == null || budget == null ? spendUsd : spendUsd.min(budget);
  }
}

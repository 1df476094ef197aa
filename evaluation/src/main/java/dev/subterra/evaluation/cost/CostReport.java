package dev.subterra.evaluation.cost;

import java.math.BigDecimal;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Mean cost per conversation of the student and the two baselines over a set of conversations, the ratios the paper
 * reports, and the assumptions they rest on.
 *
 * <p>{@link #toMap()} writes the keys {@code summary.json} carries: {@value #STUDENT}, {@value #IN_CONTEXT},
 * {@value #ORCHESTRATED}, {@value #RATIO_IN_CONTEXT} (the headline: in-context cost over student cost),
 * {@value #RATIO_ORCHESTRATED}, the mean tokens, and {@code cost_assumptions}.
 */
public record CostReport(
    long conversations,
    BigDecimal studentUsdPerConversation,
    BigDecimal inContextUsdPerConversation,
    BigDecimal orchestratedUsdPerConversation,
    double ratioInContext,
    double ratioOrchestrated,
    double studentTokensPerConversation,
    double inContextInputTokensPerConversation,
    double orchestratedInputTokensPerConversation,
    CostAssumptions assumptions) {

  public static final String STUDENT = "student_cost_per_conversation_usd";
  public static final String IN_CONTEXT = "in_context_cost_per_conversation_usd";
  public static final String ORCHESTRATED = "orchestrated_cost_per_conversation_usd";
  public static final String RATIO_IN_CONTEXT = "cost_ratio_in_context";
  public static final String RATIO_ORCHESTRATED = "cost_ratio_orchestrated";

  /** The report as JSON-ready data under stable keys; ratios are {@code null} when the student cost nothing. */
  public Map<String, Object> toMap() {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put(STUDENT, studentUsdPerConversation);
    m.put(IN_CONTEXT, inContextUsdPerConversation);
    m.put(ORCHESTRATED, orchestratedUsdPerConversation);
    m.put(RATIO_IN_CONTEXT, Double.isFinite(ratioInContext) ? ratioInContext : null);
    m.put(RATIO_ORCHESTRATED, Double.isFinite(ratioOrchestrated) ? ratioOrchestrated : null);
    m.put("cost_conversations", conversations);
    m.put("student_tokens_per_conversation", studentTokensPerConversation);
    m.put("in_context_input_tokens_per_conversation", inContextInputTokensPerConversation);
    m.put("orchestrated_input_tokens_per_conversation", orchestratedInputTokensPerConversation);
    m.put("cost_assumptions", assumptions.toMap());
    return m;
  }
}

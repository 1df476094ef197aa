package dev.subterra.evaluation.metrics;

import dev.subterra.evaluation.loop.ConversationResult;
import dev.subterra.evaluation.loop.StepResult;
import dev.subterra.synthesis.Dialogue;
import dev.subterra.synthesis.Role;
import dev.subterra.synthesis.ToolInvocation;
import dev.subterra.synthesis.Turn;
import dev.subterra.workflow.Fact;
import dev.subterra.workflow.Node;
import dev.subterra.workflow.Workflow;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * One conversation's scores as numerator and denominator per metric (correct turns and turns, say), so that
 * conversations add up into micro-averaged aggregates. Keys are {@link MetricName}s; pass^k is computed over a
 * scenario's runs, not here.
 */
public record ConversationScores(Map<String, double[]> parts) {
  public ConversationScores {
    parts = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(parts));
  }

  /** The numerator of a metric; 0 when the metric does not apply. */
  public double numerator(String metric) {
    return parts.getOrDefault(metric, new double[2])[0];
  }

  /** The denominator of a metric; 0 when the metric does not apply. */
  public double denominator(String metric) {
    return parts.getOrDefault(metric, new double[2])[1];
  }

  /** The metric's value for this conversation alone; {@code NaN} when it does not apply. */
  public double value(String metric) {
    double den = denominator(metric);
    return den > 0 ? numerator(metric) / den : Double.NaN;
  }

  /**
   * Scores a conversation. {@code reference} is the teacher's dialogue of the same scenario, for chrF; without it chrF
   * does not apply.
   */
  public static ConversationScores of(Workflow workflow, ConversationResult conversation,
      Optional<Dialogue> reference) {
    Map<String, double[]> parts = new LinkedHashMap<>();
    List<StepResult> steps = conversation.steps();
    double nodes = 0;
    double hubs = 0;
    double hubsRight = 0;
    double invalid = 0;
    double args = 0;
    double argsRight = 0;
    double calls = 0;
    double callsRight = 0;
    double callsMade = 0;
    double callsGrounded = 0;
    double facts = 0;
    double factsStated = 0;
    for (StepResult step : steps) {
      nodes += step.nodeCorrect() ? 1 : 0;
      invalid += step.invalidTag() ? 1 : 0;
      if (step.afterHub()) {
        hubs++;
        hubsRight += step.nodeCorrect() ? 1 : 0;
      }
      if (step.predictedCall() != null) {
        callsMade++;
        callsGrounded += step.callGrounded() ? 1 : 0;
      }
      ToolInvocation expected = step.expectedCall();
      if (expected != null) {
        calls++;
        callsRight += step.callCorrect() ? 1 : 0;
        ToolInvocation actual = step.predictedCall();
        for (Map.Entry<String, String> arg : expected.arguments().entrySet()) {
          args++;
          boolean right = actual != null && actual.name().equals(expected.name())
              && arg.getValue().equals(actual.arguments().get(arg.getKey()));
          argsRight += right ? 1 : 0;
        }
      }
      if (!step.digression()) {
        Node node = workflow.node(step.expectedNode()).orElse(null);
        if (node != null) {
          String said = step.text().toLowerCase(Locale.ROOT);
          for (String factId : node.cites()) {
            Fact fact = fact(workflow, factId);
            if (fact != null && fact.statement() != null) {
              facts++;
              factsStated += said.contains(fact.statement().toLowerCase(Locale.ROOT)) ? 1 : 0;
            }
          }
        }
      }
    }
    double turns = steps.size();
    parts.put(MetricName.NODE_ACCURACY, new double[] {nodes, turns});
    parts.put(MetricName.HUB_ACCURACY, new double[] {hubsRight, hubs});
    parts.put(MetricName.TERMINAL_ACCURACY, new double[] {conversation.terminalCorrect() ? 1 : 0, 1});
    parts.put(MetricName.PATH_FIDELITY, new double[] {conversation.pathFidelity() ? 1 : 0, 1});
    parts.put(MetricName.SLOT_ACCURACY, new double[] {argsRight, args});
    parts.put(MetricName.TOOL_CALL_ACCURACY, new double[] {callsRight, calls});
    parts.put(MetricName.FACT_ACCURACY, new double[] {factsStated, facts});
    parts.put(MetricName.INVALID_TAG_RATE, new double[] {invalid, turns});
    parts.put(MetricName.GROUNDED_CALL_RATE, new double[] {callsGrounded, callsMade});
    parts.put(MetricName.COMPLETION_RATE, new double[] {conversation.completed() ? 1 : 0, 1});
    parts.put(MetricName.TURNS_TO_COMPLETION, conversation.completed() ? new double[] {turns, 1} : new double[2]);
    parts.put(MetricName.CHRF, reference.map(d -> chrf(conversation, d)).orElse(new double[2]));
    return new ConversationScores(parts);
  }

  /**
   * chrF of the conversation's agent text turns against the reference's agent text turns in the same order, over the
   * turns both have: tool turns carry no text, and a conversation cut short scores only the turns it has.
   */
  private static double[] chrf(ConversationResult conversation, Dialogue reference) {
    List<String> mine = new ArrayList<>();
    for (StepResult s : conversation.steps()) {
      if (s.predictedCall() == null && s.expectedCall() == null) {
        mine.add(s.text());
      }
    }
    List<String> theirs = new ArrayList<>();
    for (Turn t : reference.turns()) {
      if (t.role() == Role.AGENT) {
        theirs.add(t.text());
      }
    }
    int n = Math.min(mine.size(), theirs.size());
    double sum = 0;
    for (int i = 0; i < n; i++) {
      sum += Chrf.score(mine.get(i), theirs.get(i));
    }
    return new double[] {sum, n};
  }

  private static Fact fact(Workflow workflow, String id) {
    for (Fact f : workflow.knowledge()) {
      if (id.equals(f.id())) {
        return f;
      }
    }
    return null;
  }
}

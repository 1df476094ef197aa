package dev.subterra.jobs.probe;

import java.util.ArrayList;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Predicate;

/**
 * The scores of a probe run, overall and per kind: node accuracy over every agent step, exact tool-call accuracy over
 * the steps that expect a call, accuracy per argument ({@code tool.argument}) over the calls that expect it, and the
 * conversations whose every step is right.
 *
 * @param overall every conversation
 * @param perKind the conversations of each kind the set holds, in {@link ProbeKind} order
 */
public record ProbeScores(Tally overall, Map<ProbeKind, Tally> perKind) {

  public ProbeScores {
    perKind = java.util.Collections.unmodifiableMap(new EnumMap<>(perKind));
  }

  /** Correct out of total, and the rate (NaN when there is nothing to count). */
  public record Count(int correct, int total) {
    public Count {
      if (correct < 0 || correct > total) {
        throw new IllegalArgumentException("Invalid count: " + correct + " of " + total);
      }
    }

    public double rate() {
      return total == 0 ? Double.NaN : (double) correct / total;
    }

    Count plus(boolean right) {
      return new Count(correct + (right ? 1 : 0), total + 1);
    }
  }

  /**
   * The scores of one group of conversations.
   *
   * @param conversations conversations, and how many had every step right
   * @param nodes agent steps, and how many were at the expected node
   * @param calls steps that expect a call, and how many made it exactly
   * @param arguments for each {@code tool.argument}, the expected calls, and how many had that value right
   */
  public record Tally(Count conversations, Count nodes, Count calls, Map<String, Count> arguments) {
    public Tally {
      arguments = java.util.Collections.unmodifiableMap(new TreeMap<>(arguments));
    }
  }

  /** Scores step results; {@code results} holds every step of every conversation scored. */
  public static ProbeScores of(List<StepResult> results) {
    Tally overall = tally(results, r -> true);
    Map<ProbeKind, Tally> perKind = new EnumMap<>(ProbeKind.class);
    for (ProbeKind kind : ProbeKind.values()) {
      if (results.stream().anyMatch(r -> r.kind() == kind)) {
        perKind.put(kind, tally(results, r -> r.kind() == kind));
      }
    }
    return new ProbeScores(overall, perKind);
  }

  private static Tally tally(List<StepResult> all, Predicate<StepResult> in) {
    Map<String, Boolean> conversationRight = new LinkedHashMap<>();
    Count nodes = new Count(0, 0);
    Count calls = new Count(0, 0);
    Map<String, Count> arguments = new LinkedHashMap<>();
    for (StepResult r : all) {
      if (!in.test(r)) {
        continue;
      }
      conversationRight.merge(r.conversation(), r.correct(), Boolean::logicalAnd);
      nodes = nodes.plus(r.nodeCorrect());
      if (r.expected().expectsCall()) {
        calls = calls.plus(r.callExact());
        for (String argument : r.expected().call().arguments().keySet()) {
          arguments.merge(r.expected().call().name() + "." + argument,
              new Count(0, 0).plus(r.argumentCorrect(argument)),
              (a, b) -> new Count(a.correct() + b.correct(), a.total() + b.total()));
        }
      }
    }
    int right = (int) conversationRight.values().stream().filter(b -> b).count();
    return new Tally(new Count(right, conversationRight.size()), nodes, calls, arguments);
  }

  /** The argument keys of every group, sorted. */
  public List<String> argumentKeys() {
    return new ArrayList<>(new java.util.TreeSet<>(overall.arguments().keySet()));
  }
}

package dev.subterra.evaluation.report;

import dev.subterra.evaluation.cost.CostReport;
import dev.subterra.evaluation.judge.JudgeSummary;
import dev.subterra.evaluation.metrics.Cohort;
import dev.subterra.evaluation.metrics.LanguageCohort;
import dev.subterra.evaluation.metrics.Estimate;
import dev.subterra.evaluation.metrics.EvaluationMetrics;
import dev.subterra.evaluation.metrics.MetricName;
import dev.subterra.evaluation.metrics.MetricSet;
import dev.subterra.workflow.Workflow;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The evaluation report as one self-contained HTML page: the charts inlined as base64 PNG data URIs, no script, style
 * sheet or font from anywhere else, so the file can be mailed or archived and opens offline.
 *
 * <p>It shows the headline metrics of every policy with their intervals and counts per cohort, the cost per
 * conversation beside the assumptions it rests on, quality against cost ({@link ReportCharts#qualityVsCost}), the
 * student's node accuracy over the workflow, where conversations first go wrong, and the judge's scores when a judge
 * ran.
 */
public final class HtmlReport {
  /** The metrics of the summary table, in order. */
  static final List<String> TABLE_METRICS = List.of(MetricName.NODE_ACCURACY, MetricName.HUB_ACCURACY,
      MetricName.TERMINAL_ACCURACY, MetricName.PATH_FIDELITY, MetricName.PASS_K, MetricName.SLOT_ACCURACY,
      MetricName.TOOL_CALL_ACCURACY, MetricName.INVALID_TAG_RATE, MetricName.COMPLETION_RATE, MetricName.CHRF);
  /** The most nodes the first-wrong-node chart shows. */
  static final int MAX_WRONG_NODES = 25;

  private HtmlReport() {}

  /**
   * One policy's results.
   *
   * @param name the policy's stable name ({@code student}, {@code baseline}, {@code reference})
   * @param label what the report calls it
   * @param metrics its metrics
   * @param costUsdPerConversation its mean cost per conversation; {@code NaN} when it is not priced
   */
  public record PolicyResult(String name, String label, EvaluationMetrics metrics, double costUsdPerConversation) {}

  /**
   * Everything the report shows.
   *
   * @param workflow the workflow evaluated
   * @param scenarios how many fresh scenarios were played
   * @param k the k of pass^k
   * @param policies the student first, then the baseline and the teacher's replay where they were played
   * @param cost the student's cost against the frontier baselines
   * @param teacher the teacher's name and conformance rate from synthesis ({@code null} values when unknown)
   * @param judge the judge's scores, or {@code null} without a judge
   * @param provenance how the report was made
   * @param languages the student's metrics per language cohort, the headline cohort's among them; empty when the
   *     evaluation played one
   */
  public record Input(Workflow workflow, int scenarios, int k, List<PolicyResult> policies, CostReport cost,
      Map<String, Object> teacher, JudgeSummary judge, Map<String, Object> provenance,
      Map<LanguageCohort, EvaluationMetrics> languages) {
    public Input {
      languages = languages.isEmpty() ? Map.of() : java.util.Collections.unmodifiableMap(
          new java.util.EnumMap<>(languages));
      policies = List.copyOf(policies);
      if (policies.isEmpty()) {
        throw new IllegalArgumentException("Invalid policies: none");
      }
    }
  }

  /** The page. */
  public static String render(Input in) {
    PolicyResult student = in.policies().get(0);
    PolicyResult reference = in.policies().stream().filter(p -> p.name().equals("reference")).findFirst()
        .orElse(null);
    StringBuilder h = new StringBuilder(32_768);
    h.append("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<title>Evaluation of the ")
        .append(esc(in.workflow().displayName())).append(" student</title>\n<style>\n")
        .append("body{font-family:sans-serif;margin:2em auto;max-width:1100px;color:#222}")
        .append("table{border-collapse:collapse;margin:1em 0}td,th{border:1px solid #ccc;padding:4px 8px;")
        .append("text-align:right;font-size:13px}th{background:#f3f3f3}td:first-child,th:first-child{text-align:left}")
        .append("img{max-width:100%;border:1px solid #eee;margin:0.5em 0}.note{color:#555;font-size:13px}\n")
        .append("</style>\n</head>\n<body>\n");
    h.append("<h1>Evaluation of the ").append(esc(in.workflow().displayName())).append(" student</h1>\n");
    h.append("<p>").append(in.scenarios()).append(" fresh scenarios played closed-loop against the user and tool ")
        .append("simulators").append(in.k() > 1 ? ", " + in.k() + " sampled runs each" : ", greedy decoding")
        .append(". Intervals are 95% bootstrap intervals over scenarios; n counts the metric's units.</p>\n");

    if (!in.languages().isEmpty()) {
      h.append("<h2>By the users' language</h2>\n<p class=\"note\">The student over all conversations of each ")
          .append("language cohort. The tables below are the <b>").append(LanguageCohort.HEADLINE.wireName())
          .append("</b> cohort's: users who speak only wording no training dialogue used.</p>\n<table>\n")
          .append("<tr><th>metric</th>");
      in.languages().keySet().forEach(l -> h.append("<th>").append(l.wireName()).append("</th>"));
      h.append("</tr>\n");
      for (String metric : List.of(MetricName.NODE_ACCURACY, MetricName.TOOL_CALL_ACCURACY, MetricName.SLOT_ACCURACY,
          MetricName.PATH_FIDELITY, MetricName.HUB_ACCURACY, MetricName.TERMINAL_ACCURACY)) {
        h.append("<tr><td>").append(metric).append("</td>");
        in.languages().values().forEach(m -> h.append("<td>").append(estimate(m.cohort(Cohort.ALL).get(metric)))
            .append("</td>"));
        h.append("</tr>\n");
      }
      h.append("</table>\n");
    }

    h.append("<h2>Summary</h2>\n");
    for (Cohort cohort : Cohort.values()) {
      MetricSet first = student.metrics().cohort(cohort);
      if (first == null || first.scenarios() == 0) {
        continue;
      }
      h.append("<h3>").append(cohortTitle(cohort)).append(" (").append(first.scenarios()).append(" scenarios)</h3>\n");
      h.append("<table>\n<tr><th>metric</th>");
      in.policies().forEach(p -> h.append("<th>").append(esc(p.label())).append("</th>"));
      h.append("</tr>\n");
      for (String metric : TABLE_METRICS) {
        h.append("<tr><td>").append(metric).append("</td>");
        for (PolicyResult p : in.policies()) {
          MetricSet set = p.metrics().cohort(cohort);
          h.append("<td>").append(set == null ? "–" : estimate(set.get(metric))).append("</td>");
        }
        h.append("</tr>\n");
      }
      h.append("</table>\n");
    }

    h.append("<h2>Cost per conversation</h2>\n<table>\n<tr><th>agent</th><th>USD per conversation</th>")
        .append("<th>in-context / this</th></tr>\n");
    CostReport cost = in.cost();
    double inContext = cost.inContextUsdPerConversation().doubleValue();
    for (PolicyResult p : in.policies()) {
      if (Double.isFinite(p.costUsdPerConversation()) && p.costUsdPerConversation() > 0) {
        h.append("<tr><td>").append(esc(p.label())).append("</td><td>")
            .append(String.format("%.3g", p.costUsdPerConversation())).append("</td><td>")
            .append(String.format("%.0f×", inContext / p.costUsdPerConversation())).append("</td></tr>\n");
      }
    }
    h.append("<tr><td>frontier, procedure in context</td><td>").append(String.format("%.3g", inContext))
        .append("</td><td>1×</td></tr>\n");
    h.append("<tr><td>frontier, orchestrated per node</td><td>")
        .append(String.format("%.3g", cost.orchestratedUsdPerConversation().doubleValue())).append("</td><td>")
        .append(String.format("%.2f×", inContext / cost.orchestratedUsdPerConversation().doubleValue()))
        .append("</td></tr>\n</table>\n");
    h.append("<p><b>cost_ratio_in_context</b> (in-context frontier over student): ")
        .append(Double.isFinite(cost.ratioInContext()) ? String.format("%.0f×", cost.ratioInContext()) : "–")
        .append(", on these assumptions:</p>\n<table>\n");
    cost.assumptions().toMap().forEach((key, value) -> h.append("<tr><td>").append(esc(key)).append("</td><td>")
        .append(esc(String.valueOf(value))).append("</td></tr>\n"));
    h.append("</table>\n");

    h.append("<h2>Quality against cost</h2>\n");
    List<ReportCharts.Point> points = new ArrayList<>();
    for (PolicyResult p : in.policies()) {
      if (Double.isFinite(p.costUsdPerConversation()) && p.costUsdPerConversation() > 0) {
        points.add(new ReportCharts.Point(p.label(), p.metrics().cohort(Cohort.ALL).get(MetricName.PATH_FIDELITY),
            p.costUsdPerConversation()));
      }
    }
    List<ReportCharts.CostLine> lines = List.of(
        new ReportCharts.CostLine("in-context frontier", inContext),
        new ReportCharts.CostLine("orchestrated frontier", cost.orchestratedUsdPerConversation().doubleValue()));
    Estimate upper = reference == null ? null : reference.metrics().cohort(Cohort.ALL).get(MetricName.PATH_FIDELITY);
    image(h, "quality-vs-cost", "Path fidelity against cost per conversation",
        ReportCharts.qualityVsCost("path fidelity (all conversations)", points, lines, upper,
            "teacher's dialogues replayed (upper bound)"));
    h.append("<p class=\"note\">Points: measured path fidelity with its interval. Dashed vertical lines: what a ")
        .append(esc(String.valueOf(cost.assumptions().frontier().model())))
        .append(" frontier model would cost on the same conversations; its quality was not measured here.")
        .append(" Dotted line: the teacher's own dialogues replayed through the same harness.</p>\n");

    h.append("<h2>Node accuracy over the workflow</h2>\n");
    for (PolicyResult p : in.policies()) {
      if (p.name().equals("reference")) {
        continue;
      }
      image(h, "heatmap-" + p.name(), "Node accuracy of the " + p.label() + " over the workflow",
          ReportCharts.nodeHeatMap(in.workflow(), p.metrics().nodeAccuracy(), "Node accuracy: " + p.label()));
    }

    h.append("<h2>Where conversations first go wrong</h2>\n");
    Map<String, Map<String, Long>> wrong = new LinkedHashMap<>();
    for (PolicyResult p : in.policies()) {
      if (!p.name().equals("reference")) {
        wrong.put(p.label(), p.metrics().firstWrongNodes());
      }
    }
    image(h, "first-wrong-node", "Conversations by the node where they first went wrong",
        ReportCharts.firstWrongNodes(wrong, MAX_WRONG_NODES));

    h.append("<h2>Teacher</h2>\n<p>");
    Object conformance = in.teacher().get("conformance_rate");
    h.append("Teacher <b>").append(esc(String.valueOf(in.teacher().getOrDefault("teacher", "unknown"))))
        .append("</b>; conformance rate in synthesis: ")
        .append(conformance instanceof Number n ? String.format("%.3f", n.doubleValue()) : "not recorded")
        .append(". Its dialogues of the evaluation scenarios, replayed, score ")
        .append(upper == null ? "–" : estimate(upper)).append(" path fidelity.</p>\n");

    if (in.judge() != null) {
      JudgeSummary j = in.judge();
      h.append("<h2>LLM judge</h2>\n<p>Judge <b>").append(esc(j.judge())).append("</b> scored ").append(j.scored())
          .append(" of ").append(j.conversations()).append(" student conversations (1–5 per criterion); ")
          .append(j.failed()).append(" could not be scored.</p>\n<table>\n<tr><th>criterion</th><th>mean</th></tr>\n");
      j.criteria().forEach((name, e) -> h.append("<tr><td>").append(esc(name)).append("</td><td>")
          .append(estimate(e)).append("</td></tr>\n"));
      h.append("</table>\n");
      if (!j.failures().isEmpty()) {
        h.append("<p class=\"note\">Failures: ");
        j.failures().forEach((reason, n) -> h.append(esc(reason)).append(" (").append(n).append("); "));
        h.append("</p>\n");
      }
    }

    h.append("<h2>Provenance</h2>\n<table>\n");
    in.provenance().forEach((key, value) -> h.append("<tr><td>").append(esc(key)).append("</td><td>")
        .append(esc(String.valueOf(value))).append("</td></tr>\n"));
    h.append("</table>\n</body>\n</html>\n");
    return h.toString();
  }

  private static void image(StringBuilder h, String id, String alt, byte[] png) {
    h.append("<img id=\"").append(id).append("\" alt=\"").append(esc(alt)).append("\" src=\"data:image/png;base64,")
        .append(Base64.getEncoder().encodeToString(png)).append("\">\n");
  }

  private static String estimate(Estimate e) {
    return e.isDefined() ? String.format("%.3f [%.3f, %.3f] n=%d", e.value(), e.low(), e.high(), e.count()) : "–";
  }

  private static String cohortTitle(Cohort cohort) {
    return switch (cohort) {
      case ALL -> "All conversations";
      case TRAINING_PATHS -> "Training paths (the headline cohort)";
      case UNSEEN_PATHS -> "Unseen paths (validation and test)";
      case HELDOUT_PATHS -> "Held-out paths";
    };
  }

  static String esc(String s) {
    if (s == null) {
      return "";
    }
    StringBuilder out = new StringBuilder(s.length());
    for (char c : s.toCharArray()) {
      switch (c) {
        case '<' -> out.append("&lt;");
        case '>' -> out.append("&gt;");
        case '&' -> out.append("&amp;");
        case '"' -> out.append("&quot;");
        case '\'' -> out.append("&#39;");
        default -> out.append(c);
      }
    }
    return out.toString();
  }
}

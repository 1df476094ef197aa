package dev.subterra.jobs.probe;

import dev.subterra.jobs.Provenance;
import dev.subterra.serving.ServedModel;
import dev.subterra.synthesis.ToolInvocation;
import dev.subterra.training.serial.DialogueSerializer;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The result of a probe run: every step's expectation and what the student did, the scores overall and per kind, and
 * where it came from (the probe file's hash, the model's weights and workflow hashes, the settings, the versions and
 * the time). {@link #toJson()} is what {@code --out} writes; {@link #summary(int)} is what the command prints.
 */
public final class ProbeReport {
  /** Words of the student shown beside a wrong step, at most. */
  private static final int TEXT_PREVIEW = 60;

  private final ProbeSet set;
  private final String modelId;
  private final String weightsHash;
  private final String workflowContentHash;
  private final int maxNewTokens;
  private final int maxBatch;
  private final List<StepResult> steps;
  private final ProbeScores scores;
  private final Map<String, Object> provenance;

  ProbeReport(ProbeSet set, ServedModel model, int maxNewTokens, int maxBatch, List<StepResult> steps,
      ProbeScores scores) {
    this(set, model.id(), model.artefact().provenance().weightsHash(),
        model.artefact().provenance().workflowContentHash(), maxNewTokens, maxBatch, steps, scores);
  }

  /** A report from its parts: for tests, and for a model not at hand. */
  public ProbeReport(ProbeSet set, String modelId, String weightsHash, String workflowContentHash, int maxNewTokens,
      int maxBatch, List<StepResult> steps, ProbeScores scores) {
    this.set = set;
    this.modelId = modelId;
    this.weightsHash = weightsHash;
    this.workflowContentHash = workflowContentHash;
    this.maxNewTokens = maxNewTokens;
    this.maxBatch = maxBatch;
    this.steps = List.copyOf(steps);
    this.scores = scores;
    Map<String, Object> p = new LinkedHashMap<>(Provenance.current(null));
    p.remove("spark_version");
    this.provenance = p;
  }

  public ProbeSet set() {
    return set;
  }

  public List<StepResult> steps() {
    return steps;
  }

  public ProbeScores scores() {
    return scores;
  }

  /** The report as JSON-ready maps and lists, in a stable key order. */
  public Map<String, Object> toJson() {
    Map<String, Object> doc = new LinkedHashMap<>();
    doc.put("workflow", set.workflowId());
    doc.put("conversations_file", set.source());
    doc.put("conversations_sha256", set.sha256());
    Map<String, Object> model = new LinkedHashMap<>();
    model.put("id", modelId);
    model.put("weights_hash", weightsHash);
    model.put("workflow_content_hash", workflowContentHash);
    doc.put("model", model);
    Map<String, Object> settings = new LinkedHashMap<>();
    settings.put("teacher_forced", true);
    settings.put("decoding", "greedy");
    settings.put("max_new_tokens", maxNewTokens);
    settings.put("max_batch", maxBatch);
    doc.put("settings", settings);
    doc.put("overall", tally(scores.overall()));
    Map<String, Object> perKind = new LinkedHashMap<>();
    scores.perKind().forEach((kind, t) -> perKind.put(kind.wireName(), tally(t)));
    doc.put("per_kind", perKind);
    List<Object> conversations = new ArrayList<>();
    for (ProbeConversation c : set.conversations()) {
      List<StepResult> own = steps.stream().filter(s -> s.conversation().equals(c.id())).toList();
      Map<String, Object> out = new LinkedHashMap<>();
      out.put("id", c.id());
      out.put("kind", c.kind().wireName());
      if (c.note() != null) {
        out.put("note", c.note());
      }
      out.put("right", own.stream().allMatch(StepResult::correct));
      out.put("first_wrong_turn", own.stream().filter(s -> !s.correct()).findFirst().map(s -> s.turn() + 1)
          .orElse(null));
      out.put("steps", own.stream().map(ProbeReport::step).toList());
      conversations.add(out);
    }
    doc.put("conversations", conversations);
    doc.put("provenance", provenance);
    return doc;
  }

  private static Map<String, Object> tally(ProbeScores.Tally t) {
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("conversations", t.conversations().total());
    out.put("conversations_right", t.conversations().correct());
    out.put("conversation_accuracy", rate(t.conversations()));
    out.put("steps", t.nodes().total());
    out.put("node_correct", t.nodes().correct());
    out.put("node_accuracy", rate(t.nodes()));
    out.put("calls", t.calls().total());
    out.put("calls_exact", t.calls().correct());
    out.put("call_accuracy", rate(t.calls()));
    Map<String, Object> arguments = new LinkedHashMap<>();
    t.arguments().forEach((name, c) -> {
      Map<String, Object> a = new LinkedHashMap<>();
      a.put("correct", c.correct());
      a.put("total", c.total());
      a.put("accuracy", rate(c));
      arguments.put(name, a);
    });
    out.put("arguments", arguments);
    return out;
  }

  /** A rate for JSON: null when there is nothing to count (JSON has no NaN). */
  private static Double rate(ProbeScores.Count c) {
    return c.total() == 0 ? null : c.rate();
  }

  private static Map<String, Object> step(StepResult s) {
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("turn", s.turn() + 1);
    Map<String, Object> expected = new LinkedHashMap<>();
    expected.put("node", s.expected().node());
    if (s.expected().expectsCall()) {
      expected.put("call", call(s.expected().call()));
    }
    out.put("expected", expected);
    Map<String, Object> got = new LinkedHashMap<>();
    got.put("node", s.gotNode());
    if (s.gotCall() != null) {
      got.put("call", call(s.gotCall()));
    }
    got.put("text", s.gotText());
    out.put("got", got);
    out.put("node_correct", s.nodeCorrect());
    if (s.expected().expectsCall()) {
      out.put("call_exact", s.callExact());
      Map<String, Object> arguments = new LinkedHashMap<>();
      s.expected().call().arguments().keySet().forEach(a -> arguments.put(a, s.argumentCorrect(a)));
      out.put("arguments_correct", arguments);
    }
    out.put("correct", s.correct());
    out.put("prompt_tokens_dropped", s.promptTokensDropped());
    out.put("stop", s.stop());
    return out;
  }

  private static Map<String, Object> call(ToolInvocation call) {
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("name", call.name());
    out.put("arguments", call.arguments());
    out.put("text", DialogueSerializer.formatCall(call));
    return out;
  }

  /**
   * The printed report: a table per kind, accuracy per argument, then the first {@code maxWrong} wrong calls as
   * {@code expected → got} and the first wrong nodes at steps that expect words, in file order.
   */
  public List<String> summary(int maxWrong) {
    List<String> lines = new ArrayList<>();
    ProbeScores.Tally all = scores.overall();
    lines.add(String.format(Locale.ROOT, "Probe %s: %d conversations, %d agent steps, %d expected calls, "
        + "teacher-forced through the server's path (%s)", set.workflowId(), all.conversations().total(),
        all.nodes().total(), all.calls().total(), set.source()));
    lines.add("");
    lines.add(String.format(Locale.ROOT, "%-12s %-20s %-20s %s", "kind", "conversations right", "node accuracy",
        "exact calls"));
    scores.perKind().forEach((kind, t) -> lines.add(row(kind.wireName(), t)));
    lines.add(row("overall", all));
    lines.add("");
    List<ProbeKind> kinds = new ArrayList<>(scores.perKind().keySet());
    StringBuilder header = new StringBuilder(String.format(Locale.ROOT, "%-32s %-16s", "argument", "overall"));
    kinds.forEach(k -> header.append(String.format(Locale.ROOT, " %-10s", k.wireName())));
    lines.add(header.toString().stripTrailing());
    for (String argument : scores.argumentKeys()) {
      StringBuilder row = new StringBuilder(String.format(Locale.ROOT, "%-32s %-16s", argument,
          count(all.arguments().get(argument))));
      for (ProbeKind k : kinds) {
        ProbeScores.Count c = scores.perKind().get(k).arguments().get(argument);
        row.append(String.format(Locale.ROOT, " %-10s", c == null ? "-" : rate(c.rate())));
      }
      lines.add(row.toString().stripTrailing());
    }
    List<StepResult> wrongCalls = steps.stream().filter(s -> s.expected().expectsCall() && !s.callExact()).toList();
    lines.add("");
    lines.add(String.format(Locale.ROOT, "Wrong calls (%d of %d):", Math.min(maxWrong, wrongCalls.size()),
        wrongCalls.size()));
    for (StepResult s : wrongCalls.subList(0, Math.min(maxWrong, wrongCalls.size()))) {
      lines.add("  " + where(s) + DialogueSerializer.formatCall(s.expected().call()) + " \u2192 " + got(s));
    }
    List<StepResult> wrongNodes = steps.stream().filter(s -> !s.expected().expectsCall() && !s.correct()).toList();
    lines.add(String.format(Locale.ROOT, "Wrong steps where the agent should speak (%d of %d):",
        Math.min(maxWrong, wrongNodes.size()), wrongNodes.size()));
    for (StepResult s : wrongNodes.subList(0, Math.min(maxWrong, wrongNodes.size()))) {
      lines.add("  " + where(s) + s.expected().node() + " \u2192 " + got(s));
    }
    return lines;
  }

  private static String row(String name, ProbeScores.Tally t) {
    return String.format(Locale.ROOT, "%-12s %-20s %-20s %s", name, count(t.conversations()), count(t.nodes()),
        count(t.calls()));
  }

  private static String count(ProbeScores.Count c) {
    return c == null || c.total() == 0 ? "-" : rate(c.rate()) + " (" + c.correct() + "/" + c.total() + ")";
  }

  private static String rate(double r) {
    return Double.isNaN(r) ? "-" : String.format(Locale.ROOT, "%.2f", r);
  }

  private static String where(StepResult s) {
    return s.conversation() + " turn " + (s.turn() + 1) + ": ";
  }

  /** What the student did: its call, or its node and the start of its words. */
  private static String got(StepResult s) {
    if (s.gotCall() != null) {
      String call = DialogueSerializer.formatCall(s.gotCall());
      return s.nodeCorrect() ? call : "[" + s.gotNode() + "] " + call;
    }
    String text = s.gotText().strip().replaceAll("\\s+", " ");
    if (text.length() > TEXT_PREVIEW) {
      text = text.substring(0, TEXT_PREVIEW) + "\u2026";
    }
    return (s.expected().expectsCall() ? "no call: " : "") + "[" + s.gotNode() + "] \"" + text + "\"";
  }
}

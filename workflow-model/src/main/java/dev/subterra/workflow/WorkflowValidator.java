package dev.subterra.workflow;

import java.time.LocalDate;
import java.time.format.DateTimeParseException;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Checks a workflow before any work is done on it, and reports every problem, not just the first.
 *
 * <p>Rules: ids are present, unique and safe as file names; the start node exists; every edge points at a node; every
 * node is reachable from the start; every non-terminal node has a way out and can reach a terminal (no dead-end
 * traps); decisions have at least two conditional edges; tool nodes call a named tool with arguments from declared
 * slots and label their edges with distinct outcomes; guards, template placeholders and citations name declared slots
 * and facts; each node kind carries only the fields that make sense for it.
 */
public final class WorkflowValidator {
  /** Ids become file names, Parquet values and tags in the student's vocabulary, so keep them plain. */
  public static final Pattern SAFE_ID = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_.-]{0,79}");

  private static final Pattern PLACEHOLDER = Pattern.compile("\\{([^{}]*)}");

  private final List<WorkflowProblem> problems = new ArrayList<>();
  private final Workflow workflow;

  private WorkflowValidator(Workflow workflow) {
    this.workflow = workflow;
  }

  /** Every problem of a workflow, in document order where possible; empty when it is valid. */
  public static List<WorkflowProblem> validate(Workflow workflow) {
    WorkflowValidator validator = new WorkflowValidator(workflow);
    validator.run();
    return List.copyOf(validator.problems);
  }

  private void run() {
    checkId("", "workflow id", workflow.id());
    checkSlots();
    checkKnowledge();
    if (workflow.nodes().isEmpty()) {
      problem("/nodes", "the workflow has no nodes");
      return;
    }
    Map<String, Integer> index = checkNodeIds();
    if (workflow.start() == null || workflow.start().isBlank()) {
      problem("/start", "missing field 'start': name the node where conversations begin");
    } else if (!index.containsKey(workflow.start())) {
      problem("/start", "start node '" + workflow.start() + "' is not a node of this workflow");
    }
    for (int i = 0; i < workflow.nodes().size(); i++) {
      checkNode(i, workflow.nodes().get(i), index);
    }
    if (workflow.nodes().stream().noneMatch(Node::isTerminal)) {
      problem("/nodes", "the workflow has no terminal node, so no conversation can end");
    }
    if (index.containsKey(workflow.start())) {
      checkGraph(index);
    }
  }

  private void checkSlots() {
    for (Map.Entry<String, Slot> entry : workflow.slots().entrySet()) {
      String name = entry.getKey();
      Slot slot = entry.getValue();
      String at = "/slots/" + name;
      checkId(at, "slot name", name);
      if (slot == null || slot.type() == null) {
        problem(at + "/type", "slot '" + name + "' has no type: use one of string, number, date, enum, text");
        continue;
      }
      boolean hasRange = slot.min() != null || slot.max() != null;
      if (hasRange && slot.type() != SlotType.NUMBER) {
        problem(at + "/min", "slot '" + name + "' is " + article(slot.type().wireName()) + ": only number slots take"
            + " min/max");
      }
      if (slot.type() == SlotType.NUMBER && hasRange) {
        if (slot.min() == null || slot.max() == null || slot.min() > slot.max()) {
          problem(at + "/min", "slot '" + name + "' needs both min and max with min <= max, got min=" + slot.min()
              + " max=" + slot.max());
        }
      } else if (slot.values().isEmpty()) {
        problem(at, "slot '" + name + "' has no values: give a pool of example values"
            + (slot.type() == SlotType.NUMBER ? " or min and max" : ""));
      }
      for (int v = 0; v < slot.values().size(); v++) {
        String value = slot.values().get(v);
        String valueAt = at + "/values/" + v;
        if (value == null || value.isBlank()) {
          problem(valueAt, "slot '" + name + "' has an empty value");
        } else if (slot.type() == SlotType.NUMBER && !isNumber(value)) {
          problem(valueAt, "slot '" + name + "' is a number but value '" + value + "' is not");
        } else if (slot.type() == SlotType.DATE && !isDate(value)) {
          problem(valueAt, "slot '" + name + "' is a date but value '" + value + "' is not an ISO date (2026-03-14)");
        }
      }
      checkOpenValues(name, slot, at);
    }
  }

  /** A generator only for an open slot; a format that fits the type; phrasings that say the slot's value. */
  private void checkOpenValues(String name, Slot slot, String at) {
    if (slot.generate() != null && !slot.isOpen()) {
      problem(at + "/generate", "slot '" + name + "' is " + article(slot.type().wireName()) + ": only string and text"
          + " slots take a generator (their values are examples of an open set)");
    }
    ValueFormat format = slot.format();
    if (format != null) {
      boolean fits = switch (format) {
        case NUMBER, MONEY, DURATION -> slot.type() == SlotType.NUMBER;
        case DATE -> slot.type() == SlotType.DATE;
        case ENUM -> slot.type() == SlotType.ENUM;
        case EMAIL, TEXT -> slot.isOpen();
      };
      if (!fits) {
        problem(at + "/format", "slot '" + name + "' is " + article(slot.type().wireName()) + ", which format '"
            + format.wireName() + "' does not fit (number, money and duration are for numbers, date for dates, enum"
            + " for enums, email and text for strings)");
      }
    }
    String placeholder = "{" + name + "}";
    for (int p = 0; p < slot.phrasings().size(); p++) {
      String phrasing = slot.phrasings().get(p);
      if (phrasing == null || !phrasing.contains(placeholder)) {
        problem(at + "/phrasings/" + p, "slot '" + name + "' phrasing '" + phrasing + "' does not say the value: it"
            + " needs the placeholder " + placeholder);
      }
    }
  }

  private void checkKnowledge() {
    Set<String> seen = new HashSet<>();
    for (int i = 0; i < workflow.knowledge().size(); i++) {
      Fact fact = workflow.knowledge().get(i);
      String at = "/knowledge/" + i;
      checkId(at + "/id", "fact id", fact.id());
      if (fact.id() != null && !seen.add(fact.id())) {
        problem(at + "/id", "duplicate fact id '" + fact.id() + "'");
      }
      boolean qa = fact.question() != null && fact.answer() != null;
      boolean kv = fact.key() != null && fact.value() != null;
      if (qa == kv) {
        problem(at, "fact '" + fact.id() + "' must have either question and answer, or key and value");
      }
    }
  }

  private Map<String, Integer> checkNodeIds() {
    Map<String, Integer> index = new LinkedHashMap<>();
    for (int i = 0; i < workflow.nodes().size(); i++) {
      Node node = workflow.nodes().get(i);
      checkId("/nodes/" + i + "/id", "node id", node.id());
      if (node.id() == null || node.id().isBlank()) {
        continue; // reported as missing; no edge can name it
      }
      Integer first = index.putIfAbsent(node.id(), i);
      if (first != null) {
        problem("/nodes/" + i + "/id", "duplicate node id '" + node.id() + "' (first defined as node #" + (first + 1) + ")");
      }
    }
    return index;
  }

  private void checkNode(int i, Node node, Map<String, Integer> index) {
    String at = "/nodes/" + i;
    String name = "node '" + node.id() + "'";
    if (node.kind() == null) {
      problem(at + "/kind", name + " has no kind: use one of agent, user, decision, tool, terminal");
      return;
    }
    String kind = node.kind().wireName();
    forbid(at, name, kind, "tool", node.tool() != null && node.kind() != NodeKind.TOOL);
    forbid(at, name, kind, "outcome", node.outcome() != null && node.kind() != NodeKind.TERMINAL);
    boolean speaks = node.kind() == NodeKind.AGENT || node.kind() == NodeKind.USER;
    forbid(at, name, kind, "templates", !node.templates().isEmpty() && !speaks);
    forbid(at, name, kind, "prompt", node.prompt() != null && !speaks);
    forbid(at, name, kind, "cites", !node.cites().isEmpty() && node.kind() != NodeKind.AGENT);

    if (speaks && node.prompt() == null && node.templates().isEmpty()) {
      // Pointed at the prompt, which is where the node itself is when it has none, so that a prompt the loader rejected
      // (a list, say) is not reported a second time as missing.
      problem(at + "/prompt", name + " (" + kind + ") has neither a prompt nor templates, so no teacher can write its"
          + " turn");
    }
    for (int t = 0; t < node.templates().size(); t++) {
      checkPlaceholders(at + "/templates/" + t, name, node.templates().get(t));
    }
    for (int c = 0; c < node.cites().size(); c++) {
      String factId = node.cites().get(c);
      if (workflow.knowledge().stream().noneMatch(f -> factId.equals(f.id()))) {
        problem(at + "/cites/" + c, name + " cites unknown fact '" + factId + "'");
      }
    }
    switch (node.kind()) {
      case TERMINAL -> {
        if (node.outcome() == null) {
          problem(at + "/outcome", name + " is a terminal without an outcome: use success, abandonment or escalation");
        }
        if (!node.next().isEmpty()) {
          problem(at + "/next", name + " is a terminal but has edges: a terminal ends the conversation");
        }
      }
      case DECISION -> {
        if (node.next().size() < 2) {
          problem(at + "/next", name + " is a decision with " + node.next().size()
              + " edge(s): a decision needs at least two");
        }
      }
      case TOOL -> checkTool(at, name, node);
      default -> { }
    }
    if (!node.isTerminal() && node.next().isEmpty() && node.kind() != NodeKind.DECISION) {
      problem(at + "/next", name + " has no way out: give it 'next' or make it a terminal");
    }
    checkEdges(at, name, node, index);
  }

  private void checkTool(String at, String name, Node node) {
    ToolCall call = node.tool();
    if (call == null || call.name() == null || call.name().isBlank()) {
      problem(at + "/tool", name + " is a tool node without 'tool.name'");
    }
    if (call != null) {
      call.arguments().forEach((argument, slot) -> {
        if (slot == null || !workflow.slots().containsKey(slot)) {
          problem(at + "/tool/arguments/" + argument,
              name + " tool argument '" + argument + "' takes undeclared slot '" + slot + "'");
        }
      });
      for (int r = 0; r < call.returns().size(); r++) {
        if (!workflow.slots().containsKey(call.returns().get(r))) {
          problem(at + "/tool/returns/" + r, name + " tool returns undeclared slot '" + call.returns().get(r) + "'");
        }
      }
    }
    Set<String> outcomes = new HashSet<>();
    for (int e = 0; e < node.next().size(); e++) {
      String outcome = node.next().get(e).outcome();
      if (outcome == null || outcome.isBlank()) {
        problem(at + "/next/" + e, name + " is a tool node: edge " + e + " needs an 'outcome' (success, not_found, error, ...)");
      } else if (!outcomes.add(outcome)) {
        problem(at + "/next/" + e + "/outcome", name + " has two edges for outcome '" + outcome + "'");
      }
    }
  }

  private void checkEdges(String at, String name, Node node, Map<String, Integer> index) {
    Set<String> unconditionalTargets = new HashSet<>();
    for (int e = 0; e < node.next().size(); e++) {
      Edge edge = node.next().get(e);
      String edgeAt = at + "/next/" + e;
      if (edge == null || edge.to() == null || edge.to().isBlank()) {
        problem(edgeAt, name + " edge " + e + " has no target ('to')");
        continue;
      }
      if (!index.containsKey(edge.to())) {
        problem(edgeAt + "/to", name + " edge " + e + " points to unknown node '" + edge.to() + "'");
      }
      boolean conditional = edge.when() != null || edge.guard() != null || edge.outcome() != null;
      if (!conditional && !unconditionalTargets.add(edge.to())) {
        problem(edgeAt, name + " has two unconditional edges to '" + edge.to() + "'");
      }
      if (node.kind() == NodeKind.DECISION && edge.when() == null && edge.guard() == null) {
        problem(edgeAt, name + " is a decision: edge to '" + edge.to() + "' needs a 'when' or a 'guard'");
      }
      if (edge.outcome() != null && node.kind() != NodeKind.TOOL) {
        problem(edgeAt + "/outcome", name + " is not a tool node: only tool edges carry an outcome");
      }
      if (edge.guard() != null) {
        checkGuard(edgeAt + "/guard", name, edge.guard());
      }
    }
  }

  private void checkGuard(String at, String name, Guard guard) {
    Slot slot = guard.slot() == null ? null : workflow.slots().get(guard.slot());
    if (slot == null) {
      problem(at + "/slot", name + " guard names undeclared slot '" + guard.slot() + "'");
      return;
    }
    if (guard.op() == null) {
      problem(at + "/op", name + " guard on '" + guard.slot() + "' has no 'op' (eq, ne, lt, le, gt, ge, in, not_in, present, absent)");
      return;
    }
    List<String> operands = guard.op().takesList() ? guard.values()
        : guard.value() == null ? List.of() : List.of(guard.value());
    if (guard.op().takesList() && guard.values().isEmpty()) {
      problem(at + "/values", name + " guard '" + guard.op().wireName() + "' on '" + guard.slot() + "' needs 'values'");
    } else if (!guard.op().takesList() && !guard.op().takesNothing() && guard.value() == null) {
      problem(at + "/value", name + " guard '" + guard.op().wireName() + "' on '" + guard.slot() + "' needs a 'value'");
    }
    if (guard.op().isOrdering() && slot.type() != SlotType.NUMBER && slot.type() != SlotType.DATE) {
      problem(at + "/op", name + " guard '" + guard.op().wireName() + "' orders slot '" + guard.slot() + "', which is "
          + article(slot.type().wireName()) + ", not a number or date");
    }
    if (slot.type() == SlotType.ENUM) {
      for (int o = 0; o < operands.size(); o++) {
        String operand = operands.get(o);
        if (!slot.values().contains(operand)) {
          problem(at + (guard.op().takesList() ? "/values/" + o : "/value"), name + " guard compares enum slot '"
              + guard.slot() + "' with '" + operand + "', which is not one of " + slot.values());
        }
      }
    }
  }

  private void checkPlaceholders(String at, String name, String template) {
    if (template == null || template.isBlank()) {
      problem(at, name + " has an empty template");
      return;
    }
    Matcher m = PLACEHOLDER.matcher(template);
    while (m.find()) {
      if (!workflow.slots().containsKey(m.group(1))) {
        problem(at, name + " template uses {" + m.group(1) + "}, which is not a declared slot");
      }
    }
  }

  /** Reachability from the start, and from every node to some terminal. */
  private void checkGraph(Map<String, Integer> index) {
    int n = workflow.nodes().size();
    List<List<Integer>> forward = new ArrayList<>();
    List<List<Integer>> backward = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      forward.add(new ArrayList<>());
      backward.add(new ArrayList<>());
    }
    // A node with an edge to an unknown node counts as a way out: that edge is reported on its own, and where it was
    // meant to lead is unknown, so neither it nor the nodes before it are called dead-end traps.
    List<Integer> exits = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      for (Edge edge : workflow.nodes().get(i).next()) {
        Integer target = edge == null ? null : index.get(edge.to());
        if (target != null) {
          forward.get(i).add(target);
          backward.get(target).add(i);
        } else if (edge != null && edge.to() != null && !edge.to().isBlank()) {
          exits.add(i);
        }
      }
    }
    Set<Integer> reachable = closure(List.of(index.get(workflow.start())), forward);
    List<Integer> terminals = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      if (workflow.nodes().get(i).isTerminal()) {
        terminals.add(i);
      }
    }
    List<Integer> finishes = new ArrayList<>(terminals);
    finishes.addAll(exits);
    Set<Integer> canFinish = closure(finishes, backward);
    for (int i = 0; i < n; i++) {
      Node node = workflow.nodes().get(i);
      Integer own = node.id() == null ? null : index.get(node.id());
      if (own == null || own != i) {
        continue; // a missing or duplicate id, reported already
      }
      if (!reachable.contains(i)) {
        problem("/nodes/" + i, "node '" + node.id() + "' is unreachable from start node '" + workflow.start() + "'");
      } else if (!canFinish.contains(i) && !node.next().isEmpty() && !terminals.isEmpty()) {
        // Without any terminal every node would be a trap; "has no terminal node" says it once.
        problem("/nodes/" + i, "node '" + node.id() + "' is a dead-end trap: every way out of it loops back without"
            + " reaching a terminal");
      }
    }
  }

  private static Set<Integer> closure(List<Integer> roots, List<List<Integer>> edges) {
    Set<Integer> seen = new HashSet<>(roots);
    Deque<Integer> todo = new ArrayDeque<>(roots);
    while (!todo.isEmpty()) {
      for (int next : edges.get(todo.pop())) {
        if (seen.add(next)) {
          todo.push(next);
        }
      }
    }
    return seen;
  }

  private void checkId(String at, String what, String id) {
    if (id == null || id.isBlank()) {
      problem(at, "missing " + what);
    } else if (!SAFE_ID.matcher(id).matches()) {
      problem(at, "invalid " + what + " '" + id + "': use letters, digits, '_', '-' and '.', starting with a letter or"
          + " digit, at most 80 characters");
    }
  }

  private void forbid(String at, String name, String kind, String field, boolean present) {
    if (present) {
      problem(at + "/" + field, name + " is " + article(kind) + " node and cannot have '" + field + "'");
    }
  }

  /** "an agent", "an enum", "a user": the words are node kinds and slot types, and no 'u' among them sounds a vowel. */
  private static String article(String word) {
    return (word.matches("[aeio].*") ? "an " : "a ") + word;
  }

  private void problem(String pointer, String message) {
    problems.add(new WorkflowProblem(pointer, message));
  }

  private static boolean isNumber(String value) {
    try {
      Double.parseDouble(value);
      return true;
    } catch (NumberFormatException e) {
      return false;
    }
  }

  private static boolean isDate(String value) {
    try {
      LocalDate.parse(value);
      return true;
    } catch (DateTimeParseException e) {
      return false;
    }
  }
}

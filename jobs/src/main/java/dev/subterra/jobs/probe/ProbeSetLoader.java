package dev.subterra.jobs.probe;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.subterra.synthesis.ToolInvocation;
import dev.subterra.synthesis.ToolTurns;
import dev.subterra.workflow.Edge;
import dev.subterra.workflow.InvalidWorkflowException;
import dev.subterra.workflow.Node;
import dev.subterra.workflow.NodeKind;
import dev.subterra.workflow.Slot;
import dev.subterra.workflow.ToolCall;
import dev.subterra.workflow.ValueFormat;
import dev.subterra.workflow.ValueGenerator;
import dev.subterra.workflow.Workflow;
import dev.subterra.workflow.WorkflowLoader;
import dev.subterra.workflow.WorkflowProblem;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.LocalDate;
import java.time.format.DateTimeParseException;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Pattern;

/**
 * Reads a probe file (YAML or JSON) and checks it against the workflow before anything is played, as Spark ML checks
 * a schema before data moves: every problem is one line, {@code file:line:column: conversation <id>, turn <n>:
 * <what>}, all of them reported together.
 *
 * <p>The format (see {@code docs/probe.md}):
 *
 * <pre>
 * workflow: travel-booking
 * conversations:
 *   - id: tb-written-03
 *     kind: written            # natural, written, unseen, refinement or reference
 *     note: a week, two of us  # optional
 *     turns:
 *       - agent: greet
 *         say: "Hi! Where would you like to go?"
 *       - user: "lisbon from london on march 14th, a week, two of us, 1.5k max"
 *       - agent: search_trips
 *         call: search_packages
 *         arguments: {origin: London, destination: Lisbon, depart_date: 2026-03-14, nights: 7, travellers: 2,
 *                     max_price: 1500}
 *         result: {status: success, option_name: "the saver package ...", option_price: 1340}
 * </pre>
 *
 * <p>Checked: the workflow id; unique conversation ids and a known kind; each turn is a {@code user} message or an
 * {@code agent} step; an agent step names an agent node (with the words it says) or a tool node (with that node's tool,
 * exactly its declared arguments in canonical form, and a result whose {@code status} is one of the node's outcomes and
 * whose other keys are the tool's returns); and each step can follow the one before in the workflow's graph, through
 * user and decision nodes only, with customer messages between them exactly when the way passes a user node (a
 * conversation whose workflow starts with an agent node may also start with the customer). Canonical values: numbers,
 * money and durations as digits, dates ISO {@code yyyy-mm-dd}, enum values spelled as the workflow spells them, emails
 * trimmed and lower case, other text trimmed.
 */
public final class ProbeSetLoader {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Pattern DIGITS = Pattern.compile("[0-9]+(\\.[0-9]+)?");

  private ProbeSetLoader() {}

  /** Reads and checks a probe file against the workflow it is played on. */
  public static ProbeSet load(Path file, Workflow workflow) throws InvalidProbeSetException {
    String source = file.toString();
    byte[] bytes;
    try {
      bytes = WorkflowLoader.readFile(file);
    } catch (InvalidWorkflowException e) {
      throw new InvalidProbeSetException(source, e.problems());
    }
    return parse(source, bytes, WorkflowLoader.formatOf(file.getFileName().toString(), bytes), workflow);
  }

  /** Parses and checks a probe file held in memory; {@code source} names it in messages. */
  public static ProbeSet parse(String source, byte[] bytes, WorkflowLoader.Format format, Workflow workflow)
      throws InvalidProbeSetException {
    WorkflowLoader.Located<Document> document;
    try {
      document = WorkflowLoader.bind(source, bytes, format, Document.class,
          "a probe file must be a mapping with workflow and conversations");
    } catch (InvalidWorkflowException e) {
      throw new InvalidProbeSetException(source, e.problems());
    }
    List<WorkflowProblem> problems = new ArrayList<>();
    List<ProbeConversation> conversations = new Checker(workflow, problems).check(document.value());
    List<WorkflowProblem> later = document.unlessRejected(problems);
    if (document.hasProblems() || !later.isEmpty()) {
      throw new InvalidProbeSetException(source, document.failure(later).problems());
    }
    return new ProbeSet(source, sha256(bytes), workflow.id(), conversations);
  }

  private static String sha256(byte[] bytes) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  /** The file as written, before checking. */
  record Document(String workflow, List<ConversationEntry> conversations) {}

  record ConversationEntry(String id, String kind, String note, List<TurnEntry> turns) {}

  record TurnEntry(String user, String agent, String say, String call, Map<String, JsonNode> arguments,
      Map<String, JsonNode> result) {}

  /** Checks one document against one workflow, collecting problems with their JSON pointers. */
  private static final class Checker {
    private final Workflow workflow;
    private final List<WorkflowProblem> problems;

    Checker(Workflow workflow, List<WorkflowProblem> problems) {
      this.workflow = workflow;
      this.problems = problems;
    }

    List<ProbeConversation> check(Document doc) {
      if (doc.workflow() == null) {
        problems.add(new WorkflowProblem("", "give the workflow's id in 'workflow' (" + workflow.id() + ")"));
      } else if (!doc.workflow().equals(workflow.id())) {
        problems.add(new WorkflowProblem("/workflow", "invalid workflow '" + doc.workflow() + "': the model plays "
            + workflow.id() + ", so these conversations cannot be checked against it"));
      }
      List<ProbeConversation> out = new ArrayList<>();
      if (doc.conversations() == null || doc.conversations().isEmpty()) {
        problems.add(new WorkflowProblem(doc.conversations() == null ? "" : "/conversations",
            "conversations: give at least one conversation"));
        return out;
      }
      Map<String, Integer> seen = new HashMap<>();
      for (int i = 0; i < doc.conversations().size(); i++) {
        ConversationEntry entry = doc.conversations().get(i);
        if (entry == null) {
          continue;
        }
        String at = "/conversations/" + i;
        String name = entry.id() == null || entry.id().isBlank() ? "#" + (i + 1) : entry.id();
        if (entry.id() == null || entry.id().isBlank()) {
          problems.add(new WorkflowProblem(at, "conversation " + name + ": give it an 'id'"));
        } else if (seen.putIfAbsent(entry.id(), i) != null) {
          problems.add(new WorkflowProblem(at + "/id", "conversation " + name + ": the id is also conversation #"
              + (seen.get(entry.id()) + 1) + "'s; ids are unique"));
        }
        ProbeConversation conversation = conversation(entry, at, name);
        if (conversation != null) {
          out.add(conversation);
        }
      }
      return out;
    }

    private ProbeConversation conversation(ConversationEntry entry, String at, String name) {
      int before = problems.size();
      ProbeKind kind = null;
      if (entry.kind() == null) {
        problems.add(new WorkflowProblem(at, "conversation " + name + ": give its 'kind' ("
            + String.join(", ", ProbeKind.wireNames()) + ")"));
      } else {
        kind = ProbeKind.fromWireName(entry.kind()).orElse(null);
        if (kind == null) {
          problems.add(new WorkflowProblem(at + "/kind", "conversation " + name + ": invalid kind '" + entry.kind()
              + "': expected one of " + String.join(", ", ProbeKind.wireNames())));
        }
      }
      if (entry.turns() == null || entry.turns().isEmpty()) {
        problems.add(new WorkflowProblem(entry.turns() == null ? at : at + "/turns", "conversation " + name
            + ": give its 'turns'"));
        return null;
      }
      List<ProbeTurn> turns = new ArrayList<>();
      for (int t = 0; t < entry.turns().size(); t++) {
        TurnEntry turn = entry.turns().get(t);
        if (turn != null) {
          turns.add(turn(turn, at + "/turns/" + t, "conversation " + name + ", turn " + (t + 1) + ": "));
        }
      }
      if (problems.size() > before) {
        return null;
      }
      if (turns.stream().noneMatch(t -> t instanceof ProbeTurn.AgentStep)) {
        problems.add(new WorkflowProblem(at + "/turns", "conversation " + name
            + ": no agent step, so nothing to score"));
        return null;
      }
      route(turns, at, name);
      return problems.size() > before ? null : new ProbeConversation(entry.id(), kind, entry.note(), turns);
    }

    private ProbeTurn turn(TurnEntry turn, String at, String where) {
      if (turn.user() != null && turn.agent() != null) {
        problems.add(new WorkflowProblem(at, where + "a turn is a 'user' message or an 'agent' step, not both"));
        return null;
      }
      if (turn.user() != null) {
        if (turn.say() != null || turn.call() != null || turn.arguments() != null || turn.result() != null) {
          problems.add(new WorkflowProblem(at, where
              + "a user turn holds only 'user'; 'say', 'call', 'arguments' and 'result' belong to agent steps"));
        }
        if (turn.user().isBlank()) {
          problems.add(new WorkflowProblem(at + "/user", where + "the user message is empty"));
        }
        return new ProbeTurn.UserMessage(turn.user());
      }
      if (turn.agent() == null) {
        problems.add(new WorkflowProblem(at, where
            + "give 'user' (what the customer writes) or 'agent' (the node the agent should be at)"));
        return null;
      }
      Node node = workflow.node(turn.agent()).orElse(null);
      if (node == null) {
        problems.add(new WorkflowProblem(at + "/agent", where + "unknown node '" + turn.agent() + "' (agent and tool "
            + "nodes of " + workflow.id() + ": " + String.join(", ", stepNodes()) + ")"));
        return null;
      }
      if (node.kind() == NodeKind.AGENT) {
        if (turn.call() != null || turn.arguments() != null || turn.result() != null) {
          problems.add(new WorkflowProblem(at, where + "node '" + node.id()
              + "' is an agent node: it says words ('say') and calls no tool"));
        }
        if (turn.say() == null || turn.say().isBlank()) {
          problems.add(new WorkflowProblem(at, where + "give what the agent says at '" + node.id() + "' in 'say' "
              + "(it goes into the history of the steps after it)"));
          return null;
        }
        return ProbeTurn.AgentStep.says(node.id(), turn.say());
      }
      if (node.kind() != NodeKind.TOOL || node.tool() == null) {
        problems.add(new WorkflowProblem(at + "/agent", where + "node '" + node.id() + "' is a "
            + node.kind().wireName() + " node: an agent step names an agent node, or a tool node when a call is "
            + "expected (" + String.join(", ", stepNodes()) + ")"));
        return null;
      }
      return toolStep(turn, node, at, where);
    }

    private ProbeTurn toolStep(TurnEntry turn, Node node, String at, String where) {
      ToolCall tool = node.tool();
      int before = problems.size();
      if (turn.say() != null) {
        problems.add(new WorkflowProblem(at + "/say", where + "node '" + node.id()
            + "' is a tool node: its step is a call, without words"));
      }
      if (turn.call() == null) {
        problems.add(new WorkflowProblem(at, where + "node '" + node.id() + "' is a tool node: give the expected "
            + "call in 'call' (" + tool.name() + ")"));
      } else if (!turn.call().equals(tool.name())) {
        problems.add(new WorkflowProblem(at + "/call", where + "invalid call '" + turn.call() + "': node '"
            + node.id() + "' calls " + tool.name()));
      }
      Map<String, String> arguments = new LinkedHashMap<>();
      Map<String, JsonNode> given = turn.arguments() == null ? Map.of() : turn.arguments();
      for (String name : given.keySet()) {
        if (!tool.arguments().containsKey(name)) {
          problems.add(new WorkflowProblem(at + "/arguments/" + name, where + "unknown argument '" + name + "' of "
              + tool.name() + " (its arguments: " + String.join(", ", tool.arguments().keySet()) + ")"));
        }
      }
      for (Map.Entry<String, String> declared : tool.arguments().entrySet()) {
        JsonNode value = given.get(declared.getKey());
        if (value == null || value.isNull()) {
          problems.add(new WorkflowProblem(turn.arguments() == null ? at : at + "/arguments", where
              + "missing argument '" + declared.getKey() + "' of " + tool.name() + " (its arguments: "
              + String.join(", ", tool.arguments().keySet()) + ")"));
          continue;
        }
        String text = canonical(value, declared.getValue(), at + "/arguments/" + declared.getKey(),
            where + "argument '" + declared.getKey() + "' of " + tool.name());
        if (text != null) {
          arguments.put(declared.getKey(), text);
        }
      }
      String result = result(turn.result(), node, at, where);
      if (problems.size() > before) {
        return null;
      }
      return ProbeTurn.AgentStep.calls(node.id(), new ToolInvocation(tool.name(), arguments), result);
    }

    /** The tool's result as the agent reads it: compact JSON, {@code status} first, then the returns in order. */
    private String result(Map<String, JsonNode> given, Node node, String at, String where) {
      if (given == null) {
        problems.add(new WorkflowProblem(at, where + "give what " + node.tool().name() + " returns in 'result' "
            + "({status: " + String.join("|", outcomes(node)) + (node.tool().returns().isEmpty() ? ""
            : ", " + String.join(", ", node.tool().returns())) + "})"));
        return null;
      }
      int before = problems.size();
      Map<String, String> out = new LinkedHashMap<>();
      JsonNode status = given.get("status");
      if (status == null || !status.isTextual()) {
        problems.add(new WorkflowProblem(at + "/result", where + "give the result's 'status', one of the outcomes of '"
            + node.id() + "': " + String.join(", ", outcomes(node))));
      } else if (!outcomes(node).contains(status.asText())) {
        problems.add(new WorkflowProblem(at + "/result/status", where + "invalid status '" + status.asText()
            + "': the outcomes of '" + node.id() + "' are " + String.join(", ", outcomes(node))));
      } else {
        out.put("status", status.asText());
      }
      for (String key : given.keySet()) {
        if (!key.equals("status") && !node.tool().returns().contains(key)) {
          problems.add(new WorkflowProblem(at + "/result/" + key, where + "unknown result field '" + key + "': "
              + node.tool().name() + " returns status" + (node.tool().returns().isEmpty() ? ""
              : " and " + String.join(", ", node.tool().returns()))));
        }
      }
      for (String slot : node.tool().returns()) {
        JsonNode value = given.get(slot);
        if (value != null && !value.isNull()) {
          String text = canonical(value, slot, at + "/result/" + slot, where + "result field '" + slot + "'");
          if (text != null) {
            out.put(slot, text);
          }
        }
      }
      if (problems.size() > before) {
        return null;
      }
      try {
        return JSON.writeValueAsString(out);
      } catch (JsonProcessingException e) {
        throw new IllegalStateException("Cannot serialise a JSON object of strings", e);
      }
    }

    /** The outcomes a tool node's edges name; an edge without one is {@link ToolTurns#DEFAULT_OUTCOME}. */
    private static Set<String> outcomes(Node node) {
      Set<String> out = new LinkedHashSet<>();
      for (Edge e : node.next()) {
        out.add(e.outcome() == null ? ToolTurns.DEFAULT_OUTCOME : e.outcome());
      }
      return out;
    }

    /** A scalar value as text, if it is in the canonical form of its slot; else a problem and null. */
    private String canonical(JsonNode value, String slotName, String pointer, String what) {
      if (!value.isValueNode()) {
        problems.add(new WorkflowProblem(pointer, what + ": a single value, not " + (value.isArray() ? "a list"
            : "a mapping")));
        return null;
      }
      String text = value.asText();
      Slot slot = workflow.slots().get(slotName);
      String rule = slot == null ? null : rule(slot, text);
      if (rule != null) {
        problems.add(new WorkflowProblem(pointer, what + ": '" + text + "' is not canonical; write " + rule));
        return null;
      }
      return text;
    }

    /** What the canonical form of a slot's value is, when {@code text} is not in it; null when it is. */
    private static String rule(Slot slot, String text) {
      if (slot.generate() == ValueGenerator.EMAIL || slot.normalisation() == ValueFormat.EMAIL) {
        return text.contains("@") && text.equals(text.strip().toLowerCase(Locale.ROOT)) ? null
            : "an email address, lower case";
      }
      return switch (slot.normalisation()) {
        case NUMBER, MONEY, DURATION -> DIGITS.matcher(text).matches() ? null : "a number in digits (7, 1500)";
        case DATE -> isoDate(text) ? null : "an ISO date, yyyy-mm-dd";
        case ENUM -> slot.values().contains(text) ? null
            : "one of the enum's values as the workflow spells them: " + String.join(", ", slot.values());
        case EMAIL -> null;
        case TEXT -> !text.isEmpty() && text.equals(text.strip()) ? null : "the text trimmed, not empty";
      };
    }

    private static boolean isoDate(String text) {
      try {
        return LocalDate.parse(text).toString().equals(text);
      } catch (DateTimeParseException e) {
        return false;
      }
    }

    /**
     * Checks that each agent step can follow the step before it (the start for the first) through user and decision
     * nodes only, with customer messages between them exactly when the way passes a user node.
     */
    private void route(List<ProbeTurn> turns, String at, String name) {
      ProbeTurn.AgentStep previous = null;
      int messages = 0;
      for (int t = 0; t < turns.size(); t++) {
        ProbeTurn turn = turns.get(t);
        if (turn instanceof ProbeTurn.UserMessage) {
          messages++;
          continue;
        }
        ProbeTurn.AgentStep step = (ProbeTurn.AgentStep) turn;
        Map<String, Set<Boolean>> next = previous == null ? fromStart() : after(previous);
        Set<Boolean> ways = next.getOrDefault(step.node(), Set.of());
        boolean customerFirst = previous == null && messages > 0 && ways.contains(false)
            && workflow.node(workflow.start()).map(n -> n.kind() == NodeKind.AGENT).orElse(false);
        String where = "conversation " + name + ", turn " + (t + 1) + ": ";
        String after = previous == null ? "at the start" : "after '" + previous.node() + "'" + (previous.expectsCall()
            ? " (" + status(previous) + ")" : "");
        if (ways.isEmpty()) {
          problems.add(new WorkflowProblem(at + "/turns/" + t + "/agent", where + "node '" + step.node()
              + "' cannot come " + after + "; the workflow allows " + (next.isEmpty() ? "no further agent step"
              : String.join(", ", new TreeSet<>(next.keySet())))));
        } else if (!ways.contains(messages > 0) && !customerFirst) {
          problems.add(new WorkflowProblem(at + "/turns/" + t, where + "node '" + step.node() + "' " + after
              + (messages > 0 ? " comes without the customer speaking, but " + messages + " user message"
              + (messages == 1 ? " is" : "s are") + " given before it"
              : " comes after the customer speaks: give a user message before it")));
        }
        previous = step;
        messages = 0;
      }
    }

    private static String status(ProbeTurn.AgentStep step) {
      try {
        return JSON.readTree(step.result()).path("status").asText();
      } catch (JsonProcessingException e) {
        throw new IllegalStateException("Cannot read a result this loader wrote", e);
      }
    }

    private Map<String, Set<Boolean>> fromStart() {
      return reach(List.of(workflow.start()), false);
    }

    private Map<String, Set<Boolean>> after(ProbeTurn.AgentStep step) {
      Node node = workflow.node(step.node()).orElseThrow();
      String outcome = step.expectsCall() ? status(step) : null;
      List<String> targets = new ArrayList<>();
      for (Edge e : node.next()) {
        String edgeOutcome = e.outcome() == null ? ToolTurns.DEFAULT_OUTCOME : e.outcome();
        if (outcome == null || outcome.equals(edgeOutcome)) {
          targets.add(e.to());
        }
      }
      return reach(targets, false);
    }

    /**
     * The agent and tool nodes reachable from {@code targets} through user and decision nodes, each with whether the
     * way there passes a user node (both, when two ways differ).
     */
    private Map<String, Set<Boolean>> reach(List<String> targets, boolean spoken) {
      Map<String, Set<Boolean>> out = new LinkedHashMap<>();
      Set<String> visited = new java.util.HashSet<>();
      Deque<Map.Entry<String, Boolean>> queue = new ArrayDeque<>();
      targets.forEach(t -> queue.add(Map.entry(t, spoken)));
      while (!queue.isEmpty()) {
        Map.Entry<String, Boolean> here = queue.poll();
        if (!visited.add(here.getKey() + "|" + here.getValue())) {
          continue;
        }
        Node node = workflow.node(here.getKey()).orElse(null);
        if (node == null || node.kind() == NodeKind.TERMINAL) {
          continue;
        }
        if (node.kind() == NodeKind.AGENT || node.kind() == NodeKind.TOOL) {
          out.computeIfAbsent(node.id(), k -> new TreeSet<>()).add(here.getValue());
          continue;
        }
        boolean passed = here.getValue() || node.kind() == NodeKind.USER;
        node.next().forEach(e -> queue.add(Map.entry(e.to(), passed)));
      }
      return out;
    }

    private List<String> stepNodes() {
      return workflow.nodes().stream().filter(n -> n.kind() == NodeKind.AGENT || n.kind() == NodeKind.TOOL)
          .map(Node::id).toList();
    }
  }
}

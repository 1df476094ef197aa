package dev.subterra.workflow.imports;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonFormat;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonValue;
import dev.subterra.workflow.Edge;
import dev.subterra.workflow.InvalidWorkflowException;
import dev.subterra.workflow.Node;
import dev.subterra.workflow.Slot;
import dev.subterra.workflow.SlotType;
import dev.subterra.workflow.TerminalOutcome;
import dev.subterra.workflow.Workflow;
import dev.subterra.workflow.WorkflowLoader;
import dev.subterra.workflow.WorkflowProblem;
import dev.subterra.workflow.WorkflowValidator;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Imports an agent2model flowchart (github.com/kamaalg/agent2model) into the native model.
 *
 * <p>The flowchart has {@code name}, {@code description}, {@code start}, {@code nodes} (a mapping from id to node) and
 * {@code scenario_variables}. A node either has a {@code role} ({@code agent}, {@code user} or {@code decision}), a
 * {@code prompt} (agent and user) and {@code next} (an id, a list of ids, or a list of {@code {to, when}}), or is a
 * terminal ({@code terminal: success | abandonment | escalation}) and has nothing else. The translation:
 *
 * <ul>
 *   <li>{@code name} becomes the workflow id, with characters unsafe in file names replaced by {@code _} (the original
 *       is kept as the display name when it differs); nodes keep their file order, ids, prompts and edges;
 *   <li>a decision's prompt, which the native model does not take, becomes its description;
 *   <li>{@code <slot>_pool: [..]} becomes an enum slot, {@code <slot>_range: [lo, hi]} a number slot with min and max,
 *       and {@code user_styles: [..]} the personas.
 * </ul>
 *
 * <p>Unknown fields, at any level, are errors, as in the native format; so are nodes with neither or both of
 * {@code role} and {@code terminal}. The result passes {@link WorkflowValidator}, whose problems are reported at the
 * line and column of the flowchart where they come from.
 */
public final class Agent2ModelImporter {
  private static final String POOL = "_pool";
  private static final String RANGE = "_range";
  private static final String USER_STYLES = "user_styles";

  private Agent2ModelImporter() {}

  /** Imports a flowchart file, YAML or JSON. */
  public static ImportResult importFile(Path file) throws InvalidWorkflowException {
    byte[] bytes = WorkflowLoader.readFile(file);
    return importBytes(file.toString(), bytes, WorkflowLoader.formatOf(file.getFileName().toString(), bytes));
  }

  /** Imports a flowchart held in memory; {@code source} names it in messages and, without a {@code name}, in the id. */
  public static ImportResult importBytes(String source, byte[] bytes, WorkflowLoader.Format format)
      throws InvalidWorkflowException {
    WorkflowLoader.Located<Agent2modelFlowchart> document = WorkflowLoader.bind(source, bytes, format,
        Agent2modelFlowchart.class, "an agent2model flowchart must be a mapping with name, start and nodes");
    Translation translation = new Translation(source, document.value(), document.problems());
    translation.run();
    // failure() adds what binding found (unknown fields, duplicate keys) to the translation's own problems.
    if (document.hasProblems() || !translation.problems.isEmpty()) {
      throw document.failure(translation.problems);
    }
    Workflow workflow = translation.workflow();
    List<WorkflowProblem> invalid = new ArrayList<>();
    for (WorkflowProblem problem : WorkflowValidator.validate(workflow)) {
      invalid.add(new WorkflowProblem(translation.sourcePointer(problem.pointer()), problem.message()));
    }
    if (!invalid.isEmpty()) {
      throw document.failure(invalid);
    }
    return new ImportResult(workflow, translation.warnings);
  }

  /** The top level of an agent2model file. */
  record Agent2modelFlowchart(String name, String description, String start, Map<String, Agent2modelNode> nodes,
      @JsonProperty("scenario_variables") Map<String, List<String>> scenarioVariables) {

    @JsonCreator
    Agent2modelFlowchart(
        @JsonProperty("name") String name,
        @JsonProperty("description") String description,
        @JsonProperty("start") String start,
        @JsonProperty("nodes") Map<String, Agent2modelNode> nodes,
        @JsonProperty("scenario_variables") Map<String, List<String>> scenarioVariables) {
      this.name = name;
      this.description = description;
      this.start = start;
      // Jackson fills maps in document order (LinkedHashMap); keep that order, since node order is meaningful.
      this.nodes = nodes == null ? new LinkedHashMap<>() : new LinkedHashMap<>(nodes);
      this.scenarioVariables = scenarioVariables == null ? new LinkedHashMap<>()
          : new LinkedHashMap<>(scenarioVariables);
    }
  }

  /** One agent2model node: a role with a prompt and edges, or a terminal. */
  record Agent2modelNode(Agent2modelRole role, String prompt, List<Agent2modelEdge> next, TerminalOutcome terminal) {

    @JsonCreator
    Agent2modelNode(
        @JsonProperty("role") Agent2modelRole role,
        @JsonProperty("prompt") String prompt,
        @JsonProperty("next") @JsonFormat(with = JsonFormat.Feature.ACCEPT_SINGLE_VALUE_AS_ARRAY)
            List<Agent2modelEdge> next,
        @JsonProperty("terminal") TerminalOutcome terminal) {
      this.role = role;
      this.prompt = prompt;
      this.next = next;
      this.terminal = terminal;
    }
  }

  /** The roles of non-terminal agent2model nodes. */
  enum Agent2modelRole {
    AGENT, USER, DECISION;

    @JsonValue
    String wireName() {
      return name().toLowerCase(Locale.ROOT);
    }
  }

  /** An agent2model edge: a bare id, or {@code {to, when}}. */
  record Agent2modelEdge(String to, String when) {

    @JsonCreator(mode = JsonCreator.Mode.PROPERTIES)
    Agent2modelEdge(@JsonProperty("to") String to, @JsonProperty("when") String when) {
      this.to = to;
      this.when = when;
    }

    @JsonCreator(mode = JsonCreator.Mode.DELEGATING)
    static Agent2modelEdge of(String to) {
      return new Agent2modelEdge(to, null);
    }
  }

  /** One translation: the workflow it builds, the problems that stop it, and how native pointers map back. */
  private static final class Translation {
    private final String source;
    private final Agent2modelFlowchart flowchart;
    private final List<WorkflowProblem> problems = new ArrayList<>();
    private final List<String> warnings = new ArrayList<>();
    private final List<String> nodeIds = new ArrayList<>();
    private final Map<String, String> slotKeys = new LinkedHashMap<>();
    private final List<Node> nodes = new ArrayList<>();
    private final Map<String, Slot> slots = new LinkedHashMap<>();
    private List<String> personas = List.of();
    private String id;

    private final List<WorkflowProblem> bindingProblems;

    Translation(String source, Agent2modelFlowchart flowchart, List<WorkflowProblem> bindingProblems) {
      this.source = source;
      this.flowchart = flowchart;
      this.bindingProblems = bindingProblems;
    }

    void run() {
      id = workflowId();
      if (flowchart.start() == null || flowchart.start().isBlank()) {
        problem("", "missing field 'start': name the node where conversations begin");
      }
      if (flowchart.nodes().isEmpty() && !reported("/nodes")) {
        problem("", "missing field 'nodes': give a mapping from node id to node");
      }
      flowchart.nodes().forEach(this::node);
      flowchart.scenarioVariables().forEach(this::scenarioVariable);
    }

    Workflow workflow() {
      String name = flowchart.name() != null && !flowchart.name().equals(id) ? flowchart.name() : null;
      return new Workflow(id, name, flowchart.description(), flowchart.start(), personas, slots, List.of(), nodes);
    }

    private String workflowId() {
      String name = flowchart.name();
      if (name == null || name.isBlank()) {
        String file = source.substring(Math.max(source.lastIndexOf('/'), source.lastIndexOf('\\')) + 1);
        String stem = file.contains(".") ? file.substring(0, file.lastIndexOf('.')) : file;
        String fromFile = safeId(stem);
        warnings.add("The flowchart has no 'name': the workflow id '" + fromFile + "' comes from the file name");
        return fromFile;
      }
      String safe = safeId(name);
      if (!safe.equals(name)) {
        warnings.add("The name '" + name + "' is not a safe id: the workflow id is '" + safe + "'");
      }
      return safe;
    }

    private void node(String nodeId, Agent2modelNode node) {
      String at = "/nodes/" + escape(nodeId);
      String name = "node '" + nodeId + "'";
      if (node == null) {
        problem(at, name + " is empty: give it a role (agent, user, decision) or a terminal outcome");
        return;
      }
      if (reported(at)) {
        return; // an invalid role or outcome is reported already; "has neither" would only repeat it
      }
      if (node.role() == null && node.terminal() == null) {
        problem(at, name + " has neither 'role' nor 'terminal': give it role: agent|user|decision, or terminal:"
            + " success|abandonment|escalation");
        return;
      }
      if (node.role() != null && node.terminal() != null) {
        problem(at, name + " has both 'role' and 'terminal': a node either takes a turn or ends the conversation");
        return;
      }
      if (node.terminal() != null) {
        if (node.prompt() != null) {
          problem(at + "/prompt", name + " is a terminal and cannot have 'prompt'");
        }
        if (node.next() != null) {
          problem(at + "/next", name + " is a terminal and cannot have 'next': a terminal ends the conversation");
        }
        add(nodeId, Node.terminal(nodeId, node.terminal()));
        return;
      }
      List<Edge> edges = edges(at, name, node.next());
      String prompt = node.prompt() == null ? null : node.prompt().strip();
      add(nodeId, switch (node.role()) {
        case AGENT -> Node.agent(nodeId, prompt, List.of(), edges);
        case USER -> Node.user(nodeId, prompt, List.of(), edges);
        // The native decision is a silent hub without a prompt; what the prompt says still describes the decision.
        case DECISION -> Node.decision(nodeId, prompt, edges);
      });
    }

    private List<Edge> edges(String at, String name, List<Agent2modelEdge> next) {
      List<Edge> edges = new ArrayList<>();
      if (next == null) {
        return edges;
      }
      for (int e = 0; e < next.size(); e++) {
        Agent2modelEdge edge = next.get(e);
        if (edge == null) {
          problem(at + "/next/" + e, name + " has an empty edge " + e);
        } else {
          edges.add(edge.when() == null ? Edge.to(edge.to()) : Edge.when(edge.to(), edge.when()));
        }
      }
      return edges;
    }

    private void add(String nodeId, Node node) {
      nodeIds.add(nodeId);
      nodes.add(node);
    }

    private void scenarioVariable(String key, List<String> values) {
      String at = "/scenario_variables/" + escape(key);
      if (values == null) {
        if (!reported(at)) {
          problem(at, "scenario variable '" + key + "' has no value: give a list");
        }
        return;
      }
      if (key.equals(USER_STYLES)) {
        personas = values;
      } else if (key.endsWith(POOL) && key.length() > POOL.length()) {
        String slot = key.substring(0, key.length() - POOL.length());
        slotKeys.put(slot, key);
        slots.put(slot, Slot.pool(SlotType.ENUM, null, values));
      } else if (key.endsWith(RANGE) && key.length() > RANGE.length()) {
        String slot = key.substring(0, key.length() - RANGE.length());
        Double low = values.size() == 2 ? number(values.get(0)) : null;
        Double high = values.size() == 2 ? number(values.get(1)) : null;
        if (low == null || high == null) {
          problem(at, "scenario variable '" + key + "' must be a range [low, high] of two numbers, got " + values);
          return;
        }
        slotKeys.put(slot, key);
        slots.put(slot, Slot.range(null, low, high));
      } else {
        problem(at, "unknown scenario variable '" + key + "': use <name>_pool: [values], <name>_range: [low, high]"
            + " or user_styles: [styles]");
      }
    }

    /** Where a problem the validator found in the native workflow is in the flowchart. */
    String sourcePointer(String pointer) {
      String[] parts = (pointer == null ? "" : pointer).split("/", -1);
      if (parts.length < 2) {
        return "";
      }
      switch (parts[1]) {
        case "id", "name" -> {
          return "/name";
        }
        case "personas" -> {
          return "/scenario_variables/" + USER_STYLES;
        }
        case "nodes" -> {
          if (parts.length < 3) {
            return "/nodes";
          }
          int index = parseIndex(parts[2]);
          if (index < 0 || index >= nodeIds.size()) {
            return "/nodes";
          }
          StringBuilder mapped = new StringBuilder("/nodes/").append(escape(nodeIds.get(index)));
          for (int i = 3; i < parts.length; i++) {
            mapped.append('/').append(parts[i]);
          }
          return mapped.toString();
        }
        case "slots" -> {
          String key = parts.length > 2 ? slotKeys.get(unescape(parts[2])) : null;
          if (key == null) {
            return "/scenario_variables";
          }
          String mapped = "/scenario_variables/" + escape(key);
          if (parts.length > 4 && parts[3].equals("values")) {
            return mapped + "/" + parts[4];
          }
          if (parts.length > 3 && (parts[3].equals("min") || parts[3].equals("max"))) {
            return mapped + (parts[3].equals("min") ? "/0" : "/1");
          }
          return mapped;
        }
        default -> {
          return pointer;
        }
      }
    }

    private void problem(String pointer, String message) {
      problems.add(new WorkflowProblem(pointer, message));
    }

    /** Whether binding reported a problem at or inside a pointer already, which a check here would only repeat. */
    private boolean reported(String pointer) {
      return bindingProblems.stream()
          .anyMatch(p -> p.pointer().equals(pointer) || p.pointer().startsWith(pointer + "/"));
    }
  }

  /** An id that {@link WorkflowValidator#SAFE_ID} accepts, as close to the name as possible. */
  static String safeId(String name) {
    String safe = name.strip().replaceAll("[^A-Za-z0-9_.-]+", "_").replaceAll("^[^A-Za-z0-9]+", "");
    if (safe.length() > 80) {
      safe = safe.substring(0, 80);
    }
    return safe.isEmpty() ? "workflow" : safe;
  }

  private static Double number(String text) {
    try {
      return text == null ? null : Double.valueOf(text.trim());
    } catch (NumberFormatException e) {
      return null;
    }
  }

  private static int parseIndex(String text) {
    try {
      return Integer.parseInt(text);
    } catch (NumberFormatException e) {
      return -1;
    }
  }

  /** A JSON pointer segment for a key: {@code ~} and {@code /} are escaped, as Jackson's own pointers do. */
  private static String escape(String key) {
    return key.replace("~", "~0").replace("/", "~1");
  }

  private static String unescape(String segment) {
    return segment.replace("~1", "/").replace("~0", "~");
  }
}

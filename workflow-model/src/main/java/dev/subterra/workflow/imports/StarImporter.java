package dev.subterra.workflow.imports;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonProperty;
import dev.subterra.workflow.Edge;
import dev.subterra.workflow.InvalidWorkflowException;
import dev.subterra.workflow.Node;
import dev.subterra.workflow.Slot;
import dev.subterra.workflow.TerminalOutcome;
import dev.subterra.workflow.ToolCall;
import dev.subterra.workflow.Workflow;
import dev.subterra.workflow.WorkflowLoader;
import dev.subterra.workflow.WorkflowProblem;
import dev.subterra.workflow.WorkflowValidator;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Imports a STAR task schema, in the format of Mehri &amp; Eskenazi 2021 ({@code task}, {@code replies}, {@code graph},
 * {@code r_graph}), into the native model. STAR (Mosig et al. 2020) is a dialogue dataset of a user and a "wizard" who
 * follows the schema; the student plays the wizard.
 *
 * <p>Reply keys fall in four groups, which become:
 *
 * <ul>
 *   <li><b>wizard actions</b> (any other key, such as {@code hotel_ask_hotel}): agent nodes whose template is the
 *       reply, with {@code {hotel_name:s}} written {@code {hotel_name}}. Their edges go to the user intents that
 *       {@code r_graph} says answer them; when several do, each edge's {@code when} quotes the intent's reply;
 *   <li><b>user intents</b> ({@code user_*}): user nodes whose template is the reply, with STAR's {@code [NAME]}-style
 *       placeholders turned into slots (named after what the intent informs: {@code user_hotel_book_inform_start_date}
 *       "I'll arrive on [DATE]" fills {@code start_date}; a placeholder whose type a wizard reply also uses, such as
 *       {@code [HOTEL_NAME]}, fills that same slot). The edge goes to the wizard action {@code graph} names;
 *   <li><b>queries</b> ({@code query*}, reply {@code [QUERY_CHECK]}): tool nodes. Each knowledge-base result
 *       {@code db_X} that answers the query in {@code r_graph} is an edge with outcome {@code X} to the action
 *       {@code graph} names for {@code db_X}. The tool is the task's API (the {@code APIName} its results name, else
 *       the task), with an argument for every API input field a user-provided slot fills ({@code RequestType}, which
 *       tells checking from booking, goes in the node's description), and returning the other slots that the wizard's
 *       replies after the call use;
 *   <li><b>results</b> ({@code db_*}): folded into the query's edges, as above.
 * </ul>
 *
 * <p>{@code user_hello} starts every conversation. The schema has no end states, so a wizard action that no user intent
 * answers ends the conversation: a closing action ({@code goodbye_1}, {@code ride_bye}, {@code anything_else} offered
 * once the task is done) leads to a {@code success} terminal; every other one (a failure such as
 * {@code hotel_reservation_failed}, or an action whose continuation the schema leaves out) leads to an
 * {@code abandonment} terminal, since the task does not reach its end. Reply keys that cannot be reached from
 * {@code user_hello} ({@code out_of_scope}, most {@code *_nothing_found}) are dropped with a warning, as are
 * {@code r_graph} entries that make no sense in this reading (a user intent answering a query).
 *
 * <p>Slot pools come from the task's API definitions and databases ({@code apis/apis/<api>.json},
 * {@code apis/dbs/<db>.json}, found beside the schemas directory) when a field there names the slot and lists values;
 * else from the concrete values the task's results show; else from a small generic pool, which the slot's description
 * says and a warning lists.
 */
public final class StarImporter {
  private static final String START = "user_hello";
  private static final Pattern WIZARD_PLACEHOLDER = Pattern.compile("\\{([A-Za-z_][A-Za-z0-9_]*)(?::([^{}]*))?}");
  private static final Pattern USER_PLACEHOLDER = Pattern.compile("\\[([A-Z][A-Z0-9_]*)]");
  private static final Pattern API_NAME = Pattern.compile("APIName\\s*=\\s*([A-Za-z0-9_]+)");
  private static final Pattern SLOT = Pattern.compile("\\{([^{}]*)}");
  private static final Pattern CLOSING = Pattern.compile("(^|_)(goodbye|bye)(_|\\d|$)|^anything_else$");

  private StarImporter() {}

  /** Imports a schema file, with the API definitions in {@code apis/} beside its directory when they are there. */
  public static ImportResult importFile(Path schema) throws InvalidWorkflowException {
    Path directory = schema.toAbsolutePath().getParent();
    return importFile(schema, directory == null ? null : directory.resolveSibling("apis"));
  }

  /**
   * Imports a schema file; {@code apisDir} holds {@code apis/<api>.json} and {@code dbs/<db>.json}, and may be null or
   * missing, in which case every slot gets a generic pool and tool calls have no arguments.
   */
  public static ImportResult importFile(Path schema, Path apisDir) throws InvalidWorkflowException {
    byte[] bytes = WorkflowLoader.readFile(schema);
    return importBytes(schema.toString(), bytes, apisDir);
  }

  /** Imports a schema held in memory; {@code source} names it in messages. */
  public static ImportResult importBytes(String source, byte[] bytes, Path apisDir) throws InvalidWorkflowException {
    WorkflowLoader.Located<StarSchema> document = WorkflowLoader.bind(source, bytes,
        WorkflowLoader.formatOf(source, bytes), StarSchema.class,
        "a STAR schema must be a mapping with task, replies, graph and r_graph");
    Translation translation = new Translation(document.value(), apisDir);
    translation.check();
    // failure() adds what binding found (unknown fields, duplicate keys) to the translation's own problems.
    if (document.hasProblems() || !translation.problems.isEmpty()) {
      throw document.failure(translation.problems);
    }
    Workflow workflow = translation.translate();
    List<WorkflowProblem> invalid = new ArrayList<>();
    for (WorkflowProblem problem : WorkflowValidator.validate(workflow)) {
      invalid.add(new WorkflowProblem(translation.sourcePointer(workflow, problem.pointer()), problem.message()));
    }
    if (!invalid.isEmpty()) {
      throw document.failure(invalid);
    }
    return new ImportResult(workflow, translation.warnings);
  }

  /** A STAR schema file. */
  record StarSchema(String task, Map<String, String> replies, Map<String, String> graph,
      @JsonProperty("r_graph") Map<String, String> rGraph) {

    @JsonCreator
    StarSchema(
        @JsonProperty("task") String task,
        @JsonProperty("replies") Map<String, String> replies,
        @JsonProperty("graph") Map<String, String> graph,
        @JsonProperty("r_graph") Map<String, String> rGraph) {
      this.task = task;
      // Jackson fills maps in document order; reply order becomes node order.
      this.replies = replies == null ? new LinkedHashMap<>() : new LinkedHashMap<>(replies);
      this.graph = graph == null ? new LinkedHashMap<>() : new LinkedHashMap<>(graph);
      this.rGraph = rGraph == null ? new LinkedHashMap<>() : new LinkedHashMap<>(rGraph);
    }
  }

  /** What a reply key stands for. */
  private enum Role { USER, RESULT, QUERY, WIZARD }

  private static Role role(String key) {
    if (key.startsWith("user_")) {
      return Role.USER;
    }
    if (key.startsWith("db_")) {
      return Role.RESULT;
    }
    return key.startsWith("query") ? Role.QUERY : Role.WIZARD;
  }

  /** How a conversation ends after a wizard action that nothing answers. */
  static TerminalOutcome ending(String action) {
    return CLOSING.matcher(action).find() ? TerminalOutcome.SUCCESS : TerminalOutcome.ABANDONMENT;
  }

  /** A slot as templates use it, before its pool is chosen. */
  private static final class SlotUse {
    final Set<String> placeholders = new TreeSet<>();
    boolean numeric;
    boolean userProvided;
  }

  /** One translation: checks, the graph, pruning, templates, slots and tools. */
  private static final class Translation {
    private final StarSchema schema;
    private final Path apisDir;
    private final List<WorkflowProblem> problems = new ArrayList<>();
    private final List<String> warnings = new ArrayList<>();
    private final Map<String, List<Edge>> edges = new LinkedHashMap<>();
    private final Map<TerminalOutcome, String> terminals = new EnumMap<>(TerminalOutcome.class);
    private final Map<String, SlotUse> slotUses = new LinkedHashMap<>();
    private final Map<String, Optional<StarApi>> apis = new HashMap<>();
    private String intentPrefix = "user_";

    Translation(StarSchema schema, Path apisDir) {
      this.schema = schema;
      this.apisDir = apisDir;
    }

    void check() {
      if (schema.task() == null || schema.task().isBlank()) {
        problem("", "missing field 'task': name the STAR task");
      }
      if (schema.replies().isEmpty()) {
        problem("", "missing field 'replies': give the reply text of every action and intent");
        return;
      }
      schema.replies().forEach((key, reply) -> {
        if (reply == null) {
          problem("/replies/" + escape(key), "reply '" + key + "' has no text");
        }
      });
      if (!schema.replies().containsKey(START)) {
        problem("/replies", "no reply '" + START + "': STAR schemas start with the user's hello");
      } else if (!schema.graph().containsKey(START)) {
        problem("/graph", "'graph' has no entry for '" + START + "': name the wizard action that answers the hello");
      }
      links("graph", schema.graph(), "the wizard action that follows it");
      links("r_graph", schema.rGraph(), "the wizard action it answers");
    }

    /** Every entry of graph and r_graph maps a user intent or result to a wizard action or query with a reply. */
    private void links(String field, Map<String, String> map, String what) {
      map.forEach((key, action) -> {
        String at = "/" + field + "/" + escape(key);
        if (!schema.replies().containsKey(key)) {
          problem(at, "'" + field + "' has an entry for '" + key + "', which has no reply");
        } else if (role(key) != Role.USER && role(key) != Role.RESULT) {
          problem(at, "'" + field + "' has an entry for '" + key + "', which is neither a user intent (user_*) nor a"
              + " result (db_*)");
        }
        if (action == null || !schema.replies().containsKey(action)) {
          problem(at, "'" + field + "' maps '" + key + "' to '" + action + "', which has no reply");
        } else if (role(action) == Role.USER || role(action) == Role.RESULT) {
          problem(at, "'" + field + "' maps '" + key + "' to '" + action + "', but it must name " + what);
        }
      });
    }

    Workflow translate() {
      intentPrefix = intentPrefix();
      buildEdges();
      Set<String> reachable = reachable();
      List<String> kept = new ArrayList<>();
      for (String key : schema.replies().keySet()) {
        if (role(key) == Role.RESULT) {
          continue; // folded into the edges of the query it answers
        }
        if (reachable.contains(key)) {
          kept.add(key);
        } else {
          warnings.add("Dropped '" + key + "' (" + describeRole(key) + "): it cannot be reached from " + START);
        }
      }
      Set<String> wizardSlots = new LinkedHashSet<>();
      for (String key : kept) {
        if (role(key) == Role.WIZARD) {
          Matcher m = WIZARD_PLACEHOLDER.matcher(schema.replies().get(key));
          while (m.find()) {
            wizardSlots.add(m.group(1));
          }
        }
      }
      Map<String, String> templates = new LinkedHashMap<>();
      for (String key : kept) {
        switch (role(key)) {
          case WIZARD -> templates.put(key, wizardTemplate(schema.replies().get(key)));
          case USER -> templates.put(key, userTemplate(key, schema.replies().get(key), wizardSlots));
          default -> { }
        }
      }
      Map<String, Slot> slots = slots();
      List<Node> nodes = new ArrayList<>();
      for (String key : kept) {
        String template = templates.get(key);
        List<String> texts = template == null || template.isBlank() ? List.of() : List.of(template);
        // A blank reply still needs something for a teacher to go on: the action's name.
        String prompt = texts.isEmpty() && role(key) != Role.QUERY ? "Say: " + humanise(key) : null;
        nodes.add(switch (role(key)) {
          case WIZARD -> Node.agent(key, prompt, texts, edges.get(key));
          case USER -> Node.user(key, prompt, texts, edges.get(key));
          default -> tool(key, templates);
        });
      }
      terminals.forEach((outcome, id) -> {
        if (reachable.contains(id)) {
          nodes.add(Node.terminal(id, outcome));
        }
      });
      String task = schema.task().strip();
      String id = Agent2ModelImporter.safeId(task);
      return new Workflow(id, capitalise(humanise(task)) + " (STAR)",
          "The STAR task " + task + ", imported from its schema: wizard actions are agent turns, user intents user"
              + " turns, knowledge-base queries tool calls.",
          START, List.of(), slots, List.of(), nodes);
    }

    private void buildEdges() {
      Map<String, List<String>> answeredBy = new LinkedHashMap<>();
      for (String key : schema.replies().keySet()) {
        String action = schema.rGraph().get(key);
        if (action != null) {
          answeredBy.computeIfAbsent(action, a -> new ArrayList<>()).add(key);
        }
      }
      for (String key : schema.replies().keySet()) {
        List<String> answers = answeredBy.getOrDefault(key, List.of());
        List<Edge> out = new ArrayList<>();
        switch (role(key)) {
          case USER -> {
            String next = schema.graph().get(key);
            if (next == null && !key.equals(START)) {
              // Only reachable intents matter; an unreachable one is dropped with its own warning.
              warnings.add("User intent '" + key + "' has no next action in 'graph': it ends the conversation"
                  + " (abandonment)");
              out.add(Edge.to(terminal(TerminalOutcome.ABANDONMENT)));
            } else if (next != null) {
              out.add(Edge.to(next));
            }
          }
          case QUERY -> {
            for (String answer : answers) {
              if (role(answer) == Role.USER) {
                warnings.add("Ignored r_graph entry '" + answer + "' -> '" + key + "': a query is answered by its"
                    + " results, not by the user");
                continue;
              }
              String next = schema.graph().get(answer);
              if (next == null) {
                warnings.add("Result '" + answer + "' has no next action in 'graph': it ends the conversation"
                    + " (abandonment)");
                next = terminal(TerminalOutcome.ABANDONMENT);
              }
              out.add(Edge.onOutcome(next, answer.substring("db_".length())));
            }
            if (out.isEmpty()) {
              warnings.add("Query '" + key + "' has no results in 'r_graph': its only outcome, no_result, ends the"
                  + " conversation (abandonment)");
              out.add(Edge.onOutcome(terminal(TerminalOutcome.ABANDONMENT), "no_result"));
            }
          }
          case WIZARD -> {
            List<String> intents = new ArrayList<>();
            for (String answer : answers) {
              if (role(answer) == Role.USER) {
                intents.add(answer);
              } else {
                warnings.add("Ignored r_graph entry '" + answer + "' -> '" + key + "': a result answers a query,"
                    + " not a wizard action");
              }
            }
            if (intents.isEmpty()) {
              out.add(Edge.to(terminal(ending(key))));
            } else if (intents.size() == 1) {
              out.add(Edge.to(intents.get(0)));
            } else {
              for (String intent : intents) {
                out.add(Edge.when(intent, "the user says \"" + schema.replies().get(intent).strip() + "\" ("
                    + humanise(intentField(intent)) + ")"));
              }
            }
          }
          case RESULT -> { }
        }
        edges.put(key, out);
      }
    }

    private String terminal(TerminalOutcome outcome) {
      return terminals.computeIfAbsent(outcome, o -> {
        String id = "end_" + o.wireName();
        while (schema.replies().containsKey(id)) {
          id = id + "_";
        }
        return id;
      });
    }

    private Set<String> reachable() {
      Set<String> seen = new HashSet<>(List.of(START));
      Deque<String> todo = new ArrayDeque<>(seen);
      while (!todo.isEmpty()) {
        for (Edge edge : edges.getOrDefault(todo.pop(), List.of())) {
          if (seen.add(edge.to())) {
            todo.push(edge.to());
          }
        }
      }
      return seen;
    }

    private String wizardTemplate(String reply) {
      Matcher m = WIZARD_PLACEHOLDER.matcher(reply);
      StringBuilder out = new StringBuilder();
      while (m.find()) {
        SlotUse use = slotUses.computeIfAbsent(m.group(1), s -> new SlotUse());
        String format = m.group(2) == null ? "" : m.group(2);
        use.numeric |= format.endsWith("d") || format.endsWith("f");
        m.appendReplacement(out, Matcher.quoteReplacement("{" + m.group(1) + "}"));
      }
      m.appendTail(out);
      return out.toString();
    }

    /**
     * A user reply with its {@code [TYPE]} placeholders as slots: the slot a wizard reply calls by the type's name
     * ({@code [HOTEL_NAME]} is {@code hotel_name}, {@code [CLASS]} is {@code clazz}); else, alone in the reply, what the intent informs
     * ({@code ..._inform_start_date}); else the type's name, numbered when it repeats ({@code dob_1}, {@code dob_2}).
     */
    private String userTemplate(String intent, String reply, Set<String> wizardSlots) {
      List<String> types = new ArrayList<>();
      Matcher scan = USER_PLACEHOLDER.matcher(reply);
      while (scan.find()) {
        types.add(scan.group(1));
      }
      String field = intentField(intent).replaceFirst("^(inform|ask)_", "");
      Map<String, Integer> seen = new HashMap<>();
      Matcher m = USER_PLACEHOLDER.matcher(reply);
      StringBuilder out = new StringBuilder();
      while (m.find()) {
        String type = m.group(1);
        String name = type.toLowerCase(Locale.ROOT);
        int occurrence = seen.merge(type, 1, Integer::sum);
        long repeats = types.stream().filter(type::equals).count();
        String wizardSlot = wizardSlots.stream()
            .filter(w -> StarApi.tokens(w).equals(StarApi.tokens(name))).findFirst().orElse(null);
        String slot;
        if (wizardSlot != null && repeats == 1) {
          slot = wizardSlot;
        } else if (types.size() == 1 && !field.isEmpty()) {
          slot = field;
        } else if (repeats == 1) {
          slot = name;
        } else {
          slot = (field.isEmpty() ? name : field) + "_" + occurrence;
        }
        SlotUse use = slotUses.computeIfAbsent(slot, s -> new SlotUse());
        use.placeholders.add(type);
        use.userProvided = true;
        m.appendReplacement(out, Matcher.quoteReplacement("{" + slot + "}"));
      }
      m.appendTail(out);
      return out.toString();
    }

    private Map<String, Slot> slots() {
      Map<String, List<String>> examples = resultExamples();
      Optional<StarApi> api = api(apiName(null));
      Map<String, Slot> slots = new LinkedHashMap<>();
      List<String> generic = new ArrayList<>();
      slotUses.forEach((name, use) -> {
        StarSlots.Resolved resolved =
            StarSlots.resolve(name, use.placeholders, use.numeric, use.userProvided, api, examples);
        slots.put(name, resolved.slot());
        if (resolved.generic()) {
          generic.add(name);
        }
      });
      if (!generic.isEmpty()) {
        warnings.add("Generic example pools (STAR lists no values for them) for slots: " + String.join(", ", generic));
      }
      return slots;
    }

    /** Concrete values of result fields ({@code Message = The door is now unlocked.}), by field name. */
    private Map<String, List<String>> resultExamples() {
      Map<String, List<String>> examples = new LinkedHashMap<>();
      schema.replies().forEach((key, reply) -> {
        if (role(key) != Role.RESULT) {
          return;
        }
        for (String pair : reply.replaceFirst("^\\s*\\[RESULT]", "").split(";")) {
          int equals = pair.indexOf('=');
          if (equals < 0) {
            continue;
          }
          String field = pair.substring(0, equals).strip();
          String value = pair.substring(equals + 1).strip();
          if (!field.equals("APIName") && !value.isEmpty() && !value.contains("[")) {
            List<String> values = examples.computeIfAbsent(field, f -> new ArrayList<>());
            if (!values.contains(value)) {
              values.add(value);
            }
          }
        }
      });
      return examples;
    }

    private Node tool(String query, Map<String, String> templates) {
      String name = apiName(query);
      Optional<StarApi> api = api(name);
      List<String> userSlots = slotUses.entrySet().stream().filter(e -> e.getValue().userProvided)
          .map(Map.Entry::getKey).toList();
      Map<String, String> arguments = api.map(a -> StarSlots.arguments(userSlots, a)).orElse(Map.of());
      List<String> returns = returns(query, templates);
      String description = "STAR action " + query + ": calls " + name + requestType(query, api) + ".";
      return Node.tool(query, description, new ToolCall(name, arguments, returns), edges.get(query));
    }

    /** The API a query calls: the APIName its results report, else the task's name. */
    private String apiName(String query) {
      for (Map.Entry<String, String> entry : schema.rGraph().entrySet()) {
        if (role(entry.getKey()) == Role.RESULT && (query == null || query.equals(entry.getValue()))) {
          Matcher m = API_NAME.matcher(schema.replies().getOrDefault(entry.getKey(), ""));
          if (m.find()) {
            return m.group(1);
          }
        }
      }
      return schema.task().strip();
    }

    /** The definition of an API, else of the task's own API, loaded once; a warning when neither is there. */
    private Optional<StarApi> api(String name) {
      if (!apis.containsKey(name)) {
        Optional<StarApi> api;
        try {
          api = StarApi.load(apisDir, name);
          if (api.isEmpty() && !name.equals(schema.task().strip())) {
            api = StarApi.load(apisDir, schema.task().strip());
          }
        } catch (InvalidWorkflowException e) {
          warnings.add("Ignored the STAR API definition of '" + name + "': " + String.join("; ", e.problems()));
          api = Optional.empty();
        }
        if (api.isEmpty()) {
          warnings.add("No STAR API definition for '" + name + "'" + (apisDir == null ? "" : " under " + apisDir)
              + ": its slots get generic example pools and its calls no arguments");
        }
        apis.put(name, api);
      }
      return apis.get(name);
    }

    /** The request type a query sends, from its key: {@code query_check} checks, {@code query_book} books. */
    private static String requestType(String query, Optional<StarApi> api) {
      for (StarApi.Field field : api.map(StarApi::inputs).orElse(List.of())) {
        if (field.name().equals("RequestType")) {
          for (String category : field.categories()) {
            if (query.toLowerCase(Locale.ROOT).contains(category.toLowerCase(Locale.ROOT))) {
              return " with RequestType " + category;
            }
          }
        }
      }
      return "";
    }

    /** The slots the wizard uses after a call, up to the next call, that the user does not provide. */
    private List<String> returns(String query, Map<String, String> templates) {
      Set<String> returned = new LinkedHashSet<>();
      Set<String> seen = new HashSet<>();
      Deque<String> todo = new ArrayDeque<>();
      edges.get(query).forEach(e -> todo.add(e.to()));
      while (!todo.isEmpty()) {
        String key = todo.poll();
        if (!seen.add(key) || !templates.containsKey(key)) {
          continue; // a tool, a terminal, or a dropped node: the result stops mattering there
        }
        if (role(key) == Role.WIZARD) {
          Matcher m = SLOT.matcher(templates.get(key));
          while (m.find()) {
            SlotUse use = slotUses.get(m.group(1));
            if (use != null && !use.userProvided) {
              returned.add(m.group(1));
            }
          }
        }
        edges.getOrDefault(key, List.of()).forEach(e -> todo.add(e.to()));
      }
      return new ArrayList<>(returned);
    }

    /** The words user intents share ({@code user_hotel_book_}), which say nothing about any one of them. */
    private String intentPrefix() {
      List<String> intents = schema.replies().keySet().stream()
          .filter(k -> role(k) == Role.USER && !k.equals(START)).toList();
      if (intents.isEmpty()) {
        return "user_";
      }
      String prefix = intents.get(0);
      for (String intent : intents) {
        while (!intent.startsWith(prefix)) {
          prefix = prefix.substring(0, prefix.length() - 1);
        }
      }
      prefix = prefix.substring(0, prefix.lastIndexOf('_') + 1);
      for (String intent : intents) {
        // Keep something of every intent: the prefix may not swallow a whole name.
        while (intent.length() <= prefix.length() && prefix.length() > "user_".length()) {
          prefix = prefix.substring(0, prefix.lastIndexOf('_', prefix.length() - 2) + 1);
        }
      }
      return prefix.length() < "user_".length() ? "user_" : prefix;
    }

    /** What an intent is about, without the shared prefix: {@code inform_start_date}. */
    private String intentField(String intent) {
      return intent.startsWith(intentPrefix) ? intent.substring(intentPrefix.length())
          : intent.replaceFirst("^user_", "");
    }

    private String describeRole(String key) {
      return switch (role(key)) {
        case USER -> "user intent";
        case QUERY -> "query";
        case RESULT -> "result";
        case WIZARD -> "wizard action";
      };
    }

    /** Where a problem the validator found is in the schema: the reply of the node it is about. */
    String sourcePointer(Workflow workflow, String pointer) {
      String[] parts = (pointer == null ? "" : pointer).split("/", -1);
      if (parts.length > 2 && parts[1].equals("nodes")) {
        try {
          String id = workflow.nodes().get(Integer.parseInt(parts[2])).id();
          if (id != null && schema.replies().containsKey(id)) {
            return "/replies/" + escape(id);
          }
        } catch (NumberFormatException | IndexOutOfBoundsException e) {
          return "";
        }
      }
      return "";
    }

    private void problem(String pointer, String message) {
      problems.add(new WorkflowProblem(pointer, message));
    }
  }

  private static String humanise(String key) {
    return key.replace('_', ' ').strip();
  }

  private static String capitalise(String text) {
    return text.isEmpty() ? text : Character.toUpperCase(text.charAt(0)) + text.substring(1);
  }

  private static String escape(String key) {
    return key.replace("~", "~0").replace("/", "~1");
  }
}

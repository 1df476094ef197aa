package dev.subterra.synthesis.template;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.subterra.synthesis.Dialogue;
import dev.subterra.synthesis.Route;
import dev.subterra.synthesis.Scenario;
import dev.subterra.synthesis.StableIds;
import dev.subterra.synthesis.Teacher;
import dev.subterra.synthesis.TeacherException;
import dev.subterra.synthesis.ToolInvocation;
import dev.subterra.synthesis.ToolTurns;
import dev.subterra.synthesis.Turn;
import dev.subterra.workflow.Edge;
import dev.subterra.workflow.Fact;
import dev.subterra.workflow.Node;
import dev.subterra.workflow.NodeKind;
import dev.subterra.workflow.Slot;
import dev.subterra.workflow.Workflow;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;

/**
 * The offline teacher: writes a scenario's dialogue from the workflow's templates, prompts and conditions, with no
 * model and no network. The same workflow and scenario give the same dialogue, byte for byte.
 *
 * <ul>
 *   <li>An agent node speaks one of its templates, with the scenario's slot values filled in, or a line derived from
 *       its prompt when it has none. It states every fact it {@code cites}, appending any its template left out.
 *   <li>A user node speaks one of its templates. Where the path branches on what the user says (the user node
 *       itself branches, or a decision follows it), it picks a template that expresses the branch taken, or says the
 *       edge's {@code when} in the first person when none does. Branches decided by a guard on a value the user
 *       states need no words: the value says it.
 *   <li>A tool node is a tool turn: the call with the scenario's values for its arguments, in declared order, and a
 *       compact JSON result with the outcome the path takes ({@code status}) and the slots the tool returns.
 *   <li>Decisions and terminals produce no turn.
 * </ul>
 *
 * <p>The scenario's styles vary the user's side: paraphrase choice (terse users pick short templates, chatty users long
 * ones), fillers and asides, typos that never touch a slot value, a wrong value corrected in the same turn, and one
 * off-topic question. The agent answers that question briefly and returns to the task; both digression turns carry the
 * id of the user node the conversation is waiting at, which is how {@code ConformanceChecker} recognises them.
 */
public final class TemplateTeacher implements Teacher {
  /** The name recorded with every dialogue. */
  public static final String NAME = "template";
  /** Chance that the agent acknowledges a user turn before its own line. */
  static final double ACKNOWLEDGE = 0.25;
  /** A closing question shorter than this ("Shall I?") is repeated with the sentence before it, for context. */
  static final int SHORT_QUESTION = 25;
  /** Mixed into the scenario seed so that the teacher's draws do not replay the planner's. */
  private static final long TEACHER_STREAM = 0x7E3A11C59B0F4D21L;

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final List<String> ACKNOWLEDGEMENTS = List.of("Thanks.", "Got it.", "Okay.", "Understood.",
      "Thank you.");
  private static final List<String> OFF_TOPIC = List.of(
      "By the way, do you know what the weather will be like this weekend?",
      "Random question: can you recommend a good podcast?",
      "Unrelated, but what time is it in Tokyo right now?",
      "Oh, and do you know any good restaurants around here?",
      "Before I forget, who won the football last night?");
  private static final List<String> DEFLECTIONS = List.of("I'm sorry, I can't help with that here.",
      "That's outside what I can help with, I'm afraid.", "I'm not able to answer that one, sorry.");
  private static final List<String> AGENT_OPENERS = List.of("Let me ", "I'll ", "Next, I'll ");
  private static final List<String> USER_ACKNOWLEDGEMENTS = List.of("Okay.", "Sure.", "Alright.", "Yes.");

  @Override
  public String name() {
    return NAME;
  }

  @Override
  public Dialogue write(Workflow workflow, Scenario scenario) throws TeacherException {
    if (!workflow.id().equals(scenario.workflowId())) {
      throw new TeacherException("Cannot write scenario " + scenario.scenarioId() + ": it belongs to workflow "
          + scenario.workflowId() + ", not " + workflow.id(), false);
    }
    Route route;
    try {
      route = Route.of(workflow, scenario.nodes());
    } catch (IllegalArgumentException e) {
      throw new TeacherException("Cannot write scenario " + scenario.scenarioId() + ": " + e.getMessage(), false);
    }
    List<Turn> turns = new Writer(workflow, scenario, route).write();
    return new Dialogue(Dialogue.idFor(scenario.scenarioId(), NAME), scenario.scenarioId(),
        workflow.id(), scenario.pathId(), NAME, scenario.split(), turns);
  }

  /** The state of writing one dialogue; used by one thread, once. */
  private static final class Writer {
    private final Workflow workflow;
    private final Scenario scenario;
    private final Route route;
    private final SplittableRandom random;
    private final UserVoice voice;
    private final List<Turn> turns = new ArrayList<>();
    /** Slots the user has stated or a tool has returned: what the conversation already knows. */
    private final Set<String> known = new HashSet<>();
    /** Slots the user has stated: a guard on one of them is a branch the user has already put into words. */
    private final Set<String> userStated = new HashSet<>();
    private final int digressionAt;
    private int correctionFrom;

    Writer(Workflow workflow, Scenario scenario, Route route) {
      this.workflow = workflow;
      this.scenario = scenario;
      this.route = route;
      this.random = new SplittableRandom(scenario.seed() ^ TEACHER_STREAM);
      this.voice = new UserVoice(scenario.styles());
      List<Integer> userSteps = new ArrayList<>();
      for (int i = 0; i < route.size(); i++) {
        if (route.node(i).kind() == NodeKind.USER) {
          userSteps.add(i);
        }
      }
      this.digressionAt = voice.has("off_topic") && !userSteps.isEmpty()
          ? userSteps.get(random.nextInt(userSteps.size())) : -1;
      this.correctionFrom = voice.has("corrects_answer") && !userSteps.isEmpty()
          ? userSteps.get(random.nextInt(userSteps.size())) : Integer.MAX_VALUE;
    }

    List<Turn> write() throws TeacherException {
      for (int i = 0; i < route.size(); i++) {
        Node node = route.node(i);
        switch (node.kind()) {
          case AGENT -> turns.add(Turn.agent(node.id(), agentText(i)));
          case USER -> {
            if (i == digressionAt) {
              digress(node);
            }
            turns.add(Turn.user(node.id(), userText(i)));
          }
          case TOOL -> turns.add(toolTurn(i));
          default -> { }
        }
      }
      return turns;
    }

    // ---- agent turns ----

    private String agentText(int step) {
      Node node = route.node(step);
      Utterance text = node.templates().isEmpty()
          ? Utterance.render(fromPrompt(node), scenario.slots())
          : Utterance.render(node.templates().get(random.nextInt(node.templates().size())), scenario.slots());
      String said = node.cites().isEmpty() ? "" : text.text().toLowerCase(Locale.ROOT);
      for (String factId : node.cites()) {
        Fact fact = fact(factId);
        if (fact != null && fact.statement() != null && !said.contains(fact.statement().toLowerCase(Locale.ROOT))) {
          text = text.then(Utterance.literal(factSentence(fact)));
          said = text.text().toLowerCase(Locale.ROOT);
        }
      }
      if (!turns.isEmpty() && turns.get(turns.size() - 1).role() == dev.subterra.synthesis.Role.USER
          && random.nextDouble() < ACKNOWLEDGE) {
        text = Utterance.literal(UserVoice.pick(ACKNOWLEDGEMENTS, random)).then(text);
      }
      return text.text();
    }

    /** An agent line from the node's instruction: "Greet the customer" becomes "Let me greet you". */
    private String fromPrompt(Node node) {
      String instruction = firstSentence(node.prompt());
      if (instruction == null || instruction.startsWith("You ")) {
        instruction = firstSentence(node.description());
      }
      if (instruction == null) {
        return "Let me help you with the " + Utterance.humanize(node.id()) + ".";
      }
      String addressed = instruction
          .replaceAll("(?i)\\b(the|a) (user|customer|caller|client|traveller|traveler|patient|claimant|member)'s\\b",
              "your")
          .replaceAll("(?i)\\b(the|a) (user|customer|caller|client|traveller|traveler|patient|claimant|member)\\b",
              "you")
          .replaceAll("\\btheir\\b", "your")
          .replaceAll("\\bthey\\b", "you")
          .replaceAll("\\bthem\\b", "you");
      return UserVoice.pick(AGENT_OPENERS, random) + Utterance.decapitalize(addressed) + ".";
    }

    private Fact fact(String id) {
      for (Fact fact : workflow.knowledge()) {
        if (fact.id().equals(id)) {
          return fact;
        }
      }
      return null;
    }

    private static String factSentence(Fact fact) {
      if (fact.question() != null && fact.answer() != null) {
        return fact.question().trim() + " " + Utterance.capitalize(fact.answer().trim()) + endStop(fact.answer());
      }
      String key = fact.key() != null ? fact.key() : Utterance.humanize(fact.id());
      return Utterance.capitalize(key.trim()) + ": " + fact.statement().trim() + endStop(fact.statement());
    }

    private static String endStop(String text) {
      return text.trim().matches(".*[.!?]$") ? "" : ".";
    }

    // ---- user turns ----

    private String userText(int step) {
      Node node = route.node(step);
      List<Edge> outgoing = unspokenBranches(step, true);
      Utterance text;
      if (!node.templates().isEmpty()) {
        List<String> candidates = node.templates();
        if (!outgoing.isEmpty() && speaksForBranches(node.templates(), outgoing)) {
          candidates = matching(node.templates(), outgoing);
        }
        if (!candidates.isEmpty()) {
          text = Utterance.render(voice.choose(candidates, random), scenario.slots());
        } else {
          // No template says this branch: say the condition, and still give the values the templates would have.
          Set<String> wanted = new java.util.LinkedHashSet<>();
          node.templates().forEach(t -> wanted.addAll(Utterance.placeholders(t)));
          text = conditionLines(outgoing).then(valueLines(wanted));
        }
      } else {
        List<Edge> branches = new ArrayList<>(unspokenBranches(step, false));
        branches.addAll(outgoing);
        text = conditionLines(branches).then(valueLines(dueSlots(step)));
        if (text.isBlank()) {
          text = Utterance.render(userLineFromPrompt(node), scenario.slots());
        }
      }
      if (step >= correctionFrom) {
        Utterance corrected = voice.correct(text, alternatives(text), random);
        if (corrected != text) {
          correctionFrom = Integer.MAX_VALUE;
          text = corrected;
        }
      }
      text = voice.dress(text, random);
      known.addAll(text.slots());
      userStated.addAll(text.slots());
      return text.text();
    }

    /**
     * The branch edges a user turn has to put into words: {@code after}, the edges the user node itself takes and
     * those of the decisions right after it; otherwise, the edges of the decisions and agent branches right before
     * it, for a user node without templates (with templates, a branch target's templates already say it). Edges
     * without a {@code when}, and guarded edges whose slot the user states anyway, need no words; a guard on a value
     * only a tool returned does not speak for the user, so its {@code when} is still said.
     */
    private List<Edge> unspokenBranches(int step, boolean after) {
      List<Edge> edges = new ArrayList<>();
      Node node = route.node(step);
      Set<String> stated = new HashSet<>(userStated);
      node.templates().forEach(t -> stated.addAll(Utterance.placeholders(t)));
      if (node.templates().isEmpty()) {
        stated.addAll(dueSlots(step));
      }
      if (after) {
        for (int j = step; j + 1 < route.size() && (j == step || route.node(j).kind() == NodeKind.DECISION); j++) {
          addBranch(j, stated, edges);
        }
      } else {
        int j = step - 1;
        while (j >= 0 && route.node(j).kind() == NodeKind.DECISION) {
          j--;
        }
        if (j >= 0 && route.node(j).kind() == NodeKind.USER) {
          return edges;
        }
        for (int k = Math.max(j, 0); k < step; k++) {
          if (route.node(k).kind() != NodeKind.TOOL) {
            addBranch(k, stated, edges);
          }
        }
      }
      return edges;
    }

    private void addBranch(int step, Set<String> stated, List<Edge> edges) {
      Edge edge = route.edge(step);
      if (edge == null || !route.node(step).isBranching() || edge.when() == null || edge.when().isBlank()) {
        return;
      }
      if (edge.guard() != null && stated.contains(edge.guard().slot())) {
        return;
      }
      edges.add(edge);
    }

    private List<String> matching(List<String> templates, List<Edge> branches) {
      List<String> out = new ArrayList<>();
      for (String template : templates) {
        boolean all = true;
        for (Edge edge : branches) {
          all &= Conditions.expresses(template, edge.when(), siblingConditions(edge));
        }
        if (all) {
          out.add(template);
        }
      }
      return out;
    }

    /**
     * Whether any template expresses any one branch of the branch points ahead, against the others there. When none
     * does, the templates are the same whichever way the path goes (video-meeting-support's still_broken routes on
     * how often the steps failed, not on the words), so any of them fits and no condition needs saying.
     */
    private boolean speaksForBranches(List<String> templates, List<Edge> branches) {
      for (Edge taken : branches) {
        List<String> all = new ArrayList<>(siblingConditions(taken));
        all.add(taken.when());
        for (String template : templates) {
          for (int k = 0; k < all.size(); k++) {
            List<String> others = new ArrayList<>(all);
            String one = others.remove(k);
            if (Conditions.expresses(template, one, others)) {
              return true;
            }
          }
        }
      }
      return false;
    }

    private List<String> siblingConditions(Edge edge) {
      for (int i = 0; i < route.size(); i++) {
        if (route.edge(i) == edge) {
          return route.siblings(i).stream().map(Edge::when).filter(w -> w != null && !w.isBlank()).toList();
        }
      }
      return List.of();
    }

    private Utterance conditionLines(List<Edge> branches) {
      Utterance out = Utterance.literal("");
      for (Edge edge : branches) {
        out = out.then(Utterance.literal(Conditions.firstPerson(edge.when())));
      }
      return out;
    }

    /** "The order is A-100." for each slot that has a value, the values kept as slot segments. */
    private Utterance valueLines(Iterable<String> slots) {
      List<Utterance.Segment> out = new ArrayList<>();
      for (String slot : slots) {
        String value = scenario.slots().get(slot);
        if (value == null) {
          continue;
        }
        out.add(new Utterance.Segment((out.isEmpty() ? "The " : " The ") + Utterance.humanize(slot) + " is ", null));
        out.add(new Utterance.Segment(value, slot));
        out.add(new Utterance.Segment(".", null));
      }
      return Utterance.of(out);
    }

    /**
     * The values a user without templates should give at this step: the arguments of the tools and the guarded
     * slots ahead of it, up to the next user turn, that nobody has stated and no tool has returned yet.
     */
    private Set<String> dueSlots(int step) {
      Set<String> due = new java.util.LinkedHashSet<>();
      for (int j = step; j < route.size() && (j == step || route.node(j).kind() != NodeKind.USER); j++) {
        Node node = route.node(j);
        if (node.kind() == NodeKind.TOOL && node.tool() != null) {
          due.addAll(node.tool().arguments().values());
        }
        Edge edge = route.edge(j);
        if (edge != null && edge.guard() != null) {
          due.add(edge.guard().slot());
        }
      }
      due.removeAll(known);
      for (int j = 0; j < step; j++) {
        Node node = route.node(j);
        if (node.kind() == NodeKind.TOOL && node.tool() != null) {
          node.tool().returns().forEach(due::remove);
        }
      }
      return due;
    }

    /** A user line from the node's instruction: "Say where you want to go" becomes "I'd like to say where I ...". */
    private String userLineFromPrompt(Node node) {
      String instruction = firstSentence(node.prompt());
      if (instruction == null) {
        instruction = firstSentence(node.description());
      }
      if (instruction == null) {
        return UserVoice.pick(USER_ACKNOWLEDGEMENTS, random);
      }
      String mine = instruction
          .replaceAll("(?i)\\byour\\b", "my")
          .replaceAll("(?i)\\byourself\\b", "myself")
          .replaceAll("(?i)\\byou are\\b", "I am")
          .replaceAll("(?i)\\byou\\b", "I");
      return mine.startsWith("I ") ? mine + "." : "I'd like to " + Utterance.decapitalize(mine) + ".";
    }

    /** Other values a user could mistake for each slot stated: the rest of its pool, or nearby numbers. */
    private Map<String, List<String>> alternatives(Utterance text) {
      Map<String, List<String>> out = new LinkedHashMap<>();
      for (String slot : text.slots()) {
        Slot declared = workflow.slots().get(slot);
        String value = scenario.slots().get(slot);
        if (declared == null || value == null) {
          continue;
        }
        List<String> others = new ArrayList<>();
        if (!declared.values().isEmpty()) {
          declared.values().stream().filter(v -> !v.equals(value)).forEach(others::add);
        } else {
          try {
            double x = Double.parseDouble(value);
            boolean integral = x == Math.rint(x);
            for (double delta : new double[] {-2, -1, 1, 2, 10}) {
              others.add(integral ? Long.toString(Math.round(x + delta)) : String.valueOf(x + delta));
            }
          } catch (NumberFormatException notANumber) {
            // A free value with no pool has no plausible mistake.
          }
        }
        out.put(slot, others);
      }
      return out;
    }

    // ---- digressions ----

    private void digress(Node waitingAt) {
      String aside = UserVoice.pick(OFF_TOPIC, random);
      turns.add(Turn.user(waitingAt.id(), voice.has("makes_typos") ? UserVoice.misspell(aside, random) : aside));
      String reply = UserVoice.pick(DEFLECTIONS, random);
      String question = lastAgentQuestion();
      reply += question == null ? " Let's get back to your request." : " Back to your request: " + question;
      turns.add(Turn.agent(waitingAt.id(), reply));
    }

    private String lastAgentQuestion() {
      for (int t = turns.size() - 1; t >= 0; t--) {
        Turn turn = turns.get(t);
        if (turn.role() == dev.subterra.synthesis.Role.AGENT) {
          String text = turn.text().trim();
          if (!text.endsWith("?")) {
            return null;
          }
          int start = sentenceStart(text, text.length());
          if (text.length() - start < SHORT_QUESTION && start > 0) {
            start = sentenceStart(text, start - 2);
          }
          return text.substring(start);
        }
      }
      return null;
    }

    /** Where the sentence that ends before {@code end} starts. */
    private static int sentenceStart(String text, int end) {
      String head = text.substring(0, end);
      int stop = Math.max(Math.max(head.lastIndexOf(". "), head.lastIndexOf("! ")), head.lastIndexOf("? "));
      return stop < 0 ? 0 : stop + 2;
    }

    // ---- tool turns ----

    private Turn toolTurn(int step) throws TeacherException {
      Node node = route.node(step);
      Edge taken = route.edge(step);
      boolean success = isSuccess(ToolTurns.outcome(taken));
      // A failed call reveals only what the conversation goes on to use before the next call.
      Turn turn = ToolTurns.of(scenario, node, taken, slot -> success || usedBeforeNextTool(step, slot));
      if (node.tool() != null) {
        node.tool().returns().stream().filter(slot -> turn.result().contains("\"" + slot + "\":")).forEach(known::add);
      }
      return turn;
    }

    private static boolean isSuccess(String outcome) {
      String o = outcome.toLowerCase(Locale.ROOT);
      return o.equals("success") || o.equals("ok") || o.equals("found") || o.equals("succeeded");
    }

    /** Whether a turn after this tool call, and before the next one, needs the returned value. */
    private boolean usedBeforeNextTool(int step, String slot) {
      for (int j = step + 1; j < route.size() && route.node(j).kind() != NodeKind.TOOL; j++) {
        Node node = route.node(j);
        for (String template : node.templates()) {
          if (Utterance.placeholders(template).contains(slot)) {
            return true;
          }
        }
        if (node.prompt() != null && Utterance.placeholders(node.prompt()).contains(slot)) {
          return true;
        }
      }
      return false;
    }

    private static String firstSentence(String text) {
      if (text == null || text.isBlank()) {
        return null;
      }
      String t = text.strip().replaceAll("\\s+", " ");
      int end = t.length();
      for (String stop : new String[] {". ", "? ", "! ", ": "}) {
        int at = t.indexOf(stop);
        if (at > 0) {
          end = Math.min(end, at);
        }
      }
      String sentence = t.substring(0, end);
      return sentence.replaceAll("[.!?:;]+$", "");
    }
  }
}

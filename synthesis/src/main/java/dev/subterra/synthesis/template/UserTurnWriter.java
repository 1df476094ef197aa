package dev.subterra.synthesis.template;

import dev.subterra.synthesis.Route;
import dev.subterra.synthesis.Scenario;
import dev.subterra.synthesis.Turn;
import dev.subterra.synthesis.Wording;
import dev.subterra.workflow.Edge;
import dev.subterra.workflow.Node;
import dev.subterra.workflow.NodeKind;
import dev.subterra.workflow.Slot;
import dev.subterra.workflow.Workflow;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;

/**
 * The user's side of a template dialogue: what a scenario's user says at each user step of its route, shared by the
 * {@link TemplateTeacher} and by evaluation's user simulator, so that the student is evaluated against the same user it
 * was trained on.
 *
 * <p>A user turn speaks one of its node's templates with the scenario's values. Where the path branches on what the
 * user says (the user node itself branches, or a decision follows it), it picks a template that expresses the branch
 * taken, or says the edge's {@code when} in the first person when none does; a user node without templates gives the
 * values the tools and guards ahead need. The scenario's styles vary the wording (see {@code UserVoice}), including one
 * off-topic question ({@link #digressesAt}) and one value first given wrong and corrected.
 *
 * <p>The writer remembers what the conversation already knows: the values the user stated, and the values tool results
 * showed ({@link #heard}), so that it does not repeat them. Draws come from the caller's generator, so the teacher can
 * interleave them with its own; the digression and correction steps are drawn once, in the constructor. Used by one
 * thread, for one conversation.
 */
public final class UserTurnWriter {
  private static final List<String> USER_ACKNOWLEDGEMENTS = List.of("Okay.", "Sure.", "Alright.", "Yes.");
  private static final List<String> OFF_TOPIC = List.of(
      "By the way, do you know what the weather will be like this weekend?",
      "Random question: can you recommend a good podcast?",
      "Unrelated, but what time is it in Tokyo right now?",
      "Oh, and do you know any good restaurants around here?",
      "Before I forget, who won the football last night?");

  private final Workflow workflow;
  private final Scenario scenario;
  private final Route route;
  private final UserVoice voice;
  private final UserWording wording;
  /** Slots the user has stated or a tool has returned: what the conversation already knows. */
  private final Set<String> known = new HashSet<>();
  /** Slots the user has stated: a guard on one of them is a branch the user has already put into words. */
  private final Set<String> userStated = new HashSet<>();
  private final int digressionAt;
  private int correctionFrom;
  /** Whether the customer writes first, before the agent at the start node has spoken. */
  private final boolean speaksFirst;

  /**
   * The user of one scenario, on its resolved route, speaking the {@code wording} share of the user's wording; draws
   * the step of its off-topic question and of its corrected value (for users with those styles) from {@code random}.
   */
  public UserTurnWriter(Workflow workflow, Scenario scenario, Route route, Wording wording, SplittableRandom random) {
    this.workflow = workflow;
    this.scenario = scenario;
    this.route = route;
    this.voice = new UserVoice(scenario.styles());
    this.wording = new UserWording(workflow, wording);
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
    this.speaksFirst = route.size() > 0 && route.node(0).kind() == NodeKind.AGENT && !userSteps.isEmpty()
        && random.nextDouble() < SPEAKS_FIRST;
  }

  /** Chance that, where the workflow starts with the agent, the customer writes first, as most chat clients open. */
  static final double SPEAKS_FIRST = 0.3;

  /**
   * What the customer says before the agent's first turn, or {@code null} when the agent speaks first: a greeting, and
   * a request or one of the values of the first user turn. Drawn before any other turn, from {@code random}.
   */
  public String opening(SplittableRandom random) {
    if (!speaksFirst) {
      return null;
    }
    int firstUser = 0;
    while (route.node(firstUser).kind() != NodeKind.USER) {
      firstUser++;
    }
    List<String> slots = new ArrayList<>();
    route.node(firstUser).templates().forEach(t -> Utterance.placeholders(t).stream()
        .filter(slot -> !slots.contains(slot)).forEach(slots::add));
    Utterance said = voice.dress(wording.casual(wording.opening(slots, scenario.slots(), random), random), random);
    return said.text();
  }

  /** Whether the user asks an off-topic question right before speaking at this (user) step. */
  public boolean digressesAt(int step) {
    return step == digressionAt;
  }

  /** The off-topic question, with typos for a user who makes them. */
  public String offTopic(SplittableRandom random) {
    String aside = UserVoice.pick(OFF_TOPIC, random);
    return voice.has("makes_typos") ? UserVoice.misspell(aside, random) : aside;
  }

  /** Notes the values a tool turn's result shows, which the user then need not give. */
  public void heard(Turn toolTurn) {
    Node node = workflow.node(toolTurn.nodeId()).orElse(null);
    if (node == null || node.tool() == null || toolTurn.result() == null) {
      return;
    }
    node.tool().returns().stream().filter(slot -> toolTurn.result().contains("\"" + slot + "\":"))
        .forEach(known::add);
  }

  /**
 * What the user says at step {@code step} of the route: see the class comment. Draws from {@code random}.
 */
public String say(int step, SplittableRandom random) {
    Node node = route.node(step);
    List<Edge> outgoing = unspokenBranches(step, true);
    Map<String, String> values = scenario.slotsAt(step);
    Utterance text;
    if (scenario.refinesAt(step) && random.nextDouble() >= UserWording.RESTATED) {
      // The user changes a value or two and keeps the rest: only the changes are said.
      text = wording.written(wording.refinement(scenario.revisions(), random), random);
    } else if (!node.templates().isEmpty()) {
      List<String> candidates = node.templates();
      boolean needsIntent = answersHub(step);
      if (!outgoing.isEmpty() && speaksForBranches(node.templates(), outgoing)) {
        candidates = matching(node.templates(), outgoing);
        needsIntent = true;
      }
      candidates = wording.templates(node, candidates);
      if (!candidates.isEmpty()) {
        String template = voice.choose(candidates, random);
        Utterance composed = random.nextDouble() < UserWording.COMPOSED
            ? wording.compose(template, values, needsIntent, random) : null;
        text = wording.written(composed != null ? composed : Utterance.render(template, values), random);
      } else {
        // No template says this branch: say the condition, and still give the values the templates would have.
        Set<String> wanted = new java.util.LinkedHashSet<>();
        node.templates().forEach(t -> wanted.addAll(Utterance.placeholders(t)));
        text = conditionLines(outgoing).then(valueLines(wanted, values));
      }
    } else {
      List<Edge> branches = new ArrayList<>(unspokenBranches(step, false));
      branches.addAll(outgoing);
      text = conditionLines(branches).then(valueLines(dueSlots(step), values));
      if (text.isBlank()) {
        text = Utterance.render(userLineFromPrompt(node, random), values);
      }
    }
    if (step >= correctionFrom) {
      Utterance corrected = voice.correct(text, alternatives(text, values), random);
      if (corrected != text) {
        correctionFrom = Integer.MAX_VALUE;
        text = corrected;
      }
    }
    text = voice.dress(wording.casual(text, random), random);
    known.addAll(text.slots());
    userStated.addAll(text.slots());
    return text.text();
  }

  /**
   * Whether the user turn at {@code step} answers a hub's question in words: the route came to it by an edge that a
   * decision or agent node chose by its {@code when}, with no guard (reaction -> choose_option), so its wording carries
   * the intent.
   */
  private boolean answersHub(int step) {
    if (step == 0) {
      return false;
    }
    Edge into = route.edge(step - 1);
    return route.node(step - 1).isBranching() && into != null && into.guard() == null && into.when() != null
        && !into.when().isBlank();
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
  private Utterance valueLines(Iterable<String> slots, Map<String, String> values) {
    List<Utterance.Segment> out = new ArrayList<>();
    for (String slot : slots) {
      String value = values.get(slot);
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
  private String userLineFromPrompt(Node node, SplittableRandom random) {
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
  private Map<String, List<String>> alternatives(Utterance text, Map<String, String> values) {
    Map<String, List<String>> out = new LinkedHashMap<>();
    for (String slot : text.slots()) {
      Slot declared = workflow.slots().get(slot);
      String value = values.get(slot);
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
      // A wrong value that another value of the turn has ("I mean 5, not 6" with six travellers and 6 nights) would
      // leave the correction ambiguous.
      others.removeIf(other -> text.slots().stream().anyMatch(o -> !o.equals(slot)
          && other.equals(values.get(o))));
      out.put(slot, others);
    }
    return out;
  }

  static String firstSentence(String text) {
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

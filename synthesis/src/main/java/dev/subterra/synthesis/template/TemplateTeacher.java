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
import dev.subterra.synthesis.Wording;
import dev.subterra.workflow.Edge;
import dev.subterra.workflow.Fact;
import dev.subterra.workflow.Node;
import dev.subterra.workflow.NodeKind;
import dev.subterra.workflow.Workflow;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
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
 *       states need no words: the value says it. The user's side is {@link UserTurnWriter}, which evaluation's user
 *       simulator shares.
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
  private static final List<String> DEFLECTIONS = List.of("I'm sorry, I can't help with that here.",
      "That's outside what I can help with, I'm afraid.", "I'm not able to answer that one, sorry.");
  private static final List<String> AGENT_OPENERS = List.of("Let me ", "I'll ", "Next, I'll ");

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

  /**
   * The generator the teacher writes a scenario's dialogue with. A user simulator that builds its
   * {@link UserTurnWriter} from the same generator draws the same digression and correction steps as the teacher did.
   */
  public static SplittableRandom randomFor(Scenario scenario) {
    return new SplittableRandom(scenario.seed() ^ TEACHER_STREAM);
  }

  /**
   * The tool turn at step {@code step} of a scenario's route, as this teacher writes it: the call with the scenario's
   * values and the result with the outcome the path takes. A successful call shows every value the tool returns; a
   * failed one shows only those the conversation goes on to use before the next call.
   */
  public static Turn toolTurn(Scenario scenario, Route route, int step) throws TeacherException {
    Node node = route.node(step);
    Edge taken = route.edge(step);
    boolean success = isSuccess(ToolTurns.outcome(taken));
    return ToolTurns.of(scenario, scenario.slotsAt(step), node, taken,
        slot -> success || usedBeforeNextTool(route, step, slot));
  }

  private static boolean isSuccess(String outcome) {
    String o = outcome.toLowerCase(Locale.ROOT);
    return o.equals("success") || o.equals("ok") || o.equals("found") || o.equals("succeeded");
  }

  /** Whether a turn after this tool call, and before the next one, needs the returned value. */
  private static boolean usedBeforeNextTool(Route route, int step, String slot) {
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

  /** The state of writing one dialogue; used by one thread, once. */
  private static final class Writer {
    private final Workflow workflow;
    private final Scenario scenario;
    private final Route route;
    private final SplittableRandom random;
    private final UserTurnWriter user;
    private final List<Turn> turns = new ArrayList<>();

    Writer(Workflow workflow, Scenario scenario, Route route) {
      this.workflow = workflow;
      this.scenario = scenario;
      this.route = route;
      this.random = randomFor(scenario);
      this.user = new UserTurnWriter(workflow, scenario, route, Wording.TRAINING, random);
    }

    List<Turn> write() throws TeacherException {
      String opening = user.opening(random);
      if (opening != null) {
        turns.add(Turn.user(route.node(0).id(), opening));
      }
      for (int i = 0; i < route.size(); i++) {
        Node node = route.node(i);
        switch (node.kind()) {
          case AGENT -> turns.add(Turn.agent(node.id(), agentText(i)));
          case USER -> {
            if (user.digressesAt(i)) {
              digress(node);
            }
            turns.add(Turn.user(node.id(), user.say(i, random)));
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
          ? Utterance.render(fromPrompt(node), scenario.slotsAt(step))
          : Utterance.render(node.templates().get(random.nextInt(node.templates().size())), scenario.slotsAt(step));
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
      String instruction = UserTurnWriter.firstSentence(node.prompt());
      if (instruction == null || instruction.startsWith("You ")) {
        instruction = UserTurnWriter.firstSentence(node.description());
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

    // ---- digressions ----

    private void digress(Node waitingAt) {
      turns.add(Turn.user(waitingAt.id(), user.offTopic(random)));
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
      Turn turn = TemplateTeacher.toolTurn(scenario, route, step);
      user.heard(turn);
      return turn;
    }
  }
}

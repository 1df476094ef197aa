package dev.subterra.evaluation.simulate;

import dev.subterra.synthesis.Route;
import dev.subterra.synthesis.Scenario;
import dev.subterra.synthesis.TeacherException;
import dev.subterra.synthesis.Wording;
import dev.subterra.synthesis.template.TemplateTeacher;
import dev.subterra.synthesis.template.UserTurnWriter;
import dev.subterra.workflow.Node;
import dev.subterra.workflow.NodeKind;
import dev.subterra.workflow.Workflow;
import java.util.HashSet;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.regex.Pattern;

/**
 * A rule-based user who acts out one scenario against a policy: its path, slot values, persona and styles.
 *
 * <p>At each user step of the scenario's path the simulator says what the template teacher's user would say there
 * ({@link UserTurnWriter}, the same code that wrote the training dialogues): the values the step gives, and, where the
 * path branches on the user's words, a line that expresses the branch the scenario takes. On top of that it answers
 * the agent's questions: when the agent's last turn asks about a slot (names it, as in "what is your order number?")
 * whose value the user holds and the line does not state yet, the value is added ("The order is A-100."). Users whose
 * styles include {@code off_topic} ask one off-topic question at the step the teacher would have, so a reference
 * dialogue and a closed-loop conversation of the same scenario have the same shape.
 *
 * <p>The simulator never sees the agent's node tags: it is given only the text the agent said. It follows the
 * scenario's path whatever the agent does; see {@code ClosedLoopRunner} for what that means for scoring. Deterministic:
 * draws come from the scenario's seed. One instance per conversation, used by one thread.
 */
public final class UserSimulator {
  private static final Pattern QUESTION = Pattern.compile("[^.!?]*\\?");

  private final Workflow workflow;
  private final Scenario scenario;
  private final Route route;
  private final UserTurnWriter writer;
  private final SplittableRandom random;
  /** Slots that a tool of the workflow returns: the user does not hold them, so never volunteers them. */
  private final Set<String> toolReturned = new HashSet<>();
  private int heardUpTo;

  /**
   * The user of one scenario of a validated workflow.
   *
   * @throws IllegalArgumentException when the scenario's path is not a path of the workflow
   */
  public UserSimulator(Workflow workflow, Scenario scenario) {
    this(workflow, scenario, Wording.TRAINING);
  }

  /**
   * The user of one scenario of a validated workflow, speaking the {@code wording} share of the user's wording: the
   * training share, as the teacher's users did, or the held-out share, which no training dialogue spoke.
   *
   * @throws IllegalArgumentException when the scenario's path is not a path of the workflow
   */
  public UserSimulator(Workflow workflow, Scenario scenario, Wording wording) {
    this.workflow = workflow;
    this.scenario = scenario;
    this.route = Route.of(workflow, scenario.nodes());
    // The teacher's generator: the off-topic question and the corrected value fall at the teacher's steps.
    this.random = TemplateTeacher.randomFor(scenario);
    this.writer = new UserTurnWriter(workflow, scenario, route, wording, random);
    for (Node node : workflow.nodes()) {
      if (node.kind() == NodeKind.TOOL && node.tool() != null) {
        toolReturned.addAll(node.tool().returns());
      }
    }
  }

  /** The scenario's path, resolved against the workflow. */
  public Route route() {
    return route;
  }

  /** Whether the user asks an off-topic question before speaking at this user step. */
  public boolean digressesAt(int step) {
    return writer.digressesAt(step);
  }

  /** What the user writes before the agent's first turn, or {@code null} when the agent speaks first. */
  public String opening() {
    return writer.opening(random);
  }

  /** The off-topic question. */
  public String offTopic() {
    return writer.offTopic(random);
  }

  /**
   * What the user says at user step {@code step} of the path, after the agent said {@code lastAgentText} (empty when
   * the agent has not spoken since the user last did).
   */
  public String reply(int step, String lastAgentText) {
    if (route.node(step).kind() != NodeKind.USER) {
      throw new IllegalArgumentException("Invalid step: " + step + " is node '" + route.node(step).id()
          + "', not a user node");
    }
    hearToolsBefore(step);
    String line = writer.say(step, random);
    return answerQuestions(line, lastAgentText == null ? "" : lastAgentText, scenario.slotsAt(step));
  }

  /**
   * The scenario's tool results up to this step, as the user of the scenario knows them: values they show need not be
   * given again. They are the scenario's results, not the ones the agent got, because the user acts out the scenario.
   */
  private void hearToolsBefore(int step) {
    for (; heardUpTo < step; heardUpTo++) {
      if (route.node(heardUpTo).kind() == NodeKind.TOOL) {
        try {
          writer.heard(TemplateTeacher.toolTurn(scenario, route, heardUpTo));
        } catch (TeacherException e) {
          // A tool whose argument has no value: nothing was returned that the user could know.
        }
      }
    }
  }

  private String answerQuestions(String line, String agentText, Map<String, String> values) {
    StringBuilder out = new StringBuilder(line);
    String lower = line.toLowerCase(Locale.ROOT);
    var questions = QUESTION.matcher(agentText);
    StringBuilder asked = new StringBuilder();
    while (questions.find()) {
      asked.append(questions.group().toLowerCase(Locale.ROOT)).append(' ');
    }
    if (asked.isEmpty()) {
      return line;
    }
    for (Map.Entry<String, String> slot : values.entrySet()) {
      String name = slot.getKey();
      String value = slot.getValue();
      if (value == null || toolReturned.contains(name) || !workflow.slots().containsKey(name)
          || lower.contains(value.toLowerCase(Locale.ROOT))) {
        continue;
      }
      String spoken = humanize(name);
      if (Pattern.compile("\\b" + Pattern.quote(spoken) + "\\b").matcher(asked).find()) {
        out.append(out.isEmpty() ? "" : " ").append("The ").append(spoken).append(" is ").append(value).append('.');
      }
    }
    return out.toString();
  }

  private static String humanize(String slot) {
    return slot.replace('_', ' ').replace('-', ' ').trim().toLowerCase(Locale.ROOT);
  }
}

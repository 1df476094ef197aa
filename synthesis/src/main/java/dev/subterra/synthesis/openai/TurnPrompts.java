package dev.subterra.synthesis.openai;

import dev.subterra.synthesis.Role;
import dev.subterra.synthesis.Scenario;
import dev.subterra.synthesis.Turn;
import dev.subterra.workflow.Fact;
import dev.subterra.workflow.Node;
import dev.subterra.workflow.Slot;
import dev.subterra.workflow.Workflow;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * The messages that ask a teacher model for one turn, as the paper does: the node's prompt plus the conversation so
 * far.
 *
 * <ul>
 *   <li>An agent turn gets its node's prompt, the knowledge-base facts the node cites, and the conversation with tool
 *       calls and results.
 *   <li>A user turn gets the scenario (persona, styles, the slot values a user would know) and its own node's prompt,
 *       and, where the path branches after it, the condition the turn must satisfy. It never gets the flowchart: no
 *       node ids, no other node's prompt, no workflow description, no tool calls. A user who knew the procedure would
 *       steer it, and the student would learn from users no real one resembles.
 * </ul>
 *
 * <p>The conversation goes in one user message as a transcript rather than as alternating chat roles: the chat
 * templates of several local servers reject two messages of the same role in a row, or a system message after the
 * first, and a transcript has neither problem.
 */
public final class TurnPrompts {
  private static final Pattern PLACEHOLDER = Pattern.compile("\\{([A-Za-z0-9_.-]+)}");

  private TurnPrompts() {}

  /**
   * The messages for an agent turn.
   *
   * @param conditions what the turn must make true where the agent's own node branches; usually empty
   */
  public static List<ChatMessage> agent(
      Workflow workflow, Scenario scenario, Node node, List<String> conditions, List<Turn> conversation) {
    StringBuilder system = new StringBuilder()
        .append("You are the agent in a customer conversation for ").append(workflow.displayName()).append(". ")
        .append("Write only the agent's next message to the user: plain text, no role label, no stage directions, ")
        .append("no quotation marks around it.\n\n")
        .append("Your instruction for this message: ").append(agentInstruction(node, scenario)).append('\n');
    List<Fact> facts = cited(workflow, node);
    if (!facts.isEmpty()) {
      system.append("\nFacts to rely on (state them exactly):\n");
      for (Fact fact : facts) {
        system.append("- ").append(fact.question() != null ? fact.question() : fact.key()).append(": ")
            .append(fact.statement()).append('\n');
      }
    }
    appendConditions(system, conditions);
    String user = conversation.isEmpty()
        ? "The conversation has not started. Write the agent's opening message."
        : "Conversation so far:\n" + agentTranscript(conversation) + "\nWrite the agent's next message.";
    return List.of(ChatMessage.system(system.toString().strip()), ChatMessage.user(user));
  }

  /**
   * The messages for a user turn.
   *
   * @param conditions the {@code when} of every edge the path takes right after this turn (at this node if it branches,
   *     and at the decision hubs that follow it), which the turn must satisfy
   */
  public static List<ChatMessage> user(
      Workflow workflow, Scenario scenario, Node node, List<String> conditions, List<Turn> conversation) {
    StringBuilder system = new StringBuilder()
        .append("You are role-playing a user who is talking to a customer-service agent. Stay in character. ")
        .append("Write only your next message to the agent: plain text, no role label, no stage directions, ")
        .append("no quotation marks around it.\n\n")
        .append("Who you are: ")
        .append(scenario.persona() == null || scenario.persona().isBlank() ? "an ordinary customer" : scenario.persona())
        .append(".\n");
    if (!scenario.styles().isEmpty()) {
      system.append("How you write: ").append(String.join(", ", scenario.styles())).append(".\n");
    }
    Map<String, String> known = userKnowledge(workflow, scenario);
    if (!known.isEmpty()) {
      system.append("What you know (use these exact values when they come up):\n");
      known.forEach((slot, value) -> system.append("- ").append(slotLabel(workflow, slot)).append(": ")
          .append(value).append('\n'));
    }
    system.append("\nWhat you do in this message: ").append(userInstruction(node, scenario)).append('\n');
    appendConditions(system, conditions);
    String user = conversation.isEmpty()
        ? "The conversation has not started. Write your opening message."
        : "Conversation so far:\n" + userTranscript(conversation) + "\nWrite your next message.";
    return List.of(ChatMessage.system(system.toString().strip()), ChatMessage.user(user));
  }

  /**
   * The slot values a user may know: every scenario value except those a tool returns, which only the system learns.
   */
  static Map<String, String> userKnowledge(Workflow workflow, Scenario scenario) {
    Set<String> returned = workflow.nodes().stream()
        .filter(n -> n.tool() != null)
        .flatMap(n -> n.tool().returns().stream())
        .collect(Collectors.toSet());
    Map<String, String> known = new java.util.LinkedHashMap<>();
    scenario.slots().forEach((slot, value) -> {
      if (!returned.contains(slot)) {
        known.put(slot, value);
      }
    });
    return known;
  }

  private static String agentInstruction(Node node, Scenario scenario) {
    return instruction(node, scenario, "continue the conversation helpfully.");
  }

  private static String userInstruction(Node node, Scenario scenario) {
    return instruction(node, scenario, "reply to the agent.");
  }

  /** The node's prompt, else its description, else its first template as an example, else {@code fallback}. */
  private static String instruction(Node node, Scenario scenario, String fallback) {
    if (node.prompt() != null && !node.prompt().isBlank()) {
      return node.prompt().strip();
    }
    if (node.description() != null && !node.description().isBlank()) {
      return node.description().strip();
    }
    if (!node.templates().isEmpty()) {
      return "say, in your own words, something like: " + fill(node.templates().get(0), scenario.slots());
    }
    return fallback;
  }

  private static void appendConditions(StringBuilder system, List<String> conditions) {
    Set<String> distinct = new LinkedHashSet<>(conditions);
    if (!distinct.isEmpty()) {
      system.append("\nYour message must make this true: ").append(String.join("; and ", distinct)).append(".\n");
    }
  }

  private static List<Fact> cited(Workflow workflow, Node node) {
    return node.cites().stream()
        .flatMap(id -> workflow.knowledge().stream().filter(f -> id.equals(f.id())))
        .filter(f -> f.statement() != null)
        .toList();
  }

  private static String slotLabel(Workflow workflow, String slot) {
    Slot declared = workflow.slots().get(slot);
    return declared != null && declared.description() != null && !declared.description().isBlank()
        ? slot + " (" + declared.description().strip() + ")"
        : slot;
  }

  private static String agentTranscript(List<Turn> conversation) {
    StringBuilder out = new StringBuilder();
    for (Turn turn : conversation) {
      switch (turn.role()) {
        case USER -> out.append("User: ").append(turn.text()).append('\n');
        case AGENT -> out.append("Agent: ").append(turn.text()).append('\n');
        case TOOL -> out.append("Tool call ").append(turn.call().name()).append('(')
            .append(turn.call().arguments().entrySet().stream()
                .map(e -> e.getKey() + "=\"" + e.getValue() + "\"")
                .collect(Collectors.joining(", ")))
            .append(") returned ").append(turn.result()).append('\n');
      }
    }
    return out.toString();
  }

  private static String userTranscript(List<Turn> conversation) {
    StringBuilder out = new StringBuilder();
    for (Turn turn : conversation) {
      // The user sees what was said, not the systems behind the agent.
      if (turn.role() == Role.USER) {
        out.append("You: ").append(turn.text()).append('\n');
      } else if (turn.role() == Role.AGENT) {
        out.append("Agent: ").append(turn.text()).append('\n');
      }
    }
    return out.toString();
  }

  private static String fill(String template, Map<String, String> slots) {
    Matcher m = PLACEHOLDER.matcher(template);
    StringBuilder out = new StringBuilder();
    while (m.find()) {
      String value = slots.get(m.group(1));
      m.appendReplacement(out, Matcher.quoteReplacement(value != null ? value : m.group()));
    }
    m.appendTail(out);
    return out.toString();
  }
}

package dev.subterra.evaluation.policy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.subterra.synthesis.Role;
import dev.subterra.synthesis.ToolInvocation;
import dev.subterra.synthesis.Turn;
import dev.subterra.workflow.Fact;
import dev.subterra.workflow.Node;
import dev.subterra.workflow.NodeKind;
import dev.subterra.workflow.Slot;
import dev.subterra.workflow.SlotType;
import dev.subterra.workflow.Workflow;
import java.io.IOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The MLlib next-node baseline as a closed-loop policy: {@link NextNodeScorer} picks the node from the last turns, and
 * the turn is written from the workflow the way the offline teacher would say it, with what the conversation has told
 * so far.
 *
 * <ul>
 *   <li>An agent node says its first template with the values known so far (a value not yet known reads as "the
 *       <i>slot</i>", as the teacher writes it), or a line from its prompt when it has no template, and states every
 *       fact it cites.
 *   <li>A tool node calls its tool with the values known so far; an argument it cannot fill is empty, which the tool
 *       simulator answers as a call that matches nothing.
 *   <li>A user node (the teacher tags its answer to an off-topic question with the node the conversation waits at)
 *       gets the teacher's deflection.
 * </ul>
 *
 * <p>Values are read from the conversation only, never from the scenario: from tool results (JSON objects whose keys
 * are slots), from "The <i>slot</i> is <i>value</i>" answers, from user turns that match a user node's template
 * (placeholders captured), and from a value of a slot's pool that no other slot's pool has. A later mention overrides
 * an earlier one, so a corrected answer wins. The baseline has no tags to learn and writes no invalid one, except
 * when its best class is the indexer's unknown label.
 *
 * <p>Not thread-safe (it counts the time it spends); one per thread.
 */
public final class BaselinePolicy implements Policy {
  /** What the baseline answers an off-topic question with: the teacher's first deflection. */
  static final String DEFLECTION = "I'm sorry, I can't help with that here. Let's get back to your request.";
  private static final Pattern PLACEHOLDER = Pattern.compile("\\{([^{}]*)}");
  private static final ObjectMapper JSON = new ObjectMapper();

  private final Workflow workflow;
  private final NextNodeScorer scorer;
  private final List<Pattern> templatePatterns = new ArrayList<>();
  private final List<List<String>> templateSlots = new ArrayList<>();
  private final Map<String, Pattern> statedPatterns = new LinkedHashMap<>();
  /** Word-bounded patterns of pool values that only one slot has, with the slot and the value. */
  private final Map<Pattern, String[]> distinctivePoolValues = new LinkedHashMap<>();
  private long nanos;
  private long turns;

  public BaselinePolicy(Workflow workflow, NextNodeScorer scorer) {
    this.workflow = workflow;
    this.scorer = scorer;
    for (Node node : workflow.nodes()) {
      if (node.kind() != NodeKind.USER) {
        continue;
      }
      for (String template : node.templates()) {
        List<String> slots = new ArrayList<>();
        StringBuilder regex = new StringBuilder();
        Matcher m = PLACEHOLDER.matcher(template);
        int at = 0;
        while (m.find()) {
          regex.append(Pattern.quote(template.substring(at, m.start())));
          regex.append("(.+?)");
          slots.add(m.group(1).trim());
          at = m.end();
        }
        if (slots.isEmpty()) {
          continue;
        }
        String rest = template.substring(at).replaceAll("[.!?]+$", "");
        regex.append(Pattern.quote(rest));
        // A value at the very end runs to the sentence's end, not one character.
        String full = regex.toString().endsWith("(.+?)") ? regex + "(?=[.!?]?\\s*$|[.!?,;]\\s)" : regex.toString();
        templatePatterns.add(Pattern.compile(full, Pattern.CASE_INSENSITIVE));
        templateSlots.add(slots);
      }
    }
    Map<String, Integer> poolOwners = new HashMap<>();
    for (Map.Entry<String, Slot> slot : workflow.slots().entrySet()) {
      String spoken = slot.getKey().replace('_', ' ').replace('-', ' ').trim();
      statedPatterns.put(slot.getKey(), Pattern.compile("\\bthe " + Pattern.quote(spoken) + " is (.+?)\\.(?:\\s|$)",
          Pattern.CASE_INSENSITIVE));
      for (String value : slot.getValue().values()) {
        poolOwners.merge(value.toLowerCase(Locale.ROOT), 1, Integer::sum);
      }
    }
    for (Map.Entry<String, Slot> slot : workflow.slots().entrySet()) {
      if (slot.getValue().type() == SlotType.NUMBER) {
        continue;
      }
      for (String value : slot.getValue().values()) {
        if (poolOwners.get(value.toLowerCase(Locale.ROOT)) == 1) {
          distinctivePoolValues.put(Pattern.compile("\\b" + Pattern.quote(value.toLowerCase(Locale.ROOT)) + "\\b"),
              new String[] {slot.getKey(), value});
        }
      }
    }
  }

  @Override
  public String name() {
    return "baseline";
  }

  @Override
  public List<Optional<PolicyTurn>> next(List<PolicyRequest> requests) {
    List<Optional<PolicyTurn>> out = new ArrayList<>(requests.size());
    for (PolicyRequest request : requests) {
      long start = System.nanoTime();
      out.add(Optional.of(PolicyTurn.of(turn(request.history()))));
      nanos += System.nanoTime() - start;
      turns++;
    }
    return out;
  }

  /** The seconds spent choosing and writing turns so far, and how many turns. */
  public double seconds() {
    return nanos / 1e9;
  }

  /** Turns written so far. */
  public long turns() {
    return turns;
  }

  /** The agent's next turn after this history. */
  Turn turn(List<Turn> history) {
    String previous = "start";
    for (Turn t : history) {
      if (t.role() != Role.USER && t.nodeId() != null) {
        previous = t.nodeId();
      }
    }
    String predicted = scorer.predict(NextNodeScorer.context(history, history.size(), previous));
    Node node = predicted == null ? null : workflow.node(predicted).orElse(null);
    if (node == null) {
      return Turn.agent(predicted, "");
    }
    Map<String, String> known = known(history);
    return switch (node.kind()) {
      case TOOL -> {
        Map<String, String> arguments = new LinkedHashMap<>();
        node.tool().arguments().forEach((argument, slot) -> arguments.put(argument, known.getOrDefault(slot, "")));
        yield new Turn(Role.TOOL, "", node.id(), new ToolInvocation(node.tool().name(), arguments), null);
      }
      case USER -> Turn.agent(node.id(), DEFLECTION);
      default -> Turn.agent(node.id(), agentText(node, known));
    };
  }

  /** The slot values the conversation has told so far, later mentions first. */
  Map<String, String> known(List<Turn> history) {
    Map<String, String> known = new HashMap<>();
    for (Turn t : history) {
      if (t.role() == Role.TOOL && t.result() != null) {
        try {
          JsonNode result = JSON.readTree(t.result());
          result.fields().forEachRemaining(f -> {
            if (workflow.slots().containsKey(f.getKey()) && f.getValue().isValueNode()) {
              known.put(f.getKey(), f.getValue().asText());
            }
          });
        } catch (IOException e) {
          // A result that is not JSON tells no values.
        }
      } else if (t.role() == Role.USER && t.text() != null) {
        String text = t.text();
        String lower = text.toLowerCase(Locale.ROOT);
        for (Map.Entry<Pattern, String[]> pooled : distinctivePoolValues.entrySet()) {
          if (pooled.getKey().matcher(lower).find()) {
            known.put(pooled.getValue()[0], pooled.getValue()[1]);
          }
        }
        for (int p = 0; p < templatePatterns.size(); p++) {
          Matcher m = templatePatterns.get(p).matcher(text);
          if (m.find()) {
            List<String> slots = templateSlots.get(p);
            for (int g = 0; g < slots.size(); g++) {
              if (workflow.slots().containsKey(slots.get(g))) {
                known.put(slots.get(g), m.group(g + 1).trim());
              }
            }
          }
        }
        for (Map.Entry<String, Pattern> stated : statedPatterns.entrySet()) {
          Matcher m = stated.getValue().matcher(text);
          while (m.find()) {
            known.put(stated.getKey(), m.group(1).trim());
          }
        }
      }
    }
    return known;
  }

  private String agentText(Node node, Map<String, String> known) {
    String text;
    if (!node.templates().isEmpty()) {
      text = fill(node.templates().get(0), known);
    } else if (node.prompt() != null && !node.prompt().isBlank()) {
      String first = node.prompt().trim().split("(?<=[.!?])\\s+")[0].replaceAll("[.!?]+$", "");
      text = "Let me " + Character.toLowerCase(first.charAt(0)) + first.substring(1) + ".";
    } else {
      text = "Let me help you with the " + node.id().replace('_', ' ') + ".";
    }
    StringBuilder out = new StringBuilder(text);
    for (String factId : node.cites()) {
      for (Fact fact : workflow.knowledge()) {
        if (fact.id().equals(factId) && fact.statement() != null
            && !out.toString().toLowerCase(Locale.ROOT).contains(fact.statement().toLowerCase(Locale.ROOT))) {
          out.append(' ').append(fact.statement().trim());
        }
      }
    }
    return out.toString();
  }

  private static String fill(String template, Map<String, String> known) {
    Matcher m = PLACEHOLDER.matcher(template);
    StringBuilder out = new StringBuilder();
    while (m.find()) {
      String slot = m.group(1).trim();
      String value = known.getOrDefault(slot, "the " + slot.replace('_', ' '));
      m.appendReplacement(out, Matcher.quoteReplacement(value));
    }
    m.appendTail(out);
    return out.toString();
  }
}

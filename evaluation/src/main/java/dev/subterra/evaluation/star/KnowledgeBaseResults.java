package dev.subterra.evaluation.star;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.subterra.workflow.Node;
import dev.subterra.workflow.NodeKind;
import dev.subterra.workflow.Workflow;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Writes a STAR knowledge-base item as the tool result the student was trained on: {@code {"status": outcome, slot:
 * value, ...}}, where the outcome is the schema's result ({@code db_hotel_available} is {@code hotel_available}) whose
 * concrete fields the item has ({@code Message = Available}), and the slots are those the task's tools return, taken
 * from the item's fields of the same name ({@code HotelName} fills {@code hotel_name}).
 *
 * <p>This translation is what makes a real result readable to a student that only saw synthetic ones; it uses the
 * schema and the item alone, never the label of the turn.
 */
public final class KnowledgeBaseResults {
  private static final ObjectMapper JSON = new ObjectMapper();

  /** A result of the schema: its outcome name and the fields with a concrete value. */
  private record Outcome(String name, Map<String, String> fields) {}

  private final List<Outcome> outcomes;
  private final Set<String> returnedSlots;

  private KnowledgeBaseResults(List<Outcome> outcomes, Set<String> returnedSlots) {
    this.outcomes = List.copyOf(outcomes);
    this.returnedSlots = Set.copyOf(returnedSlots);
  }

  /** The results of one STAR schema (its {@code db_*} replies) and the slots its imported workflow's tools return. */
  public static KnowledgeBaseResults of(byte[] schema, Workflow workflow) {
    JsonNode replies;
    try {
      replies = JSON.readTree(schema).path("replies");
    } catch (IOException e) {
      throw new IllegalArgumentException("Invalid STAR schema: " + e.getMessage().lines().findFirst().orElse(""));
    }
    List<Outcome> outcomes = new ArrayList<>();
    replies.fields().forEachRemaining(e -> {
      if (e.getKey().startsWith("db_")) {
        outcomes.add(new Outcome(e.getKey().substring("db_".length()), concreteFields(e.getValue().asText(""))));
      }
    });
    Set<String> returned = new LinkedHashSet<>();
    for (Node node : workflow.nodes()) {
      if (node.kind() == NodeKind.TOOL && node.tool() != null) {
        returned.addAll(node.tool().returns());
      }
    }
    return new KnowledgeBaseResults(outcomes, returned);
  }

  /** {@code [RESULT] APIName = x ; Message = Available ; HotelName = [HOTEL_NAME] ;} has the concrete Message. */
  private static Map<String, String> concreteFields(String reply) {
    Map<String, String> fields = new LinkedHashMap<>();
    for (String pair : reply.replaceFirst("^\\s*\\[RESULT]", "").split(";")) {
      int equals = pair.indexOf('=');
      if (equals > 0) {
        String field = pair.substring(0, equals).strip();
        String value = pair.substring(equals + 1).strip();
        if (!field.equals("APIName") && !value.isEmpty() && !value.contains("[")) {
          fields.put(field, value);
        }
      }
    }
    return fields;
  }

  /**
   * The schema outcome an item matches: the one with the most concrete fields, all equal (ignoring case) to the
   * item's; a result without concrete fields matches only when it is the schema's only one. Null when none does.
   */
  public String outcome(Map<String, String> item) {
    Outcome best = null;
    for (Outcome outcome : outcomes) {
      boolean matches = !outcome.fields().isEmpty() || outcomes.size() == 1;
      for (Map.Entry<String, String> field : outcome.fields().entrySet()) {
        String value = item.get(field.getKey());
        matches &= value != null && value.strip().equalsIgnoreCase(field.getValue());
      }
      if (matches && (best == null || outcome.fields().size() > best.fields().size())) {
        best = outcome;
      }
    }
    return best == null ? null : best.name();
  }

  /** The tool result text for an item: status (when an outcome matches), then the returned slots it fills. */
  public String render(Map<String, String> item) {
    Map<String, String> result = new LinkedHashMap<>();
    String outcome = outcome(item);
    if (outcome != null) {
      result.put("status", outcome);
    }
    for (Map.Entry<String, String> field : item.entrySet()) {
      String slot = snakeCase(field.getKey());
      if (returnedSlots.contains(slot) && !result.containsKey(slot)) {
        result.put(slot, field.getValue());
      }
    }
    try {
      return JSON.writeValueAsString(result);
    } catch (JsonProcessingException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** {@code HotelName} is {@code hotel_name}, {@code TemperatureCelsius} {@code temperature_celsius}. */
  static String snakeCase(String field) {
    return field.replaceAll("([a-z0-9])([A-Z])", "$1_$2").replaceAll("([A-Z])([A-Z][a-z])", "$1_$2")
        .toLowerCase(Locale.ROOT);
  }
}

package dev.subterra.evaluation.star;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * One event of a STAR dialogue: who acted ({@code User}, {@code Wizard}, {@code KnowledgeBase}, {@code UserGuide}),
 * the action ({@code utter}, {@code pick_suggestion}, {@code query}, {@code return_item}, ...), and what goes with it.
 *
 * @param agent who acted
 * @param action what kind of event it is
 * @param text what was said, or null
 * @param actionLabel the schema action a {@code pick_suggestion} chose, or null
 * @param apiName the API a {@code query} or {@code return_item} names, or null
 * @param constraints a query's constraints, field to value, in order, with STAR's quoting removed; empty otherwise
 * @param item the item a {@code return_item} returned, field to value, in order; empty otherwise
 */
public record StarEvent(String agent, String action, String text, String actionLabel, String apiName,
    Map<String, String> constraints, Map<String, String> item) {
  public static final String USER = "User";
  public static final String WIZARD = "Wizard";
  public static final String KNOWLEDGE_BASE = "KnowledgeBase";

  public StarEvent {
    // Order matters for calls and results as the student reads them: keep the reader's order.
    constraints = ordered(constraints);
    item = ordered(item);
  }

  private static Map<String, String> ordered(Map<String, String> map) {
    return map == null ? Map.of() : Collections.unmodifiableMap(new LinkedHashMap<>(map));
  }

  boolean is(String who, String what) {
    return who.equals(agent) && what.equals(action);
  }
}

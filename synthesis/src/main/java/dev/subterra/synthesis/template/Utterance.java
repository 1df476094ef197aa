package dev.subterra.synthesis.template;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A turn's text as segments, each either literal words or a slot value. Style changes (typos, fillers, casing) touch
 * the literal segments only, so a value a tool needs is never corrupted.
 */
final class Utterance {
  /** One run of text; {@code slot} names the slot it renders, or is {@code null} for literal words. */
  record Segment(String text, String slot) {
    boolean isSlot() {
      return slot != null;
    }
  }

  private static final Pattern PLACEHOLDER = Pattern.compile("\\{([^{}]*)}");

  private final List<Segment> segments;

  private Utterance(List<Segment> segments) {
    this.segments = List.copyOf(segments);
  }

  /** Text made of these segments. */
  static Utterance of(List<Segment> segments) {
    return new Utterance(segments);
  }

  /** Literal text. */
  static Utterance literal(String text) {
    return new Utterance(text.isEmpty() ? List.of() : List.of(new Segment(text, null)));
  }

  /** A template with its {@code {slot}} placeholders filled; a slot without a value reads as its name. */
  static Utterance render(String template, Map<String, String> values) {
    List<Segment> out = new ArrayList<>();
    Matcher m = PLACEHOLDER.matcher(template);
    int at = 0;
    while (m.find()) {
      if (m.start() > at) {
        out.add(new Segment(template.substring(at, m.start()), null));
      }
      String slot = m.group(1).trim();
      String value = values.get(slot);
      out.add(value != null ? new Segment(value, slot) : new Segment("the " + humanize(slot), null));
      at = m.end();
    }
    if (at < template.length()) {
      out.add(new Segment(template.substring(at), null));
    }
    return new Utterance(out);
  }

  /** The slots a template's placeholders name, in order. */
  static List<String> placeholders(String template) {
    List<String> names = new ArrayList<>();
    Matcher m = PLACEHOLDER.matcher(template);
    while (m.find()) {
      names.add(m.group(1).trim());
    }
    return names;
  }

  /** {@code travel_date} as {@code travel date}. */
  static String humanize(String id) {
    return id.replace('_', ' ').replace('-', ' ').trim();
  }

  List<Segment> segments() {
    return segments;
  }

  /** This text followed by another, joined by one space. */
  Utterance then(Utterance next) {
    if (segments.isEmpty()) {
      return next;
    }
    if (next.segments.isEmpty()) {
      return this;
    }
    List<Segment> out = new ArrayList<>(segments);
    out.add(new Segment(" ", null));
    out.addAll(next.segments);
    return new Utterance(out);
  }

  /**
   * This text after a lead-in such as "Um, ": the first word loses its capital unless it is "I", a name or a value,
   * or the lead-in is a sentence of its own.
   */
  Utterance after(String leadIn) {
    List<Segment> out = new ArrayList<>();
    out.add(new Segment(leadIn, null));
    boolean ownSentence = leadIn.strip().matches(".*[.!?]$");
    for (int i = 0; i < segments.size(); i++) {
      Segment s = segments.get(i);
      out.add(i == 0 && !s.isSlot() && !ownSentence ? new Segment(decapitalize(s.text()), null) : s);
    }
    return new Utterance(out);
  }

  /** The same segments with every literal one transformed. */
  Utterance mapLiterals(java.util.function.UnaryOperator<String> change) {
    List<Segment> out = new ArrayList<>(segments.size());
    for (Segment s : segments) {
      out.add(s.isSlot() ? s : new Segment(change.apply(s.text()), null));
    }
    return new Utterance(out);
  }

  /** The same segments with one slot's value replaced, for a user who first gives a wrong value. */
  Utterance withValue(String slot, String value) {
    List<Segment> out = new ArrayList<>(segments.size());
    boolean done = false;
    for (Segment s : segments) {
      if (!done && slot.equals(s.slot())) {
        out.add(new Segment(value, slot));
        done = true;
      } else {
        out.add(s);
      }
    }
    return new Utterance(out);
  }

  /** The slots whose values this text states, in order. */
  List<String> slots() {
    return segments.stream().filter(Segment::isSlot).map(Segment::slot).toList();
  }

  boolean isBlank() {
    return text().isBlank();
  }

  String text() {
    StringBuilder b = new StringBuilder();
    segments.forEach(s -> b.append(s.text()));
    return b.toString().replaceAll("\\s+", " ").trim();
  }

  static String decapitalize(String text) {
    if (text.isEmpty() || text.startsWith("I ") || text.startsWith("I'") || text.equals("I")) {
      return text;
    }
    // Acronyms and product names ("MeetWave", "OK") keep their case.
    int wordEnd = text.indexOf(' ') < 0 ? text.length() : text.indexOf(' ');
    if (!text.substring(1, wordEnd).equals(text.substring(1, wordEnd).toLowerCase(Locale.ROOT))) {
      return text;
    }
    return text.substring(0, 1).toLowerCase(Locale.ROOT) + text.substring(1);
  }

  static String capitalize(String text) {
    if (text.isEmpty()) {
      return text;
    }
    return text.substring(0, 1).toUpperCase(Locale.ROOT) + text.substring(1);
  }
}

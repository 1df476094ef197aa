package dev.subterra.synthesis.template;

import dev.subterra.synthesis.Wording;
import dev.subterra.workflow.Node;
import dev.subterra.workflow.Slot;
import dev.subterra.workflow.Workflow;
import dev.subterra.workflow.values.ValueNormaliser;
import dev.subterra.workflow.values.WrittenForm;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * How customers word a user turn beyond the workflow's templates: the values a template states, said in any order with
 * the workflow's own per-slot phrasings ("{travellers} of us"), joined and opened the way people type, in lower case at
 * times, with the intent sentences of the template kept ("Perfect, go ahead and book."). Every list it draws from is
 * split into a training and a held-out share ({@link Wording}); one instance speaks one share.
 *
 * <p>A composed turn states exactly the values its template does, so a composed turn and a template turn teach the same
 * call. A template whose values share a sentence with its intent ("Yes please, book {option_name}.") cannot be taken
 * apart without losing the intent, so where the turn must carry one (it answers a decision hub's question) only
 * templates with an intent sentence of their own are composed.
 */
final class UserWording {
  /** Chance that a composable user turn is composed rather than spoken from its template. */
  static final double COMPOSED = 0.5;
  /** Chance that a composed turn's values keep the template's order rather than a shuffled one. */
  static final double KEEP_ORDER = 0.3;
  /** Chance that a value is said bare ("Porto") rather than with one of its phrasings ("going to Porto"). */
  static final double BARE = 0.3;
  /** Chances that a composed turn opens with a greeting or closes with thanks. */
  static final double OPENED = 0.4;
  static final double CLOSED = 0.25;
  /** Chance that a user who refines restates the whole request with the new values rather than only the changes. */
  static final double RESTATED = 0.3;
  private static final List<String> REFINE_OPENERS = List.of("Could you look again?", "Small change:",
      "Actually, one change:", "Can we try something else?", "Let's adjust that:", "Hmm, one thing:",
      "Wait, change of plan:", "Can you try again?", "One tweak please:", "Could we change it?");
  private static final List<String> KEEP = List.of("everything else the same", "the rest stays the same",
      "same otherwise", "keep the rest as it was", "all else unchanged", "other details as before",
      "same as before otherwise", "nothing else changes");

  /** Chance that a value is written the way people write it ("a week", "1.5k", "March 14th") rather than as is. */
  static final double WRITTEN = 0.4;
  /** A unit word right after a value, which a written form that carries its unit replaces ("a week" nights). */
  private static final Pattern UNIT_AFTER = Pattern.compile("^(-| )(nights?|days?|eur|euros?)\\b",
      Pattern.CASE_INSENSITIVE);
  /** Chance that a user writes a turn's words in lower case (and the values that read back as themselves). */
  static final double LOWER_CASE = 0.2;

  private static final Pattern SENTENCE = Pattern.compile("[^.!?]+(?:[.!?]+|$)");
  private static final Pattern PLACEHOLDER = Pattern.compile("\\{[^{}]*}");
  private static final List<String> OPENERS = List.of("Hi,", "Hello,", "Hey,", "Hi there,", "Ok so", "Right,", "So",
      "Alright,", "Good morning,", "Hiya,", "Hello there.", "Morning!", "Hi again,", "Okay,");
  private static final List<String> CLOSERS = List.of("thanks", "thank you", "cheers", "thx", "please",
      "much appreciated", "ty", "thanks a lot");
  private static final List<String> JOINERS = List.of(", ", " and ", ". ", " - ", "; ", ", and ", " + ");
  private static final List<String> GREETINGS = List.of("Hi", "Hello", "Hey", "Hi there", "Good morning",
      "Hello there", "Hiya", "Morning", "Good afternoon", "Hey there");
  private static final List<String> REQUESTS = List.of("can you help me?", "I need some help.", "are you there?",
      "I have a question.", "I'd like some help please.", "quick question.", "is this the right place?",
      "hoping you can help.");
  private static final List<String> GENERIC = List.of("{}", "the {name} is {}", "{name}: {}", "{name} {}",
      "{name} would be {}");

  private final Workflow workflow;
  private final Wording wording;
  private final Map<Slot, ValueNormaliser> normalisers = new java.util.HashMap<>();

  UserWording(Workflow workflow, Wording wording) {
    this.workflow = workflow;
    this.wording = wording;
  }

  Wording share() {
    return wording;
  }

  /** The candidate templates of a node that this share speaks; all of them when the share speaks none. */
  List<String> templates(Node node, List<String> candidates) {
    List<String> spoken = wording.of("template\u001f" + node.id(), node.templates());
    List<String> out = candidates.stream().filter(spoken::contains).toList();
    return out.isEmpty() ? candidates : out;
  }

  /**
   * The template's values in a turn of the customer's own making, or {@code null} when the template cannot be taken
   * apart ({@code needsIntent} and no sentence of it is free of values) or states no value.
   */
  Utterance compose(String template, Map<String, String> values, boolean needsIntent, SplittableRandom random) {
    List<String> intent = new ArrayList<>();
    Set<String> slots = new LinkedHashSet<>(Utterance.placeholders(template));
    Matcher sentences = SENTENCE.matcher(template);
    while (sentences.find()) {
      String sentence = sentences.group().strip();
      if (!sentence.isEmpty() && !PLACEHOLDER.matcher(sentence).find()) {
        intent.add(sentence);
      }
    }
    slots.removeIf(slot -> values.get(slot) == null);
    if (slots.isEmpty() || needsIntent && intent.isEmpty()) {
      return null;
    }
    List<String> order = new ArrayList<>(slots);
    if (random.nextDouble() >= KEEP_ORDER) {
      for (int i = order.size() - 1; i > 0; i--) {
        java.util.Collections.swap(order, i, random.nextInt(i + 1));
      }
    }
    List<String> joiners = wording.of("joiner", JOINERS);
    List<Utterance.Segment> out = new ArrayList<>();
    String opener = random.nextDouble() < OPENED ? pick(wording.of("opener", OPENERS), random) : null;
    if (opener != null) {
      out.add(new Utterance.Segment(opener + " ", null));
    }
    if (!intent.isEmpty()) {
      String said = String.join(" ", intent);
      out.add(new Utterance.Segment((opener == null || opener.matches(".*[.!?]$") ? said
          : Utterance.decapitalize(said)) + " ", null));
    }
    for (int i = 0; i < order.size(); i++) {
      if (i > 0) {
        out.add(new Utterance.Segment(pick(joiners, random), null));
      }
      out.addAll(phrase(order.get(i), values.get(order.get(i)), mayBeBare(order.get(i), order), random));
    }
    if (random.nextDouble() < CLOSED) {
      out.add(new Utterance.Segment((random.nextBoolean() ? ", " : ". ") + pick(wording.of("closer", CLOSERS),
          random), null));
    }
    return Utterance.of(capitalised(out));
  }

  /**
   * What a customer who writes first says before the agent has spoken: a greeting, and a request for help or one of
   * the values the first user turn will give, with one of its phrasings ("Hi, a trip to Lisbon please.").
   */
  Utterance opening(List<String> firstSlots, Map<String, String> values, SplittableRandom random) {
    String greeting = pick(wording.of("greeting", GREETINGS), random);
    List<String> given = firstSlots.stream().filter(slot -> values.get(slot) != null
        && workflow.slots().get(slot) != null && !workflow.slots().get(slot).phrasings().isEmpty()).toList();
    if (given.isEmpty() || random.nextBoolean()) {
      return Utterance.literal(greeting + ", " + pick(wording.of("request", REQUESTS), random));
    }
    List<Utterance.Segment> out = new ArrayList<>();
    out.add(new Utterance.Segment(greeting + ", ", null));
    String slot = pick(given, random);
    List<String> phrasings = workflow.slots().get(slot).phrasings().stream()
        .map(p -> p.replace("{" + slot + "}", "{}")).toList();
    out.addAll(phrase(slot, values.get(slot), pick(wording.of("phrasing\u001f" + slot, phrasings), random)));
    out.add(new Utterance.Segment(random.nextBoolean() ? " please." : ".", null));
    return Utterance.of(out);
  }

  /**
   * The turn with some of its values written the way people write them, by the slot's format: "a week" for 7 nights,
   * "1.5k" for 1500, "March 14th" for 2026-03-14. A form that carries its unit replaces the unit word after the value
   * ("for a week", not "for a week nights"), and is not used where the unit is part of a compound ("a 7-night stay").
   * The share speaks only the shapes of form it owns ({@link Wording#speaks}); the call still carries the canonical
   * value.
   */
  Utterance written(Utterance text, SplittableRandom random) {
    List<Utterance.Segment> segments = new ArrayList<>(text.segments());
    for (int i = 0; i < segments.size(); i++) {
      Utterance.Segment s = segments.get(i);
      Slot slot = s.isSlot() ? workflow.slots().get(s.slot()) : null;
      if (slot == null || random.nextDouble() >= WRITTEN) {
        continue;
      }
      Utterance.Segment next = i + 1 < segments.size() && !segments.get(i + 1).isSlot() ? segments.get(i + 1) : null;
      Matcher unit = next == null ? null : UNIT_AFTER.matcher(next.text());
      boolean unitFollows = unit != null && unit.find();
      boolean compound = unitFollows && unit.group(1).equals("-");
      List<WrittenForm> forms = new ArrayList<>();
      for (WrittenForm form : formsOf(slot, s.text())) {
        if (!form.text().equals(s.text()) && !(form.carriesUnit() && compound)
            && wording.speaks("form\u001f" + slot.normalisation().wireName(), shape(form.text()))) {
          forms.add(form);
        }
      }
      if (forms.isEmpty()) {
        continue;
      }
      WrittenForm form = forms.get(random.nextInt(forms.size()));
      segments.set(i, new Utterance.Segment(form.text(), s.slot()));
      if (form.carriesUnit() && unitFollows) {
        segments.set(i + 1, new Utterance.Segment(next.text().substring(unit.end()), null));
      }
    }
    return Utterance.of(segments);
  }

  private List<WrittenForm> formsOf(Slot slot, String value) {
    try {
      return normalisers.computeIfAbsent(slot, ValueNormaliser::of).writtenForms(value);
    } catch (IllegalArgumentException notCanonical) {
      return List.of();
    }
  }

  /** A written form's shape: its runs of digits as 9 and of letters as w ("14 Mar 2026" is "9 w 9"). */
  static String shape(String form) {
    return form.replaceAll("\\p{N}+", "9").replaceAll("\\p{L}+", "w");
  }

  /**
   * A refinement: that something changes, the values the user changes, each with one of its phrasings, and that the
   * rest stays as it was ("Could you look again? under 1500 EUR, everything else the same.").
   */
  Utterance refinement(Map<String, String> changes, SplittableRandom random) {
    List<Utterance.Segment> out = new ArrayList<>();
    out.add(new Utterance.Segment(pick(wording.of("refine", REFINE_OPENERS), random) + " ", null));
    List<String> slots = new ArrayList<>(changes.keySet());
    for (int i = 0; i < slots.size(); i++) {
      if (i > 0) {
        out.add(new Utterance.Segment(" and ", null));
      }
      out.addAll(phrase(slots.get(i), changes.get(slots.get(i)), false, random));
    }
    String keep = pick(wording.of("keep", KEEP), random);
    out.add(new Utterance.Segment(random.nextBoolean() ? ". " + Utterance.capitalize(keep) + "." : ", " + keep + ".",
        null));
    return Utterance.of(out);
  }

  /** The turn with its words (never its values) in lower case, for some users. */
  Utterance casual(Utterance text, SplittableRandom random) {
    if (random.nextDouble() >= LOWER_CASE) {
      return text;
    }
    List<Utterance.Segment> out = new ArrayList<>();
    for (Utterance.Segment s : text.segments()) {
      out.add(!s.isSlot() || readsBackLowerCased(s) ? new Utterance.Segment(s.text().toLowerCase(Locale.ROOT),
          s.slot()) : s);
    }
    return Utterance.of(out);
  }

  /**
   * Whether a value written in lower case still reads as itself, so a casual user may write it so: a listed value of a
   * text slot or an enum's ("lisbon" is Lisbon), never a name or a place no list holds, which the call carries as
   * written.
   */
  private boolean readsBackLowerCased(Utterance.Segment value) {
    Slot slot = workflow.slots().get(value.slot());
    if (slot == null || !slot.values().contains(value.text())) {
      return false;
    }
    String lower = value.text().toLowerCase(Locale.ROOT);
    return normalisers.computeIfAbsent(slot, ValueNormaliser::of).canonical(lower).map(value.text()::equals)
        .orElse(false);
  }

  /**
   * Whether a value may be said without words around it and still be read as this slot's: not a number (which number
   * is the nights and which the party size?), and no other slot of the turn of the same type and generator (which
   * town is the origin?).
   */
  private boolean mayBeBare(String slot, List<String> turnSlots) {
    Slot declared = workflow.slots().get(slot);
    if (declared == null || declared.type() == dev.subterra.workflow.SlotType.NUMBER) {
      return false;
    }
    return turnSlots.stream().filter(other -> !other.equals(slot)).map(workflow.slots()::get)
        .noneMatch(other -> other != null && other.type() == declared.type()
            && java.util.Objects.equals(other.generate(), declared.generate()));
  }

  /** One value with one of its phrasings (the workflow's, or generic ones), the value a slot segment. */
  private List<Utterance.Segment> phrase(String slot, String value, boolean bare, SplittableRandom random) {
    Slot declared = workflow.slots().get(slot);
    List<String> own = declared == null ? List.of() : declared.phrasings().stream()
        .map(p -> p.replace("{" + slot + "}", "{}")).toList();
    List<String> phrasings = own.isEmpty() ? bare ? GENERIC : GENERIC.subList(1, GENERIC.size()) : own;
    String phrasing = bare && random.nextDouble() < BARE ? "{}"
        : pick(wording.of("phrasing\u001f" + slot, phrasings), random);
    return phrase(slot, value, phrasing);
  }

  /** The value in this phrasing ({@code {}} marks the value, {@code {name}} the slot's name). */
  private static List<Utterance.Segment> phrase(String slot, String value, String phrasing) {
    phrasing = phrasing.replace("{name}", Utterance.humanize(slot));
    int at = phrasing.indexOf("{}");
    List<Utterance.Segment> out = new ArrayList<>();
    if (at > 0) {
      out.add(new Utterance.Segment(phrasing.substring(0, at), null));
    }
    out.add(new Utterance.Segment(value, slot));
    if (at + 2 < phrasing.length()) {
      out.add(new Utterance.Segment(phrasing.substring(at + 2), null));
    }
    return out;
  }

  /** The segments with the first letter of the turn, and of every sentence after ". ", in upper case. */
  private static List<Utterance.Segment> capitalised(List<Utterance.Segment> segments) {
    List<Utterance.Segment> out = new ArrayList<>();
    boolean start = true;
    for (Utterance.Segment s : segments) {
      String text = s.text();
      if (start && !s.isSlot() && !text.isBlank()) {
        text = Utterance.capitalize(text);
      }
      out.add(new Utterance.Segment(text, s.slot()));
      if (!text.isBlank()) {
        start = text.endsWith(". ");
      }
    }
    return out;
  }

  private static String pick(List<String> options, SplittableRandom random) {
    return options.get(random.nextInt(options.size()));
  }
}

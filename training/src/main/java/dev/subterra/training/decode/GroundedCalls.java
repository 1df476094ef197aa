package dev.subterra.training.decode;

import dev.subterra.training.tokenizer.BpeTokenizer;
import dev.subterra.training.tokenizer.SpecialToken;
import dev.subterra.workflow.Node;
import dev.subterra.workflow.Slot;
import dev.subterra.workflow.SlotType;
import dev.subterra.workflow.ValueFormat;
import dev.subterra.workflow.Workflow;
import dev.subterra.workflow.values.ValueNormaliser;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Grammar-constrained tool calls with grounded arguments: once the student opens a call ({@code <call>}), the call is
 * written by the tools' signatures, and every choice in it is made by the student's likelihood among what can be
 * right.
 *
 * <p>The call's text is {@code name(arg: value, ...)} as {@code DialogueSerializer} writes it, each value with the space
 * before it, as the value's words are encoded where the user said them. The tool's name is
 * chosen among the signatures' names; the argument names, {@code =}, {@code ,} and the closing {@code )} and
 * {@code </call>} are then written in the signature's order; each value is chosen among the spans of what the user
 * said and the tools returned earlier in the conversation (a workflow's arguments are slot values, and slot values
 * reach the agent only that way, so a value found nowhere there cannot be right). Each choice is the alternative with
 * the highest total log-likelihood under the student, its closing delimiter included, found by {@link Decoder}'s beam
 * search; so the student still decides which span is the destination and which the origin, and which of two values a
 * user who corrected themselves meant. Within one call, a value fills at most as many arguments as one turn mentions
 * it: a party of 2 for 4 nights has no argument that is 4 twice, even once the user has repeated the trip. Consecutive
 * numbers (or dates) are chosen together, among their combinations, so that which number is the nights and which the
 * party size is one decision of the student's.
 *
 * <p>A span is a run of at most {@value #MAX_SPAN_WORDS} words that starts and ends on a letter or digit and holds none
 * of {@code , " ; ? ! ( ) [ ] { }} (but for a comma that groups digits, as in {@code 1,500}) nor a punctuation mark
 * followed by a space (a clause ends there): {@code Cape Town},
 * {@code 2026-05-09}, {@code grace.oc@example.net}, {@code Grace O'Connell}. It starts and ends on the edges of whole
 * words, as spaces and those marks delimit them (trailing punctuation aside): never on a piece of a word, such as the
 * {@code 14} of {@code 2026-03-14} (a day that was chosen as a number of nights) or the {@code grace} of an email
 * address. Text is matched byte for byte (each byte read as one ISO-8859-1 character, so a multi-byte character is
 * never split).
 *
 * <p>Only the tokens of the call are constrained; the tag before it and any text after it are the student's own.
 */
public final class GroundedCalls {
  /** How many values the pointer keeps for a typed argument that is not text, for the student to choose among. */
  static final int POINTED = 2;
  /** The longest span an argument value may be, in words. */
  public static final int MAX_SPAN_WORDS = 16;
  /** The most combinations of values that consecutive numbers or dates are chosen among together. */
  static final int MAX_COMBINATIONS = 512;
  private static final String FORBIDDEN = ",\";?!()[]{}";
  /** What follows an argument's name: {@code DialogueSerializer}'s separator less its space, which the value takes. */
  private static final String SEPARATOR = ":";

  private final BpeTokenizer tokenizer;
  private final Map<String, List<String>> signatures;
  /** Per tool, the slot each argument takes, for arguments whose values are typed; empty when untyped. */
  private final Map<String, Map<String, Slot>> slots;
  /**
   * Per tool, the arguments whose slot no tool returns: their values reach the agent only in what the user said, so
   * they are chosen among the user's spans alone, never a tool result's.
   */
  private final Map<String, java.util.Set<String>> fromUser;
  /** Which spans open values are in, learnt; null to leave every choice to the student's likelihood. */
  private final SpanPointer pointer;
  private final String[] tokenText;
  private final List<int[]> names = new ArrayList<>();
  private final List<String> nameOrder = new ArrayList<>();

  /**
   * Calls of these tools, with untyped arguments: any span may be any argument's value.
   *
   * @param signatures each tool's name and its argument names in the order the student writes them
   */
  public GroundedCalls(BpeTokenizer tokenizer, Map<String, List<String>> signatures) {
    this(tokenizer, signatures, Map.of(), Map.of());
  }

  /**
   * Calls of a workflow's tools, each argument typed by the slot it takes (see {@link #valuesFor}); null when the
   * workflow has no tool.
   */
  public static GroundedCalls of(BpeTokenizer tokenizer, Workflow workflow) {
    return of(tokenizer, workflow, null);
  }

  /**
   * Calls of a workflow's tools whose open values {@code pointer} points at (see {@link SpanPointer}; null for the
   * student's likelihood alone); null when the workflow has no tool.
   */
  public static GroundedCalls of(BpeTokenizer tokenizer, Workflow workflow, SpanPointer pointer) {
    Signatures signatures = Signatures.of(workflow);
    return signatures.arguments().isEmpty() ? null : new GroundedCalls(tokenizer, signatures.arguments(),
        signatures.slots(), signatures.fromUser(), pointer);
  }

  /**
   * A workflow's tools as calls see them: each tool's arguments in order, the slot each typed argument takes, and the
   * arguments whose slot no tool returns (their values reach the agent only in what the user said).
   */
  record Signatures(Map<String, List<String>> arguments, Map<String, Map<String, Slot>> slots,
      Map<String, java.util.Set<String>> fromUser) {
    static Signatures of(Workflow workflow) {
      Map<String, List<String>> arguments = new LinkedHashMap<>();
      Map<String, Map<String, Slot>> slots = new LinkedHashMap<>();
      Map<String, java.util.Set<String>> fromUser = new LinkedHashMap<>();
      java.util.Set<String> returned = new java.util.HashSet<>();
      workflow.nodes().stream().filter(n -> n.tool() != null).forEach(n -> returned.addAll(n.tool().returns()));
      for (Node node : workflow.nodes()) {
        if (node.tool() != null && !arguments.containsKey(node.tool().name())) {
          arguments.put(node.tool().name(), List.copyOf(node.tool().arguments().keySet()));
          Map<String, Slot> typed = new LinkedHashMap<>();
          java.util.Set<String> userOnly = new java.util.LinkedHashSet<>();
          node.tool().arguments().forEach((argument, slot) -> {
            if (workflow.slots().get(slot) != null) {
              typed.put(argument, workflow.slots().get(slot));
            }
            if (!returned.contains(slot)) {
              userOnly.add(argument);
            }
          });
          slots.put(node.tool().name(), typed);
          fromUser.put(node.tool().name(), userOnly);
        }
      }
      return new Signatures(arguments, slots, fromUser);
    }

    /** The slot an argument of a tool takes, or null when it is untyped. */
    Slot slotOf(String tool, String argument) {
      return slots.getOrDefault(tool, Map.of()).get(argument);
    }

    /** Whether an argument's value reaches the agent only in what the user said. */
    boolean fromUser(String tool, String argument) {
      return fromUser.getOrDefault(tool, java.util.Set.of()).contains(argument);
    }
  }

  /**
   * Calls of these tools, the arguments in {@code slots} typed by their slot, those in {@code fromUser} chosen among
   * what the user said alone.
   */
  GroundedCalls(BpeTokenizer tokenizer, Map<String, List<String>> signatures,
      Map<String, Map<String, Slot>> slots, Map<String, java.util.Set<String>> fromUser) {
    this(tokenizer, signatures, slots, fromUser, null);
  }

  private GroundedCalls(BpeTokenizer tokenizer, Map<String, List<String>> signatures,
      Map<String, Map<String, Slot>> slots, Map<String, java.util.Set<String>> fromUser, SpanPointer pointer) {
    this.slots = slots;
    this.fromUser = fromUser;
    this.pointer = pointer;
    if (signatures.isEmpty()) {
      throw new IllegalArgumentException("Invalid signatures: no tool to call");
    }
    this.tokenizer = tokenizer;
    this.signatures = new LinkedHashMap<>(signatures);
    signatures.forEach((name, arguments) -> {
      if (name.isBlank() || arguments.stream().anyMatch(String::isBlank)) {
        throw new IllegalArgumentException("Invalid signature: " + name + arguments);
      }
      nameOrder.add(name);
      // "()" is one chunk to the tokenizer, so a tool without arguments is chosen with its closing parenthesis.
      names.add(tokenizer.encode(name + (arguments.isEmpty() ? "()" : "(")));
    });
    tokenText = new String[tokenizer.vocabularySize()];
    for (int id = 0; id < tokenText.length; id++) {
      if (!tokenizer.isStructural(id)) {
        tokenText[id] = new String(tokenizer.decodeBytes(id), StandardCharsets.ISO_8859_1);
      }
    }
  }

  /** The call state of one conversation, whose turns so far are the tokens {@code conversation}. */
  public Row start(int[] conversation) {
    List<SpanPointer.Quote> quotes = quotes(conversation);
    return new Row(mentions(quotes, true), mentions(quotes, false), quotes);
  }

  /** The user turns and tool results of a conversation's tokens, as text (each byte one ISO-8859-1 character). */
  private List<SpanPointer.Quote> quotes(int[] conversation) {
    List<SpanPointer.Quote> out = new ArrayList<>();
    StringBuilder turn = null;
    boolean user = false;
    for (int id : conversation) {
      if (id == SpecialToken.USER.id() || id == SpecialToken.TOOL.id()) {
        turn = new StringBuilder();
        user = id == SpecialToken.USER.id();
      } else if (id == SpecialToken.END.id()) {
        if (turn != null) {
          out.add(new SpanPointer.Quote(turn.toString(), user));
        }
        turn = null;
      } else if (turn != null && tokenText[id] != null) {
        turn.append(tokenText[id]);
      }
    }
    if (turn != null) {
      out.add(new SpanPointer.Quote(turn.toString(), user));
    }
    return out;
  }

  /**
   * Every span of the conversation's user turns (and tool results, {@code withToolResults}), in order of first
   * appearance, with the most times one turn mentions it: a value restated in a later turn (a refined search repeats the whole trip) is still one value,
   * not two that could fill two arguments.
   */
  private static Map<String, Integer> mentions(List<SpanPointer.Quote> quotes, boolean withToolResults) {
    Map<String, Integer> out = new LinkedHashMap<>();
    for (SpanPointer.Quote quote : quotes) {
      if (quote.user() || withToolResults) {
        mentions(quote.text()).forEach((span, count) -> out.merge(utf8(span), count, Math::max));
      }
    }
    return out;
  }

  /** A span read byte for byte (each byte one ISO-8859-1 character) as the text it encodes. */
  static String utf8(String bytes) {
    return new String(bytes.getBytes(StandardCharsets.ISO_8859_1), StandardCharsets.UTF_8);
  }

  /** The spans of a text, as the class documentation defines them, in order of first appearance. */
  static List<String> spans(String text) {
    return List.copyOf(mentions(text).keySet());
  }

  /** The spans of a text and how many times each occurs, in order of first appearance. */
  private static Map<String, Integer> mentions(String text) {
    Map<String, Integer> out = new LinkedHashMap<>();
    for (int[] range : ranges(text)) {
      out.merge(text.substring(range[0], range[1]), 1, Integer::sum);
    }
    return out;
  }

  /** Where the spans of a text are, as {@code [start, end)}, by start then end. */
  static List<int[]> ranges(String text) {
    List<int[]> out = new ArrayList<>();
    for (int start = 0; start < text.length(); start++) {
      if (!isWordChar(text.charAt(start)) || start > 0 && !isDelimiter(text.charAt(start - 1))) {
        continue;
      }
      int words = 1;
      for (int i = start; i < text.length(); i++) {
        char c = text.charAt(i);
        if (FORBIDDEN.indexOf(c) >= 0 && !groupsDigits(text, i)) {
          break;
        }
        if (isWordChar(c) && endsWord(text, i + 1)) {
          out.add(new int[] {start, i + 1});
        }
        if (c == ' ') {
          if (i > start && !isWordChar(text.charAt(i - 1))) {
            break;
          }
          if (++words > MAX_SPAN_WORDS) {
            break;
          }
        }
      }
    }
    return out;
  }


  private static final java.util.regex.Pattern NUMBER = java.util.regex.Pattern.compile("[0-9]+(\\.[0-9]+)?");
  private static final java.util.regex.Pattern DATE = java.util.regex.Pattern.compile("[0-9]{4}-[0-9]{2}-[0-9]{2}");

  /**
   * The values an argument of this slot may take, out of the conversation's spans: an enum's own values (a closed
   * list, whether or not the conversation quotes them); for a number, money, a duration, a date or an email, the
   * canonical values of the spans its {@link ValueNormaliser} reads ("a week" is 7 nights, "1.5k" is 1500, "March
   * 14th" is 2026-03-14), each once, in order of first appearance; for a string or text, spans that are neither a
   * number nor an ISO date. Without a slot, or when no span has the type, every span.
   */
  static List<String> valuesFor(Slot slot, List<String> spans) {
    return typed(slot, spans, Map.of()).keySet().stream().toList();
  }

  /**
   * {@link #valuesFor}, each value with the most times one turn mentions it: the most any span that reads as it is
   * mentioned ({@code mentions}; once when absent).
   */
  private static Map<String, Integer> typed(Slot slot, List<String> spans, Map<String, Integer> mentions) {
    Map<String, Integer> out = new LinkedHashMap<>();
    if (slot == null) {
      spans.forEach(span -> out.put(span, mentions.getOrDefault(span, 1)));
      return out;
    }
    if (slot.type() == SlotType.ENUM && !slot.values().isEmpty()) {
      slot.values().forEach(value -> out.put(value, Integer.MAX_VALUE));
      return out;
    }
    for (String span : spans) {
      String value = valueOf(slot, span);
      if (value != null) {
        out.merge(value, mentions.getOrDefault(span, 1), Math::max);
      }
    }
    if (out.isEmpty()) {
      spans.forEach(span -> out.put(span, mentions.getOrDefault(span, 1)));
    }
    return out;
  }

  /**
   * The value of a slot a span reads as: its canonical value by the slot's normaliser, for text unless the span is a
   * number, a date, an amount, an email or a piece of a sentence (a listed value in another case reads as the listed
   * spelling: "lisbon" is Lisbon); null when it reads as none. Not for enums.
   */
  static String valueOf(Slot slot, String span) {
    ValueNormaliser normaliser = NORMALISERS.computeIfAbsent(slot, ValueNormaliser::of);
    if (slot.normalisation() != ValueFormat.TEXT) {
      return normaliser.canonical(span).orElse(null);
    }
    if (NUMBER.matcher(span).matches() || DATE.matcher(span).matches() || cutFromSentence(span)
        || span.indexOf('@') >= 0 || readsAsQuantityOrDate(span)) {
      return null;
    }
    return normaliser.canonical(span).orElse(null);
  }

  /** Each slot's normaliser, made once. */
  private static final Map<Slot, ValueNormaliser> NORMALISERS = new java.util.concurrent.ConcurrentHashMap<>();
  private static final ValueNormaliser AMOUNTS = ValueNormaliser.of(new Slot(SlotType.NUMBER, "an amount",
      List.of("1"), null, null, null, ValueFormat.MONEY, null));
  private static final ValueNormaliser DURATIONS = ValueNormaliser.of(new Slot(SlotType.NUMBER, "a length",
      List.of("1"), null, null, null, ValueFormat.DURATION, null));
  private static final ValueNormaliser DATES = ValueNormaliser.of(Slot.pool(SlotType.DATE, "a date",
      List.of("2026-01-01")));

  /**
   * Whether a span of at most three words is a date, or a count or an amount written in lower case ("a week", "1.5k",
   * "€2", "two"): never a name, a place or a description, which "Route 66" may be.
   */
  private static boolean readsAsQuantityOrDate(String span) {
    // A long span with a number in it ("free cancellation up to 14 days before departure") is a description.
    if (span.split(" ").length > 3) {
      return false;
    }
    if (DATES.canonical(span).isPresent()) {
      return true;
    }
    return span.chars().noneMatch(Character::isUpperCase)
        && (DURATIONS.canonical(span).isPresent() || AMOUNTS.canonical(span).isPresent());
  }


  /** Words that carry a sentence, not a value: a text value neither ends with one nor starts with one but an article. */
  private static final java.util.Set<String> FUNCTION_WORDS = java.util.Set.of("a", "an", "the", "to", "from", "on",
      "in", "at", "for", "with", "and", "or", "of", "by", "is", "are", "was", "be", "it", "its", "it's", "we", "we're",
      "i", "i'm", "i'd", "my", "our", "your", "you", "me", "us", "that", "this", "so", "but", "please", "want", "would",
      "like", "go", "going", "leaving", "flying", "out", "about", "under", "just", "here", "there", "as", "if", "can",
      "could", "via", "into", "over", "around", "up", "all", "no", "not", "yes", "ok", "okay", "hi", "hello", "hey",
      "thanks", "thank", "then");
  /** The function words a value may start with: "the saver package", "A Coruña". */
  private static final java.util.Set<String> ARTICLES = java.util.Set.of("a", "an", "the");

  /** Whether a lower-case word is one of the words that carry a sentence, not a value. */
  static boolean isFunctionWord(String word) {
    return FUNCTION_WORDS.contains(word);
  }

  /**
   * Whether a span is a piece of a sentence rather than a value: it starts or ends with a function word ("on", "to
   * Porto", "Porto is", "the") or is one. A value that is a name, a place, an email or a description never is.
   */
  static boolean cutFromSentence(String span) {
    String[] words = span.toLowerCase(java.util.Locale.ROOT).split(" ");
    String first = words[0].replaceAll("[^\\p{L}\\p{N}']+$", "");
    String last = words[words.length - 1].replaceAll("[^\\p{L}\\p{N}']+$", "");
    return FUNCTION_WORDS.contains(last) || FUNCTION_WORDS.contains(first) && !ARTICLES.contains(first);
  }

  /** Whether the character at {@code i} is a comma that groups the digits of a number ("1,500"). */
  private static boolean groupsDigits(String text, int i) {
    return text.charAt(i) == ',' && i > 0 && i + 1 < text.length() && Character.isDigit(text.charAt(i - 1))
        && Character.isDigit(text.charAt(i + 1));
  }

  /** Whether a word ends before {@code at}: at a delimiter or the text's end, trailing punctuation allowed. */
  private static boolean endsWord(String text, int at) {
    int i = at;
    while (i < text.length() && !isWordChar(text.charAt(i)) && !isDelimiter(text.charAt(i))) {
      i++;
    }
    return i == text.length() || isDelimiter(text.charAt(i));
  }

  /** A character that delimits words: a space, or one of the marks no span holds. */
  private static boolean isDelimiter(char c) {
    return Character.isWhitespace(c) || FORBIDDEN.indexOf(c) >= 0;
  }

  /** A letter or digit, or a byte of a multi-byte character. */
  private static boolean isWordChar(char c) {
    return c >= 0x80 || Character.isLetterOrDigit(c);
  }

  /**
   * Where one conversation's turn is in a call: the tokens the grammar writes next, and the choice, if any, that must
   * be made before them.
   */
  public final class Row {
    /** The conversation's spans, each with the most times one user turn or tool result says it. */
    private final Map<String, Integer> mentions;
    private final List<String> spans;
    /** The conversation's user turns and tool results, for the pointer. */
    private final List<SpanPointer.Quote> quotes;
    /** The spans of what the user said alone, each with the most times one user turn says it. */
    private final Map<String, Integer> userMentions;
    private final List<String> userSpans;
    /** Per typed slot and source, the values an argument of it may take, with the most times one turn mentions each. */
    private final Map<Map.Entry<Slot, Boolean>, Map<String, Integer>> typedValues = new java.util.HashMap<>();
    /** Per tool and argument, the values the pointer keeps: the conversation is fixed, so they are found once. */
    private final Map<String, Map<String, Integer>> pointed = new java.util.HashMap<>();
    /** The values the open call has taken so far, each with how many of its arguments took it. */
    private final Map<String, Integer> used = new LinkedHashMap<>();
    private final Deque<Integer> forced = new ArrayDeque<>();
    /** What remains of the call: forced token runs ({@code int[]}) and choices ({@code Choice}), in order. */
    private final Deque<Object> plan = new ArrayDeque<>();
    private int overridden;
    /** The tool of the call being planned. */
    private String tool;

    private Row(Map<String, Integer> mentions, Map<String, Integer> userMentions, List<SpanPointer.Quote> quotes) {
      this.quotes = quotes;
      this.mentions = mentions;
      this.spans = List.copyOf(mentions.keySet());
      this.userMentions = userMentions;
      this.userSpans = List.copyOf(userMentions.keySet());
    }

    /** Whether the grammar writes the next token: the student opened a call that is not closed yet. */
    public boolean busy() {
      return !forced.isEmpty() || !plan.isEmpty();
    }

    /** The alternatives to choose among before the next token, or {@code null} when the next token is forced. */
    public List<int[]> pendingChoice() {
      if (!(forced.isEmpty() && plan.peek() instanceof Choice choice)) {
        return null;
      }
      return java.util.Arrays.stream(open(choice)).mapToObj(choice.alternatives::get).toList();
    }

    /** Makes the pending choice: alternative {@code index} of {@link #pendingChoice()}. */
    public void choose(int index) {
      Choice choice = (Choice) plan.peek();
      int picked = open(choice)[index];
      plan.poll();
      for (int id : choice.alternatives.get(picked)) {
        forced.add(id);
      }
      if (choice.values != null) {
        choice.values.get(picked).forEach(value -> used.merge(value, 1, Integer::sum));
      }
      if (choice.tool) {
        String tool = nameOrder.get(picked);
        planArguments(tool, signatures.get(tool), slots.getOrDefault(tool, Map.of()),
            fromUser.getOrDefault(tool, java.util.Set.of()));
      }
    }

    /** The next token the grammar writes; only when {@link #busy()} and no choice is pending. */
    public int next() {
      if (forced.isEmpty() && plan.peek() instanceof int[] run) {
        plan.poll();
        for (int id : run) {
          forced.add(id);
        }
      }
      if (forced.isEmpty()) {
        throw new IllegalStateException("Cannot write the next call token: " + (plan.isEmpty() ? "no call is open"
            : "a choice is pending"));
      }
      return forced.poll();
    }

    /** Counts a token the grammar wrote, and whether it differs from the model's most likely one. */
    void count(boolean differs) {
      overridden += differs ? 1 : 0;
    }

    /** How many tokens of the calls so far the grammar wrote other than the model's most likely. */
    public int overridden() {
      return overridden;
    }

    /** Moves the state past a token the student wrote itself: {@code <call>} opens a call. */
    public void accept(int token) {
      if (!busy() && token == SpecialToken.CALL.id()) {
        used.clear();
        plan.add(new Choice(names, null, null, true));
      }
    }

    /**
     * The alternatives of a choice still open: within one call, a value fills as many arguments as one turn mentions
     * it (a party of 2 for 4 nights is not 4 travellers for 4 nights), and a value of a closed list any number.
     * Every alternative when that leaves none.
     */
    private int[] open(Choice choice) {
      int[] all = java.util.stream.IntStream.range(0, choice.alternatives.size()).toArray();
      if (choice.values == null) {
        return all;
      }
      int[] open = java.util.Arrays.stream(all).filter(i -> {
        Map<String, Integer> uses = new LinkedHashMap<>(used);
        for (int a = 0; a < choice.values.get(i).size(); a++) {
          String value = choice.values.get(i).get(a);
          if (uses.merge(value, 1, Integer::sum) > choice.mentions.get(i).get(a)) {
            return false;
          }
        }
        return true;
      }).toArray();
      return open.length == 0 ? all : open;
    }

    private void planArguments(String tool, List<String> arguments, Map<String, Slot> typed,
        java.util.Set<String> userOnly) {
      this.tool = tool;
      int from = 0;
      while (from < arguments.size()) {
        plan.add(tokenizer.encode((from == 0 ? "" : " ") + arguments.get(from) + SEPARATOR));
        // Consecutive numbers (or dates) are chosen together, every combination scored as one run: the student's
        // confidence in the party size then also decides the nights, where one at a time the nights would be
        // settled first and for good.
        Slot first = typed.get(arguments.get(from));
        long combinations = Math.max(1, pointedValues(arguments.get(from), first,
            userOnly.contains(arguments.get(from))).size());
        int to = from + 1;
        while (to < arguments.size() && chosenTogether(first, typed.get(arguments.get(to)))) {
          long more = combinations * Math.max(1, pointedValues(arguments.get(to), typed.get(arguments.get(to)),
              userOnly.contains(arguments.get(to))).size());
          if (more > MAX_COMBINATIONS) {
            break;
          }
          combinations = more;
          to++;
        }
        List<int[]> alternatives = new ArrayList<>();
        List<List<String>> values = new ArrayList<>();
        List<List<Integer>> counts = new ArrayList<>();
        combine(arguments, typed, userOnly, from, from, to, new int[0], List.of(), List.of(), alternatives, values,
            counts);
        plan.add(new Choice(alternatives, values, counts, false));
        from = to;
      }
      plan.add(new int[] {SpecialToken.CALL_END.id()});
    }

    /**
     * The values an argument of this slot may take, among what the user said ({@code userOnly}) or also what the
     * tools returned, with the most times one turn mentions each; cached.
     */
    private Map<String, Integer> valuesOf(Slot slot, boolean userOnly) {
      // Where the user has said nothing the argument could take, the tools' results are the only source left.
      boolean user = userOnly && !userSpans.isEmpty();
      if (slot == null) {
        return user ? typed(null, userSpans, userMentions) : typed(null, spans, mentions);
      }
      return typedValues.computeIfAbsent(Map.entry(slot, user),
          key -> user ? typed(slot, userSpans, userMentions) : typed(slot, spans, mentions));
    }

    /**
     * The values an argument may take ({@link #valuesOf}), narrowed by the pointer to those it points at most: the
     * best one for text, whose words the student may never have written, the best {@value #POINTED} for the rest,
     * among which the student's likelihood decides. All of them without a pointer, for an enum, or when the pointer
     * finds no span of them.
     */
    private Map<String, Integer> pointedValues(String argument, Slot slot, boolean userOnly) {
      return pointed.computeIfAbsent(tool + "\u001f" + argument, key -> point(argument, slot, userOnly));
    }

    private Map<String, Integer> point(String argument, Slot slot, boolean userOnly) {
      Map<String, Integer> options = valuesOf(slot, userOnly);
      if (pointer == null || slot == null || slot.type() == SlotType.ENUM || options.size() <= 1) {
        return options;
      }
      boolean user = userOnly && !userSpans.isEmpty();
      int lastUser = -1;
      for (int q = 0; q < quotes.size(); q++) {
        lastUser = quotes.get(q).user() ? q : lastUser;
      }
      Map<String, Double> best = new java.util.HashMap<>();
      for (int q = 0; q < quotes.size(); q++) {
        SpanPointer.Quote quote = quotes.get(q);
        if (user && !quote.user()) {
          continue;
        }
        for (int[] range : ranges(quote.text())) {
          String value = valueOf(slot, utf8(quote.text().substring(range[0], range[1])));
          if (value != null && options.containsKey(value)) {
            best.merge(value, pointer.logit(tool, argument, quotes, q, range[0], range[1], lastUser,
                SpanPointer.isListed(slot, value)), Math::max);
          }
        }
      }
      if (best.isEmpty()) {
        return options;
      }
      int keep = slot.normalisation() == ValueFormat.TEXT ? 1 : POINTED;
      List<String> ranked = best.entrySet().stream()
          .sorted(Map.Entry.<String, Double>comparingByValue().reversed().thenComparing(Map.Entry.comparingByKey()))
          .limit(keep).map(Map.Entry::getKey).toList();
      Map<String, Integer> out = new LinkedHashMap<>();
      options.forEach((value, count) -> {
        if (ranked.contains(value)) {
          out.put(value, count);
        }
      });
      return out;
    }

    /**
     * Every combination of values for arguments {@code [at, to)}, each after {@code prefix}, with its delimiters, the
     * values each writes and how many times one turn mentions each.
     */
    private void combine(List<String> arguments, Map<String, Slot> typed, java.util.Set<String> userOnly, int from,
        int at, int to, int[] prefix,
        List<String> chosen, List<Integer> chosenCounts, List<int[]> alternatives, List<List<String>> values,
        List<List<Integer>> counts) {
      if (at == to) {
        alternatives.add(prefix);
        values.add(chosen);
        counts.add(chosenCounts);
        return;
      }
      int[] name = at == from ? new int[0] : tokenizer.encode(" " + arguments.get(at) + SEPARATOR);
      int[] close = tokenizer.encode(at == arguments.size() - 1 ? ")" : ",");
      Map<String, Integer> options = pointedValues(arguments.get(at), typed.get(arguments.get(at)),
          userOnly.contains(arguments.get(at)));
      if (options.isEmpty()) {
        combine(arguments, typed, userOnly, from, at + 1, to, concat(prefix, concat(name, close)), chosen,
            chosenCounts, alternatives, values, counts);
        return;
      }
      for (Map.Entry<String, Integer> value : options.entrySet()) {
        List<String> next = new ArrayList<>(chosen);
        next.add(value.getKey());
        List<Integer> nextCounts = new ArrayList<>(chosenCounts);
        nextCounts.add(value.getValue());
        combine(arguments, typed, userOnly, from, at + 1, to, concat(prefix, concat(name,
            concat(tokenizer.encode(" " + value.getKey()), close))), next, nextCounts, alternatives, values, counts);
      }
    }
  }

  /** Whether an argument is chosen together with the one before it: both numbers, or both dates. */
  private static boolean chosenTogether(Slot first, Slot next) {
    return first != null && next != null && first.type() == next.type()
        && (first.type() == SlotType.NUMBER || first.type() == SlotType.DATE);
  }

  /**
   * Alternative token runs to choose among, with the values each writes ({@code values} null for the tool's name);
   * {@code tool} for the choice of the tool, whose arguments follow.
   */
  private record Choice(List<int[]> alternatives, List<List<String>> values, List<List<Integer>> mentions,
      boolean tool) {}

  private static int[] concat(int[] a, int[] b) {
    int[] out = java.util.Arrays.copyOf(a, a.length + b.length);
    System.arraycopy(b, 0, out, a.length, b.length);
    return out;
  }
}

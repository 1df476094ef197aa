package dev.subterra.training.decode;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.subterra.synthesis.Turn;
import dev.subterra.training.TestDialogues;
import dev.subterra.training.artefact.ModelArtefact;
import dev.subterra.training.serial.DialogueSerializer;
import dev.subterra.training.tokenizer.BpeTokenizer;
import dev.subterra.training.tokenizer.SpecialToken;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class GroundedCallsTest {

  private static final Map<String, List<String>> TOOLS = new LinkedHashMap<>();

  static {
    TOOLS.put("search_flights", List.of("city", "date"));
    TOOLS.put("book_flight", List.of("flight"));
    TOOLS.put("reset", List.of());
  }

  private static ModelArtefact artefact;
  private static BpeTokenizer tokenizer;
  private static GroundedCalls calls;
  /** A conversation up to the search call, in which the user gave a name, a city and a date. */
  private static int[] prompt;
  private static Turn search;

  @BeforeAll
  static void setUp() throws Exception {
    artefact = ModelArtefact.load(Path.of(GroundedCallsTest.class.getResource("/golden/v1/model").toURI()));
    tokenizer = artefact.tokenizer();
    calls = new GroundedCalls(tokenizer, TOOLS);
    List<Turn> turns = TestDialogues.generate(1, 7).get(0).turns();
    search = turns.get(5);
    // The grammar reads token ids only, so the prompt may be longer than the golden model's short context.
    prompt = artefact.serializer().prompt(turns.subList(0, 5), 1024, 16);
  }

  @Test
  void spansAreWholeWordsWithinAClause() {
    List<String> spans = GroundedCalls.spans("Cape Town, flying from New York on 2026-05-09. Email grace.oc@example.net"
        + " for Grace O'Connell (2 of us)");
    assertThat(spans).contains("Cape Town", "Cape", "Town", "New York", "flying from New York on 2026-05-09",
        "2026-05-09", "grace.oc@example.net", "Grace O'Connell", "2 of us", "2");
    assertThat(spans).doesNotContain("Town, flying", "2026-05-09.", "2026-05-09. Email", "Cape Town,", "Yo",
        "O'Connell (2", "");
    // Pieces of words are not spans: a day is not a number of nights, nor a user name an email address.
    assertThat(spans).doesNotContain("2026", "05", "09", "grace", "oc", "example.net", "Connell", "O",
        "on 2026", "09. Email");
    assertThat(spans).allSatisfy(s -> assertThat(s.split(" ")).hasSizeLessThanOrEqualTo(
        GroundedCalls.MAX_SPAN_WORDS));
  }

  @Test
  void aTypedArgumentTakesSpansOfItsTypeAndAnEnumItsOwnValues() {
    List<String> spans = List.of("Lima", "7", "2026-10-17", "10", "Ana", "BK-20931", "7 nights");
    assertThat(GroundedCalls.valuesFor(slot(dev.subterra.workflow.SlotType.NUMBER), spans)).containsExactly("7", "10");
    assertThat(GroundedCalls.valuesFor(slot(dev.subterra.workflow.SlotType.DATE), spans)).containsExactly("2026-10-17");
    assertThat(GroundedCalls.valuesFor(slot(dev.subterra.workflow.SlotType.STRING), spans))
        .containsExactly("Lima", "Ana", "BK-20931"); // "7 nights" is a length, not a name or a place
    assertThat(GroundedCalls.valuesFor(new dev.subterra.workflow.Slot(dev.subterra.workflow.SlotType.ENUM, "kind",
        List.of("audio", "video"), null, null), spans)).containsExactly("audio", "video");
    // No span of the type: every span, rather than no value at all.
    assertThat(GroundedCalls.valuesFor(slot(dev.subterra.workflow.SlotType.DATE), List.of("Lima"))).containsExactly(
        "Lima");
    assertThat(GroundedCalls.valuesFor(null, spans)).isEqualTo(spans);
  }

  @Test
  void valuesAsPeopleWriteThemAreOfferedAsTheCanonicalValuesACallCarries() {
    List<String> spans = GroundedCalls.spans("a week from March 14th, two of us, max 1,500 EUR, Ana.Souza@Example.com");
    assertThat(spans).contains("1,500", "a week", "March 14th");
    dev.subterra.workflow.Slot nights = new dev.subterra.workflow.Slot(dev.subterra.workflow.SlotType.NUMBER, "nights",
        List.of("3", "7"), null, null, null, dev.subterra.workflow.ValueFormat.DURATION, null);
    dev.subterra.workflow.Slot date = new dev.subterra.workflow.Slot(dev.subterra.workflow.SlotType.DATE, "date",
        List.of("2026-05-09"), null, null);
    dev.subterra.workflow.Slot budget = new dev.subterra.workflow.Slot(dev.subterra.workflow.SlotType.NUMBER,
        "budget in EUR", List.of("900"), null, null, null, dev.subterra.workflow.ValueFormat.MONEY, null);
    dev.subterra.workflow.Slot email = new dev.subterra.workflow.Slot(dev.subterra.workflow.SlotType.STRING, "email",
        List.of("a@example.com"), null, null, null, dev.subterra.workflow.ValueFormat.EMAIL, null);
    assertThat(GroundedCalls.valuesFor(nights, spans)).contains("7").doesNotContain("a week");
    assertThat(GroundedCalls.valuesFor(date, spans)).containsExactly("2026-03-14");
    assertThat(GroundedCalls.valuesFor(budget, spans)).contains("1500").doesNotContain("1,500");
    assertThat(GroundedCalls.valuesFor(email, spans)).containsExactly("ana.souza@example.com");
  }

  @Test
  void aTextValueIsNeverAFunctionWordCutFromASentence() {
    List<String> spans = GroundedCalls.spans("from Manchester on 2026-05-09 to Porto Moniz is where we go, the saver"
        + " package with a view, Santa Cruz de la Sierra, Ana de Souza");
    assertThat(GroundedCalls.valuesFor(slot(dev.subterra.workflow.SlotType.STRING), spans))
        .contains("Manchester", "Porto Moniz", "the saver package with a view", "Santa Cruz de la Sierra",
            "Ana de Souza")
        .doesNotContain("on", "from Manchester", "to Porto Moniz", "Porto Moniz is", "the", "is", "we go");
    List<String> written = GroundedCalls.spans("a week from 14 Mar, 1.5k, ana@example.com, Route 66, the flexible"
        + " package with free cancellation up to 14 days before departure");
    assertThat(GroundedCalls.valuesFor(slot(dev.subterra.workflow.SlotType.STRING), written))
        .contains("Route 66", "the flexible package with free cancellation up to 14 days before departure")
        .doesNotContain("a week", "14 Mar", "1.5k", "ana@example.com");
  }

  @Test
  void anArgumentNoToolReturnsIsChosenAmongWhatTheUserSaid() {
    GroundedCalls sourced = new GroundedCalls(tokenizer, Map.of("book", List.of("who")), Map.of(),
        Map.of("book", java.util.Set.of("who")));
    int context = artefact.model().config().contextLength();
    GroundedCalls.Row row = sourced.start(artefact.serializer().prompt(List.of(Turn.user("greet", "I am Ana."),
        Turn.tool("search", new dev.subterra.synthesis.ToolInvocation("search_flights", Map.of()),
            "{\"flight\":\"SB512\"}")), context, 16));
    row.accept(SpecialToken.CALL.id());
    row.choose(0);
    while (row.pendingChoice() == null) {
      row.next();
    }
    List<String> offered = row.pendingChoice().stream().map(tokenizer::decodeText).toList();
    assertThat(offered).contains(" Ana)").noneMatch(v -> v.contains("SB512"));
  }

  private static dev.subterra.workflow.Slot slot(dev.subterra.workflow.SlotType type) {
    return new dev.subterra.workflow.Slot(type, "a slot", List.of(), null, null);
  }

  @Test
  void theGrammarWritesTheCallExactlyAsTrainingSerialisesIt() {
    GroundedCalls.Row row = calls.start(prompt);
    assertThat(row.busy()).isFalse();
    row.accept(tokenizer.nodeTagId("search"));
    assertThat(row.busy()).isFalse();
    row.accept(SpecialToken.CALL.id());
    List<Integer> written = new ArrayList<>();
    List<List<String>> offered = new ArrayList<>();
    while (row.busy()) {
      List<int[]> alternatives = row.pendingChoice();
      if (alternatives != null) {
        List<String> texts = alternatives.stream().map(tokenizer::decodeText).toList();
        offered.add(texts);
        // The tool, then each argument's value as the teacher wrote it, with its delimiter.
        String wanted = offered.size() == 1 ? "search_flights("
            : " " + search.call().arguments().values().stream().toList().get(offered.size() - 2)
                + (offered.size() == 3 ? ")" : ",");
        assertThat(texts).contains(wanted);
        row.choose(texts.indexOf(wanted));
      }
      written.add(row.next());
    }
    int[] tokens = written.stream().mapToInt(Integer::intValue).toArray();
    String call = DialogueSerializer.formatCall(search.call());
    assertThat(tokens[tokens.length - 1]).isEqualTo(SpecialToken.CALL_END.id());
    assertThat(java.util.Arrays.copyOf(tokens, tokens.length - 1)).containsExactly(tokenizer.encode(call));
    assertThat(offered.get(0)).containsExactly("search_flights(", "book_flight(", "reset()");
    // Values come from what the user said only: the agent's own turns are not quoted.
    assertThat(offered.get(1)).noneMatch(v -> v.startsWith(" Hello") || v.startsWith(" where"));
  }

  @Test
  void aValueMentionedOnceFillsOneArgumentOfACall() {
    assertThat(dateOffersAfterCity("Lima on Friday.")).contains("Friday").doesNotContain("Lima");
    // Restated in a later turn it is still one value; said twice in one turn, it may fill two arguments.
    assertThat(dateOffersAfterCity("Lima on Friday.", "Yes: Lima, Friday.")).contains("Friday").doesNotContain("Lima");
    assertThat(dateOffersAfterCity("Lima on Friday. Yes, Lima.")).contains("Friday", "Lima");
  }

  @Test
  void consecutiveNumbersAreChosenTogether() {
    dev.subterra.workflow.Slot number = slot(dev.subterra.workflow.SlotType.NUMBER);
    GroundedCalls typed = new GroundedCalls(tokenizer, Map.of("book", List.of("nights", "guests", "name")),
        Map.of("book", Map.of("nights", number, "guests", number)), Map.of());
    int context = artefact.model().config().contextLength();
    GroundedCalls.Row row = typed.start(artefact.serializer().prompt(
        List.of(Turn.user("greet", "3 nights for 2, I am Ana.")), context, 16));
    row.accept(SpecialToken.CALL.id());
    row.choose(0);
    while (row.pendingChoice() == null) {
      row.next();
    }
    // Both numbers in one choice, each mentioned once so never both the same.
    assertThat(row.pendingChoice().stream().map(tokenizer::decodeText).toList())
        .containsExactlyInAnyOrder(" 3, guests: 2,", " 2, guests: 3,");
  }

  /** The values offered for search_flights' date once its city took "Lima", then again in a second call. */
  private List<String> dateOffersAfterCity(String... said) {
    int context = artefact.model().config().contextLength();
    List<Turn> turns = java.util.Arrays.stream(said).map(text -> Turn.user("greet", text)).toList();
    GroundedCalls.Row row = calls.start(artefact.serializer().prompt(turns, context, 16));
    List<String> dateOffers = null;
    for (int call = 0; call < 2; call++) {
      row.accept(SpecialToken.CALL.id());
      row.choose(0);
      while (row.busy()) {
        List<int[]> alternatives = row.pendingChoice();
        if (alternatives != null) {
          List<String> texts = alternatives.stream().map(tokenizer::decodeText).toList();
          if (texts.contains(" Lima,")) {
            row.choose(texts.indexOf(" Lima,"));
          } else {
            List<String> values = texts.stream().map(t -> t.substring(1, t.length() - 1)).toList();
            // A second call starts afresh: its date is offered what the first call's was.
            assertThat(dateOffers == null || dateOffers.equals(values)).isTrue();
            dateOffers = values;
            row.choose(0);
          }
        }
        row.next();
      }
    }
    return dateOffers;
  }

  @Test
  void aToolWithoutArgumentsClosesAtOnce() {
    GroundedCalls.Row row = calls.start(prompt);
    row.accept(SpecialToken.CALL.id());
    row.choose(2);
    List<Integer> written = new ArrayList<>();
    while (row.busy()) {
      written.add(row.next());
    }
    assertThat(tokenizer.decode(written.stream().mapToInt(Integer::intValue).toArray())).isEqualTo("reset()</call>");
    assertThatThrownBy(row::next).isInstanceOf(IllegalStateException.class).hasMessageContaining("no call is open");
  }

  @Test
  void theBeamPicksTheAlternativeTheModelFindsMostLikely() {
    int context = artefact.model().config().contextLength();
    int[] shortPrompt = artefact.serializer().prompt(List.of(Turn.user("greet", "Hi, I am Ana.")), context, 16);
    List<int[]> alternatives = List.of(tokenizer.encode("Ana,"), tokenizer.encode("I am Ana,"),
        tokenizer.encode("Hi,"), tokenizer.encode("am,"), tokenizer.encode("Ana Ana,"));
    // The whole-sequence graph's log-likelihood of each alternative after the prompt: the reference.
    int bestByGraph = -1;
    double bestScore = Double.NEGATIVE_INFINITY;
    for (int a = 0; a < alternatives.size(); a++) {
      double score = logLikelihood(shortPrompt, alternatives.get(a));
      if (score > bestScore) {
        bestScore = score;
        bestByGraph = a;
      }
    }
    StepKernel kernel = new StepKernel(artefact.model());
    CallChooser chooser = new CallChooser(kernel, artefact.model().config());
    StepKernel.Cache cache = kernel.newCache(1);
    kernel.prefill(cache, List.of(shortPrompt));
    float[] logits = new float[artefact.model().config().vocabularySize()];
    kernel.step(cache, new int[] {shortPrompt[shortPrompt.length - 1]}, new int[] {shortPrompt[shortPrompt.length - 2]},
        new int[] {shortPrompt.length - 1}, new boolean[] {true}, logits);
    float[][] keys = new float[cache.keys.length][];
    float[][] values = new float[cache.values.length][];
    for (int layer = 0; layer < keys.length; layer++) {
      keys[layer] = cache.keys[layer][0];
      values[layer] = cache.values[layer][0];
    }
    assertThat(chooser.mostLikely(alternatives, keys, values, shortPrompt.length, shortPrompt[shortPrompt.length - 1],
        logits)).isEqualTo(bestByGraph);
  }

  @Test
  void rejectsBadSignatures() {
    assertThatThrownBy(() -> new GroundedCalls(tokenizer, Map.of()))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("no tool");
    assertThatThrownBy(() -> new GroundedCalls(tokenizer, Map.of("search", List.of(" "))))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("Invalid signature");
  }

  private static double logLikelihood(int[] prompt, int[] continuation) {
    int[] all = java.util.Arrays.copyOf(prompt, prompt.length + continuation.length);
    System.arraycopy(continuation, 0, all, prompt.length, continuation.length);
    float[][] logits = artefact.model().logits(java.util.Arrays.copyOf(all, all.length - 1));
    double sum = 0;
    for (int i = 0; i < continuation.length; i++) {
      float[] row = logits[prompt.length - 1 + i];
      double max = Double.NEGATIVE_INFINITY;
      for (float v : row) {
        max = Math.max(max, v);
      }
      double norm = 0;
      for (float v : row) {
        norm += Math.exp(v - max);
      }
      sum += row[continuation[i]] - max - Math.log(norm);
    }
    return sum;
  }
}

package dev.subterra.training.decode;

import static org.assertj.core.api.Assertions.assertThat;

import dev.subterra.synthesis.Dialogue;
import dev.subterra.synthesis.ToolInvocation;
import dev.subterra.synthesis.Turn;
import dev.subterra.workflow.Workflow;
import dev.subterra.workflow.WorkflowLoader;
import dev.subterra.workflow.paths.PathSplit;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@link SpanPointer}: it learns where values are from the words around them, so it finds values it never saw. */
class SpanPointerTest {
  private static final long SEED = 11;
  private static final List<String> GIVEN = List.of("Ana", "Kenji", "Priya", "Tomasz", "Grace", "Mateo", "Aisha",
      "Lars", "Mei", "David", "Olu", "Ines", "Yusuf", "Hana", "Pavel", "Rosa", "Tariq", "Elena", "Jonas", "Noor");
  private static final List<String> FAMILY = List.of("Souza", "Ito", "Raman", "Nowak", "Okafor", "Herrera", "Bello",
      "Eriksen", "Lin", "Cohen", "Haddad", "Kowalski", "Silva", "Tanaka", "Novak", "Mensah", "Costa", "Weber");
  private static final List<String> TOWNS = List.of("Lisbon", "Kyoto", "Oslo", "Cusco", "Hanoi", "Cape Town",
      "Bergen", "Quito", "Porto Alegre", "Graz", "Leeds", "Tartu", "Accra", "Cebu", "Split", "Perth");
  private static final List<String> WAYS = List.of("I'm {who}, flying from {from}.", "name: {who}. leaving from {from}",
      "it's under {who}, we live in {from}", "Hi, {who} here. We fly out of {from} please.",
      "book it for {who} and we depart from {from}");

  private static Workflow workflow() throws Exception {
    return WorkflowLoader.parse("w.yaml", """
        id: w
        start: ask
        slots:
          who: {type: string, values: [Ana Souza], generate: person_name}
          from: {type: string, values: [Lisbon], generate: place}
          ref: {type: string, values: [BK-1]}
        nodes:
          - {id: ask, kind: user, templates: ["I'm {who} from {from}"], next: book}
          - id: book
            kind: tool
            tool: {name: book, arguments: {name: who, origin: from}, returns: [ref]}
            next: [{to: done, outcome: success}]
          - {id: done, kind: terminal, outcome: success}
        """.getBytes(StandardCharsets.UTF_8), WorkflowLoader.Format.YAML);
  }

  private static List<Dialogue> dialogues(int n, SplittableRandom random) {
    List<Dialogue> out = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      String who = GIVEN.get(random.nextInt(GIVEN.size())) + " " + FAMILY.get(random.nextInt(FAMILY.size()));
      String from = TOWNS.get(random.nextInt(TOWNS.size()));
      String said = WAYS.get(random.nextInt(WAYS.size())).replace("{who}", who).replace("{from}", from);
      Map<String, String> arguments = new LinkedHashMap<>();
      arguments.put("name", who);
      arguments.put("origin", from);
      out.add(new Dialogue("d" + i, "s" + i, "w", "p", "t", PathSplit.TRAIN, List.of(Turn.user("ask", said),
          Turn.tool("book", new ToolInvocation("book", arguments), "{\"status\":\"success\",\"ref\":\"BK-1\"}"))));
    }
    return out;
  }

  /** The span of the user's turn the pointer points at most for an argument, among those text takes. */
  private static String pointedAt(SpanPointer pointer, String argument, String said) {
    List<SpanPointer.Quote> quotes = List.of(SpanPointer.Quote.of(Turn.user("ask", said)));
    String text = quotes.get(0).text();
    String best = null;
    double bestLogit = Double.NEGATIVE_INFINITY;
    for (int[] range : GroundedCalls.ranges(text)) {
      String span = text.substring(range[0], range[1]);
      if (GroundedCalls.cutFromSentence(span)) {
        continue;
      }
      double logit = pointer.logit("book", argument, quotes, 0, range[0], range[1], 0, false);
      if (logit > bestLogit) {
        best = span;
        bestLogit = logit;
      }
    }
    return best;
  }

  @Test
  void pointsAtNamesAndTownsItNeverSawFromTheWordsAroundThem() throws Exception {
    SpanPointer pointer = SpanPointer.train(workflow(), dialogues(400, new SplittableRandom(SEED)), SEED);
    assertThat(pointedAt(pointer, "name", "it's under Zanele Mokoena, we live in Trondheim")).isEqualTo(
        "Zanele Mokoena");
    assertThat(pointedAt(pointer, "origin", "it's under Zanele Mokoena, we live in Trondheim")).isEqualTo(
        "Trondheim");
    assertThat(pointedAt(pointer, "origin", "Hi, Wiremu Ngata here. We fly out of Ouagadougou please."))
        .isEqualTo("Ouagadougou");
  }

  @Test
  void theSameDialoguesAndSeedGiveTheSameWeightsAndTheyRoundTrip(@TempDir Path dir) throws Exception {
    SpanPointer a = SpanPointer.train(workflow(), dialogues(100, new SplittableRandom(SEED)), SEED);
    SpanPointer b = SpanPointer.train(workflow(), dialogues(100, new SplittableRandom(SEED)), SEED);
    assertThat(a.sameWeights(b)).isTrue();
    a.save(dir.resolve(SpanPointer.FILE));
    assertThat(SpanPointer.load(dir.resolve(SpanPointer.FILE)).sameWeights(a)).isTrue();
  }

  @Test
  void aWorkflowWithoutCallsOfOpenValuesHasNoPointer() throws Exception {
    assertThat(SpanPointer.train(workflow(), List.of(), SEED)).isNull();
  }
}

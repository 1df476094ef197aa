package dev.subterra.training.decode;

import static org.assertj.core.api.Assertions.assertThat;

import dev.subterra.synthesis.Dialogue;
import dev.subterra.synthesis.Turn;
import dev.subterra.training.TestDialogues;
import dev.subterra.training.artefact.ModelArtefact;
import dev.subterra.training.serial.DialogueSerializer;
import dev.subterra.training.tokenizer.BpeTokenizer;
import dev.subterra.training.tokenizer.SpecialToken;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class ArgumentGroundingTest {

  private static ModelArtefact artefact;
  private static BpeTokenizer tokenizer;
  private static ArgumentGrounding grounding;
  /** A conversation up to the search call, in which the user gave a name, a city and a date. */
  private static int[] prompt;
  private static String city;
  private static String date;

  @BeforeAll
  static void setUp() throws Exception {
    artefact = ModelArtefact.load(Path.of(ArgumentGroundingTest.class.getResource("/golden/v1/model").toURI()));
    tokenizer = artefact.tokenizer();
    grounding = new ArgumentGrounding(tokenizer);
    Dialogue dialogue = TestDialogues.generate(1, 7).get(0);
    List<Turn> turns = dialogue.turns();
    city = turns.get(5).call().arguments().get("city");
    date = turns.get(5).call().arguments().get("date");
    DialogueSerializer serializer = artefact.serializer();
    // Grounding reads token ids only, so the prompt may be longer than the golden model's short context.
    prompt = serializer.prompt(turns.subList(0, 5), 1024, 16);
  }

  @Test
  void aValueTheModelPrefersAndTheUserSaidIsLeftAlone() {
    ArgumentGrounding.Row row = openValue("search_flights(city=");
    String written = decodeValue(row, preferring(city + ")"));
    assertThat(written).isEqualTo(city);
    assertThat(row.overridden()).isZero();
  }

  @Test
  void aHallucinatedValueIsReplacedByASpanOfTheConversation() {
    String other = Arrays.stream(new String[] {"Paris", "Lisbon", "Oslo", "Zagreb", "Kyoto", "Lima"})
        .filter(c -> !c.equals(city)).findFirst().orElseThrow();
    ArgumentGrounding.Row row = openValue("search_flights(city=");
    String written = decodeValue(row, preferring(other + ")"));
    assertThat(written).isNotEqualTo(other);
    assertThat(spans()).contains(written);
    assertThat(row.overridden()).isPositive();
  }

  @Test
  void whateverTheModelPrefersEveryValueIsAWholeSpanOfWhatTheUserSaid() {
    List<String> spans = spans();
    for (int seed = 0; seed < 40; seed++) {
      Random random = new Random(seed);
      ArgumentGrounding.Row row = openValue("search_flights(city=" + city + ", date=");
      String written = decodeValue(row, logits -> {
        for (int k = 0; k < logits.length; k++) {
          logits[k] = (float) random.nextGaussian();
        }
      });
      assertThat(spans).as("seed %d", seed).contains(written);
    }
    assertThat(spans).contains(city, date.substring(0, 4));
  }

  @Test
  void outsideAnArgumentValueNothingIsMasked() {
    ArgumentGrounding.Row row = grounding.start(prompt);
    Random random = new Random(3);
    float[] logits = new float[tokenizer.vocabularySize()];
    for (int k = 0; k < logits.length; k++) {
      logits[k] = (float) random.nextGaussian();
    }
    float[] before = logits.clone();
    row.mask(logits);
    assertThat(logits).containsExactly(before);
    row.accept(SpecialToken.CALL.id());
    accept(row, "search_flights(ci");
    row.mask(logits);
    assertThat(logits).containsExactly(before);
    assertThat(row.overridden()).isZero();
  }

  /** A row that has just written {@code <call>} and {@code callSoFar}, which ends with {@code =}. */
  private static ArgumentGrounding.Row openValue(String callSoFar) {
    ArgumentGrounding.Row row = grounding.start(prompt);
    row.accept(tokenizer.nodeTagId("search"));
    row.accept(SpecialToken.CALL.id());
    accept(row, callSoFar);
    return row;
  }

  private static void accept(ArgumentGrounding.Row row, String text) {
    for (int id : tokenizer.encode(text)) {
      row.accept(id);
    }
  }

  /** Greedy decoding of one value under {@code scores}: the text written before the value ends. */
  private static String decodeValue(ArgumentGrounding.Row row, java.util.function.Consumer<float[]> scores) {
    StringBuilder value = new StringBuilder();
    for (int step = 0; step < 40; step++) {
      float[] logits = new float[tokenizer.vocabularySize()];
      scores.accept(logits);
      row.mask(logits);
      int next = argmax(logits);
      row.accept(next);
      String text = text(next);
      int end = indexOfDelimiter(text);
      if (end >= 0) {
        return value.append(text, 0, end).toString();
      }
      value.append(text);
    }
    return value.toString();
  }

  /** Scores that make the tokens of {@code text} the most likely, in order, whatever was written so far. */
  private static java.util.function.Consumer<float[]> preferring(String text) {
    int[] ids = tokenizer.encode(text);
    int[] at = {0};
    return logits -> {
      if (at[0] < ids.length) {
        logits[ids[at[0]]] = 10;
      }
      at[0]++;
    };
  }

  /** Every word-bounded span of the user turns and tool results of the prompt that a value may be. */
  private static List<String> spans() {
    List<String> out = new ArrayList<>();
    StringBuilder said = new StringBuilder();
    boolean quoting = false;
    for (int id : prompt) {
      if (id == SpecialToken.USER.id() || id == SpecialToken.TOOL.id()) {
        quoting = true;
        said.append('\uffff');
      } else if (id == SpecialToken.END.id()) {
        quoting = false;
      } else if (quoting && !tokenizer.isStructural(id)) {
        said.append(text(id));
      }
    }
    String s = said.toString();
    for (int i = 0; i < s.length(); i++) {
      if (!isWordChar(s.charAt(i)) || i > 0 && isWordChar(s.charAt(i - 1))) {
        continue;
      }
      for (int j = i + 1; j <= s.length(); j++) {
        if (j == s.length() || !isWordChar(s.charAt(j))) {
          String span = s.substring(i, j);
          if (span.indexOf(',') < 0 && span.indexOf(')') < 0 && span.indexOf('\uffff') < 0) {
            out.add(span);
          }
        }
      }
    }
    return out;
  }

  /** A token's bytes, one character each, as grounding matches them; empty for structural tokens. */
  private static String text(int id) {
    return tokenizer.isStructural(id) ? ""
        : new String(tokenizer.decodeBytes(id), java.nio.charset.StandardCharsets.ISO_8859_1);
  }

  private static boolean isWordChar(char c) {
    return c != '\uffff' && (c >= 0x80 || Character.isLetterOrDigit(c));
  }

  private static int indexOfDelimiter(String text) {
    for (int i = 0; i < text.length(); i++) {
      if (text.charAt(i) == ',' || text.charAt(i) == ')') {
        return i;
      }
    }
    return -1;
  }

  private static int argmax(float[] logits) {
    int best = 0;
    for (int k = 1; k < logits.length; k++) {
      if (logits[k] > logits[best]) {
        best = k;
      }
    }
    return best;
  }
}

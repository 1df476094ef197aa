package dev.subterra.training.tokenizer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.subterra.training.TestDialogues;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class BpeTokenizerTest {

  private static final int VOCABULARY = 400;
  private static List<String> corpus;
  private static BpeTokenizer tokenizer;

  @BeforeAll
  static void train() {
    corpus = TestDialogues.corpus(TestDialogues.generate(60, 7));
    tokenizer = BpeTokenizer.train(corpus, TestDialogues.NODE_IDS, VOCABULARY);
  }

  @Test
  void learnsTheWantedVocabulary() {
    assertThat(tokenizer.vocabularySize()).isEqualTo(VOCABULARY);
    assertThat(tokenizer.encode("Hello")).hasSize(1);
  }

  @ParameterizedTest
  @ValueSource(strings = {
      "Flight SB512 to Zagreb on 2026-03-17 costs 512 EUR.",
      "Bjørn Ødegård, Émile Zola, 山田太郎, Ελένη",
      "call me at +44 (0)20 7946 0958 on 31/12/2027 at 23:59",
      "price: 1,234.56 EUR; ref #A-99-b",
      "  leading and trailing spaces, tabs\tand\nnew lines  ",
      "emoji 🙂👍🏽 and <end> <node:greet> spelt as text",
      "",
  })
  void roundTripsExactly(String text) {
    int[] ids = tokenizer.encode(text);
    assertThat(tokenizer.decode(ids)).isEqualTo(text);
    // Text never turns into structure, even when it spells a special token.
    assertThat(java.util.Arrays.stream(ids).noneMatch(tokenizer::isStructural)).isTrue();
  }

  @Test
  void splitsDigitsOneByOne() {
    int[] ids = tokenizer.encode("2026");
    assertThat(ids).hasSize(4);
  }

  @Test
  void trainingIsDeterministic() {
    BpeTokenizer again = BpeTokenizer.train(corpus, TestDialogues.NODE_IDS, VOCABULARY);
    assertThat(again).isEqualTo(tokenizer);
    assertThat(again.toJson()).isEqualTo(tokenizer.toJson());
  }

  @Test
  void layoutPutsSpecialsAndTagsFirst() {
    assertThat(tokenizer.tokenText(SpecialToken.END.id())).isEqualTo("<end>");
    int tag = tokenizer.nodeTagId("search");
    assertThat(tokenizer.isNodeTag(tag)).isTrue();
    assertThat(tokenizer.nodeIdOf(tag)).contains("search");
    assertThat(tokenizer.tokenText(tag)).isEqualTo("<node:search>");
    assertThat(tokenizer.decode(new int[] {SpecialToken.AGENT.id(), tag})).isEqualTo("<agent><node:search>");
    assertThat(tokenizer.decodeText(new int[] {SpecialToken.AGENT.id(), tag})).isEmpty();
  }

  @Test
  void savesAndLoads(@TempDir Path dir) throws Exception {
    Path file = dir.resolve("tokenizer.json");
    tokenizer.save(file);
    BpeTokenizer loaded = BpeTokenizer.load(file);
    assertThat(loaded).isEqualTo(tokenizer);
    String text = "Booked SB777 to Oslo on 2026-11-02, Hana!";
    assertThat(loaded.encode(text)).isEqualTo(tokenizer.encode(text));
  }

  @Test
  void stopsWhenNoPairRepeats() {
    BpeTokenizer small = BpeTokenizer.train(List.of("abab"), List.of("x"), 10_000);
    assertThat(small.vocabularySize()).isLessThan(10_000);
    assertThat(small.decode(small.encode("ababab"))).isEqualTo("ababab");
  }

  @Test
  void rejectsBadInput() {
    assertThatThrownBy(() -> BpeTokenizer.train(corpus, TestDialogues.NODE_IDS, 100))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("Invalid vocabularySize: 100");
    assertThatThrownBy(() -> tokenizer.nodeTagId("nope"))
        .hasMessageStartingWith("Invalid nodeId: nope");
    assertThatThrownBy(() -> BpeTokenizer.fromJson("{\"format\":\"other\"}"))
        .hasMessage("Invalid format: other");
  }
}

package dev.subterra.evaluation.star;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.subterra.synthesis.Role;
import dev.subterra.synthesis.Turn;
import dev.subterra.workflow.Workflow;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class WizardTurnsTest {

  @Test
  void picksAreLabelledWithTheirActionAndQueriesWithTheirRequestType() throws Exception {
    Workflow workflow = MiniStar.workflow();
    List<WizardTurn> turns = new WizardTurns(KnowledgeBaseResults.of(MiniStar.schemaBytes(), workflow))
        .of(MiniStar.dialogue());

    assertThat(turns).extracting(WizardTurn::label)
        .containsExactly("hello", "ask_name", "query_check", "hotel_ask_confirm_booking", "query");
    assertThat(turns).extracting(WizardTurn::event).containsExactly(3, 6, 8, 10, 12);
    assertThat(turns).allSatisfy(t -> {
      assertThat(t.dialogueId()).isEqualTo(7);
      assertThat(t.task()).isEqualTo("hotel_book");
      assertThat(t.happy()).isTrue();
    });
  }

  @Test
  void queryLabelsComeFromTheRequestType() {
    assertThat(WizardTurns.queryLabel(query(Map.of("RequestType", "Book")))).isEqualTo("query_book");
    assertThat(WizardTurns.queryLabel(query(Map.of("RequestType", "Check")))).isEqualTo("query_check");
    assertThat(WizardTurns.queryLabel(query(Map.of("Name", "Hilton")))).isEqualTo("query");
  }

  @Test
  void historiesHoldUtterancesTaggedPicksAndKnowledgeBaseResults() throws Exception {
    Workflow workflow = MiniStar.workflow();
    List<WizardTurn> turns = new WizardTurns(KnowledgeBaseResults.of(MiniStar.schemaBytes(), workflow))
        .of(MiniStar.dialogue());

    assertThat(turns.get(0).history()).containsExactly(Turn.user(null, "Hi there"));
    assertThat(turns.get(1).history()).containsExactly(Turn.user(null, "Hi there"),
        Turn.agent("hello", "Hello, how can I help?"), Turn.user(null, "A room at the Hilton please"),
        Turn.agent(null, "Sure."));
    List<Turn> afterQuery = turns.get(3).history();
    assertThat(afterQuery).hasSize(7);
    Turn tool = afterQuery.get(6);
    assertThat(tool.role()).isEqualTo(Role.TOOL);
    assertThat(tool.nodeId()).isEqualTo("query_check");
    assertThat(tool.call().name()).isEqualTo("hotel_book");
    // Quoting and api.is_equal_to(...) are STAR's syntax, not the values; RequestType is not an argument.
    assertThat(tool.call().arguments()).containsExactly(Map.entry("Name", "Hilton"),
        Map.entry("CustomerName", "Ana"));
    assertThat(tool.result()).isEqualTo("{\"status\":\"hotel_available\",\"hotel_name\":\"Hilton\"}");
    // The query the wizard made before the last turn has no result: the dialogue ended first.
    assertThat(turns.get(4).history().get(turns.get(4).history().size() - 1).role()).isEqualTo(Role.USER);
  }

  @Test
  void resultsMatchTheSchemaOutcomeWithTheMostConcreteFields() throws Exception {
    KnowledgeBaseResults results = KnowledgeBaseResults.of(MiniStar.schemaBytes(), MiniStar.workflow());

    assertThat(results.outcome(Map.of("Message", "unavailable"))).isEqualTo("hotel_unavailable");
    assertThat(results.outcome(Map.of("Message", "Available", "HotelName", "Ritz"))).isEqualTo("hotel_available");
    assertThat(results.outcome(Map.of("Message", "Reservation Failed"))).isNull();
    assertThat(results.render(Map.of("Message", "Reservation Failed"))).isEqualTo("{}");
  }

  @Test
  void aMalformedDialogueIsRejectedWithItsName() {
    assertThatThrownBy(() -> StarCorpus.parse("9.json", "{\"Events\": []}".getBytes(StandardCharsets.UTF_8)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("Cannot read STAR dialogue 9.json: it needs DialogueID, Scenario and Events");
    assertThatThrownBy(() -> StarCorpus.parse("9.json", "{".getBytes(StandardCharsets.UTF_8)))
        .hasMessageStartingWith("Cannot read STAR dialogue 9.json: malformed JSON");
  }

  private static StarEvent query(Map<String, String> constraints) {
    return new StarEvent(StarEvent.WIZARD, "query", null, null, "hotel_book", constraints, null);
  }
}

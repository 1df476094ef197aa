package dev.subterra.evaluation.star;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.subterra.synthesis.ToolInvocation;
import dev.subterra.synthesis.Turn;
import dev.subterra.workflow.Workflow;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class BaselinesTest {

  @Test
  void majorityPredictsTheMostFrequentLabelFirstAlphabeticallyOnATie() {
    assertThat(MajorityBaseline.of(List.of("b", "a", "b", "c")).label()).isEqualTo("b");
    assertThat(MajorityBaseline.of(List.of("b", "a")).label()).isEqualTo("a");
    assertThat(MajorityBaseline.of(List.of("x")).predict(List.of(turn(List.of()), turn(List.of()))))
        .containsExactly("x", "x");
    assertThatThrownBy(() -> MajorityBaseline.of(List.of()))
        .hasMessage("Cannot find a majority label: no labels");
  }

  @Test
  void schemaFollowingGoesFromThePreviousActionThroughTheUsersAnswer() throws Exception {
    SchemaFollowingBaseline schema = new SchemaFollowingBaseline(MiniStar.workflow(), "fallback");

    assertThat(schema.next(List.of(Turn.user(null, "Hi")))).contains("hello");
    assertThat(schema.next(List.of(Turn.agent("hello", "Hello"), Turn.user(null, "A room")))).contains("ask_name");
    assertThat(schema.next(List.of(Turn.agent("ask_name", "Name?"), Turn.user(null, "Ana"))))
        .contains("query_check");
    // The last tagged action counts; free text from the wizard does not move the schema on.
    assertThat(schema.next(List.of(Turn.agent("hello", "Hello"), Turn.agent(null, "Sure.")))).contains("ask_name");
  }

  @Test
  void schemaFollowingTakesTheQueryOutcomeTheResultNames() throws Exception {
    SchemaFollowingBaseline schema = new SchemaFollowingBaseline(MiniStar.workflow(), "fallback");
    ToolInvocation call = new ToolInvocation("hotel_book", Map.of());

    assertThat(schema.next(List.of(Turn.tool("query_check", call, "{\"status\":\"hotel_unavailable\"}"))))
        .contains("hotel_unavailable");
    assertThat(schema.next(List.of(Turn.tool("query_check", call, "{\"status\":\"hotel_available\"}"))))
        .contains("hotel_ask_confirm_booking");
  }

  @Test
  void schemaFollowingFallsBackWhereTheSchemaEndsOrDoesNotKnowTheAction() throws Exception {
    SchemaFollowingBaseline schema = new SchemaFollowingBaseline(MiniStar.workflow(), "fallback");

    assertThat(schema.predict(List.of(turn(List.of(Turn.agent("goodbye_1", "Bye"))),
        turn(List.of(Turn.agent("out_of_scope", "What?"))), turn(List.of(Turn.user(null, "Hi"))))))
        .containsExactly("fallback", "fallback", "hello");
  }

  @Test
  void baselinesNeverReadTheLabel() throws Exception {
    Workflow workflow = MiniStar.workflow();
    List<WizardTurn> turns = new WizardTurns(KnowledgeBaseResults.of(MiniStar.schemaBytes(), workflow))
        .of(MiniStar.dialogue());
    List<WizardTurn> relabelled = turns.stream().map(t -> new WizardTurn(t.dialogueId(), t.task(), t.happy(),
        t.event(), "wrong", t.history())).toList();
    SchemaFollowingBaseline schema = new SchemaFollowingBaseline(workflow, "fallback");

    assertThat(schema.predict(relabelled)).isEqualTo(schema.predict(turns))
        .containsExactly("hello", "ask_name", "query_check", "hotel_ask_confirm_booking", "goodbye_1");
  }

  private static WizardTurn turn(List<Turn> history) {
    return new WizardTurn(1, "hotel_book", true, 0, "unused", history);
  }
}

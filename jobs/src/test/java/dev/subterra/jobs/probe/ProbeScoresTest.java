package dev.subterra.jobs.probe;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.subterra.synthesis.ToolInvocation;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Scoring on hand-made step results: exact calls, one wrong argument, calls in another order, and per-kind sums. */
class ProbeScoresTest {
  private static final double EXACT = 1e-12;

  private static final ToolInvocation SEARCH = call("London", "Lisbon", "2026-03-14", "7", "2", "1500");

  private static ToolInvocation call(String origin, String destination, String date, String nights, String travellers,
      String budget) {
    Map<String, String> args = new LinkedHashMap<>();
    args.put("origin", origin);
    args.put("destination", destination);
    args.put("depart_date", date);
    args.put("nights", nights);
    args.put("travellers", travellers);
    args.put("max_price", budget);
    return new ToolInvocation("search_packages", args);
  }

  private static final ProbeTurn.AgentStep SEARCH_STEP = ProbeTurn.AgentStep.calls("search_trips", SEARCH,
      "{\"status\":\"success\"}");
  private static final ProbeTurn.AgentStep GREET_STEP = ProbeTurn.AgentStep.says("greet", "Hi!");

  private static StepResult step(String conversation, ProbeKind kind, int turn, ProbeTurn.AgentStep expected,
      String node, ToolInvocation call) {
    return new StepResult(conversation, kind, turn, expected, node, call, call == null ? "words" : "", 0,
        "end_of_turn");
  }

  @Test
  void anExactCallIsRightAndOneWrongArgumentMakesTheCallWrongButNotTheOthers() {
    StepResult exact = step("a", ProbeKind.NATURAL, 2, SEARCH_STEP, "search_trips", SEARCH);
    assertThat(exact.nodeCorrect()).isTrue();
    assertThat(exact.callExact()).isTrue();
    assertThat(exact.correct()).isTrue();

    StepResult fragment = step("b", ProbeKind.UNSEEN, 2, SEARCH_STEP, "search_trips",
        call("on", "Lisbon", "2026-03-14", "7", "2", "1500"));
    assertThat(fragment.nodeCorrect()).isTrue();
    assertThat(fragment.callExact()).isFalse();
    assertThat(fragment.correct()).isFalse();
    assertThat(fragment.argumentCorrect("origin")).isFalse();
    assertThat(fragment.argumentCorrect("destination")).isTrue();
    assertThat(fragment.argumentCorrect("max_price")).isTrue();

    // Argument order does not change what a call asks, as in evaluation's tool simulator.
    Map<String, String> reversed = new LinkedHashMap<>();
    List<String> names = new java.util.ArrayList<>(SEARCH.arguments().keySet());
    java.util.Collections.reverse(names);
    names.forEach(k -> reversed.put(k, SEARCH.arguments().get(k)));
    assertThat(step("c", ProbeKind.NATURAL, 2, SEARCH_STEP, "search_trips",
        new ToolInvocation("search_packages", reversed)).callExact()).isTrue();

    // No call, or another tool with the same argument names, gets no argument right.
    StepResult spoke = step("d", ProbeKind.NATURAL, 2, SEARCH_STEP, "present_options", null);
    assertThat(spoke.nodeCorrect()).isFalse();
    assertThat(spoke.callExact()).isFalse();
    assertThat(spoke.argumentCorrect("origin")).isFalse();
    assertThat(step("e", ProbeKind.NATURAL, 2, SEARCH_STEP, "search_trips",
        new ToolInvocation("book_package", SEARCH.arguments())).argumentCorrect("origin")).isFalse();

    // A call where the agent should speak is wrong even at the right node.
    StepResult unexpected = step("f", ProbeKind.NATURAL, 0, GREET_STEP, "greet", SEARCH);
    assertThat(unexpected.nodeCorrect()).isTrue();
    assertThat(unexpected.correct()).isFalse();
  }

  @Test
  void scoresAddUpOverallAndPerKind() {
    List<StepResult> results = List.of(
        // natural-1: right throughout
        step("natural-1", ProbeKind.NATURAL, 0, GREET_STEP, "greet", null),
        step("natural-1", ProbeKind.NATURAL, 2, SEARCH_STEP, "search_trips", SEARCH),
        // unseen-1: the greeting right, the call with a fragment for the origin
        step("unseen-1", ProbeKind.UNSEEN, 0, GREET_STEP, "greet", null),
        step("unseen-1", ProbeKind.UNSEEN, 2, SEARCH_STEP, "search_trips",
            call("on", "so", "2026-03-14", "7", "2", "1500")),
        // unseen-2: the wrong node where it should call
        step("unseen-2", ProbeKind.UNSEEN, 1, SEARCH_STEP, "present_options", null));
    ProbeScores scores = ProbeScores.of(results);

    ProbeScores.Tally all = scores.overall();
    assertThat(all.conversations()).isEqualTo(new ProbeScores.Count(1, 3));
    assertThat(all.nodes()).isEqualTo(new ProbeScores.Count(4, 5));
    assertThat(all.calls()).isEqualTo(new ProbeScores.Count(1, 3));
    assertThat(all.nodes().rate()).isCloseTo(0.8, within(EXACT));
    assertThat(all.arguments().get("search_packages.origin")).isEqualTo(new ProbeScores.Count(1, 3));
    assertThat(all.arguments().get("search_packages.destination")).isEqualTo(new ProbeScores.Count(1, 3));
    assertThat(all.arguments().get("search_packages.nights")).isEqualTo(new ProbeScores.Count(2, 3));
    assertThat(all.arguments()).hasSize(6);

    assertThat(scores.perKind().keySet()).containsExactly(ProbeKind.NATURAL, ProbeKind.UNSEEN);
    ProbeScores.Tally natural = scores.perKind().get(ProbeKind.NATURAL);
    ProbeScores.Tally unseen = scores.perKind().get(ProbeKind.UNSEEN);
    assertThat(natural.conversations()).isEqualTo(new ProbeScores.Count(1, 1));
    assertThat(natural.calls()).isEqualTo(new ProbeScores.Count(1, 1));
    assertThat(unseen.conversations()).isEqualTo(new ProbeScores.Count(0, 2));
    assertThat(unseen.nodes()).isEqualTo(new ProbeScores.Count(2, 3));
    assertThat(unseen.arguments().get("search_packages.travellers")).isEqualTo(new ProbeScores.Count(1, 2));
    // The kinds partition the whole: every count of the overall tally is the sum of the kinds'.
    for (var pick : List.<java.util.function.Function<ProbeScores.Tally, ProbeScores.Count>>of(
        ProbeScores.Tally::conversations, ProbeScores.Tally::nodes, ProbeScores.Tally::calls)) {
      assertThat(pick.apply(natural).correct() + pick.apply(unseen).correct()).isEqualTo(pick.apply(all).correct());
      assertThat(pick.apply(natural).total() + pick.apply(unseen).total()).isEqualTo(pick.apply(all).total());
    }
  }

  @Test
  void aGroupWithoutCallsHasNoCallRate() {
    ProbeScores scores = ProbeScores.of(List.of(step("x", ProbeKind.REFERENCE, 0, GREET_STEP, "handoff", null)));
    assertThat(scores.overall().calls()).isEqualTo(new ProbeScores.Count(0, 0));
    assertThat(scores.overall().calls().rate()).isNaN();
    assertThat(scores.overall().conversations()).isEqualTo(new ProbeScores.Count(0, 1));
  }

  @Test
  void theSummaryPrintsWrongCallsAsExpectedArrowGot() throws Exception {
    ProbeSet set = new ProbeSet("probe.yaml", "0".repeat(64), "travel-booking", List.of(
        new ProbeConversation("unseen-1", ProbeKind.UNSEEN, null, List.of(GREET_STEP,
            new ProbeTurn.UserMessage("porto from manchester"), SEARCH_STEP))));
    List<StepResult> results = List.of(step("unseen-1", ProbeKind.UNSEEN, 0, GREET_STEP, "greet", null),
        step("unseen-1", ProbeKind.UNSEEN, 2, SEARCH_STEP, "search_trips",
            call("on", "Lisbon", "2026-03-14", "7", "2", "1500")));
    ProbeReport report = new ProbeReport(set, "travel-booking", "w", "h", 64, 32, results, ProbeScores.of(results));
    List<String> lines = report.summary(20);
    assertThat(lines).contains("Wrong calls (1 of 1):",
        "  unseen-1 turn 3: search_packages(origin: London, destination: Lisbon, depart_date: 2026-03-14, nights: 7, "
            + "travellers: 2, max_price: 1500) \u2192 search_packages(origin: on, destination: Lisbon, "
            + "depart_date: 2026-03-14, nights: 7, travellers: 2, max_price: 1500)");
    assertThat(String.join("\n", lines)).contains("search_packages.origin           0.00 (0/1)");
    @SuppressWarnings("unchecked")
    Map<String, Object> conversation = (Map<String, Object>) ((List<Object>) report.toJson().get("conversations"))
        .get(0);
    assertThat(conversation).containsEntry("right", false).containsEntry("first_wrong_turn", 3);
  }
}

package dev.subterra.jobs.probe;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.subterra.synthesis.ToolInvocation;
import dev.subterra.workflow.Workflow;
import dev.subterra.workflow.WorkflowLoader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The probe file's reader and its check against the workflow: the shipped sets load and are spread over the kinds,
 * and each kind of mistake is reported at its line and column with the conversation and turn it is in.
 */
class ProbeSetLoaderTest {
  private static final Path ROOT = Path.of(System.getProperty("subterra.root", ".."));
  /** The minimum: at least 40 conversations per workflow, and at least 8 of each kind. */
  private static final int MIN_CONVERSATIONS = 40;
  private static final int MIN_PER_KIND = 8;

  private static Workflow travel;
  private static Workflow video;

  @TempDir Path temp;

  @BeforeAll
  static void workflows() throws Exception {
    travel = WorkflowLoader.load(ROOT.resolve("workflows/travel-booking.yaml"));
    video = WorkflowLoader.load(ROOT.resolve("workflows/video-meeting-support.yaml"));
  }

  private static final String GOOD = """
      workflow: travel-booking
      conversations:
        - id: tb-1
          kind: written
          note: a week, two of us
          turns:
            - agent: greet
              say: "Hi! Where would you like to go?"
            - user: "lisbon from london on march 14th, a week, two of us, 1.5k max"
            - agent: search_trips
              call: search_packages
              arguments: {max_price: 1500, origin: London, destination: Lisbon, depart_date: 2026-03-14, nights: 7,
                          travellers: 2}
              result: {option_price: 1340, status: success, option_name: the saver package}
            - agent: present_options
              say: "The saver package, 1340 EUR. Book it?"
      """;

  private ProbeSet parse(String yaml) throws InvalidProbeSetException {
    return ProbeSetLoader.parse("probe.yaml", yaml.getBytes(StandardCharsets.UTF_8), WorkflowLoader.Format.YAML,
        travel);
  }

  private List<String> problems(String yaml) {
    try {
      parse(yaml);
    } catch (InvalidProbeSetException e) {
      return e.problems();
    }
    throw new AssertionError("expected the file to be refused:\n" + yaml);
  }

  @Test
  void aGoodFileReadsIntoStepsWithCanonicalCallsInDeclaredOrder() throws Exception {
    ProbeSet set = parse(GOOD);
    assertThat(set.workflowId()).isEqualTo("travel-booking");
    assertThat(set.sha256()).hasSize(64);
    ProbeConversation c = set.conversations().get(0);
    assertThat(c.kind()).isEqualTo(ProbeKind.WRITTEN);
    assertThat(c.note()).isEqualTo("a week, two of us");
    assertThat(c.stepIndices()).containsExactly(0, 2, 3);
    assertThat(c.turns().get(1)).isEqualTo(
        new ProbeTurn.UserMessage("lisbon from london on march 14th, a week, two of us, 1.5k max"));
    ProbeTurn.AgentStep search = (ProbeTurn.AgentStep) c.turns().get(2);
    assertThat(search.node()).isEqualTo("search_trips");
    // Written in any order, the call comes out in the workflow's declared order, every value as text.
    assertThat(search.call()).isEqualTo(new ToolInvocation("search_packages", Map.of("origin", "London",
        "destination", "Lisbon", "depart_date", "2026-03-14", "nights", "7", "travellers", "2", "max_price", "1500")));
    assertThat(List.copyOf(search.call().arguments().keySet())).containsExactly("origin", "destination",
        "depart_date", "nights", "travellers", "max_price");
    // The result as ToolTurns writes one: compact JSON, status first, then the returns in declared order.
    assertThat(search.result()).isEqualTo(
        "{\"status\":\"success\",\"option_name\":\"the saver package\",\"option_price\":\"1340\"}");
    assertThat(((ProbeTurn.AgentStep) c.turns().get(3)).say()).isEqualTo("The saver package, 1340 EUR. Book it?");
  }

  @Test
  void theShippedSetsLoadAgainstTheShippedWorkflowsAndCoverEveryKind() throws Exception {
    for (var pair : List.of(Map.entry("probes/travel-booking.yaml", travel),
        Map.entry("probes/video-meeting-support.yaml", video))) {
      ProbeSet set = ProbeSetLoader.load(ROOT.resolve(pair.getKey()), pair.getValue());
      assertThat(set.conversations()).as(pair.getKey()).hasSizeGreaterThanOrEqualTo(MIN_CONVERSATIONS);
      Map<ProbeKind, Long> perKind = set.conversations().stream()
          .collect(Collectors.groupingBy(ProbeConversation::kind, Collectors.counting()));
      assertThat(perKind.keySet()).as(pair.getKey()).containsExactlyInAnyOrder(ProbeKind.values());
      assertThat(perKind.values()).as(pair.getKey() + " " + perKind).allMatch(n -> n >= MIN_PER_KIND);
    }
  }

  @Test
  void theTravelSetHasCustomersWhoSpeakFirstAndCallsAtEveryToolOutcome() throws Exception {
    ProbeSet set = ProbeSetLoader.load(ROOT.resolve("probes/travel-booking.yaml"), travel);
    assertThat(set.conversations().stream().filter(c -> c.turns().get(0) instanceof ProbeTurn.UserMessage))
        .hasSizeGreaterThanOrEqualTo(4);
    List<String> statuses = set.conversations().stream().flatMap(c -> c.turns().stream())
        .filter(t -> t instanceof ProbeTurn.AgentStep s && s.expectsCall())
        .map(t -> ((ProbeTurn.AgentStep) t).result().replaceAll(".*\"status\":\"([a-z_]+)\".*", "$1"))
        .distinct().toList();
    assertThat(statuses).contains("success", "over_budget", "not_found", "sold_out", "price_changed");
  }

  @Test
  void aMessageIsKeptAsWrittenEvenWhenYamlWouldReadItAsAnotherType() throws Exception {
    ProbeSet set = parse(GOOD.replace("- user: \"lisbon from london on march 14th, a week, two of us, 1.5k max\"",
        "- user: yes\n      - user: 1500\n      - user: no"));
    assertThat(set.conversations().get(0).turns().subList(1, 4)).containsExactly(new ProbeTurn.UserMessage("yes"),
        new ProbeTurn.UserMessage("1500"), new ProbeTurn.UserMessage("no"));
  }

  @Test
  void anUnknownNodeIsReportedAtItsLineWithTheConversationAndTurn() {
    assertThat(problems(GOOD.replace("agent: search_trips", "agent: serach_trips"))).containsExactly(
        "probe.yaml:10:9: conversation tb-1, turn 3: unknown node 'serach_trips' (agent and tool nodes of "
            + "travel-booking: greet, search_trips, present_options, book_trip, confirm, handoff)");
  }

  @Test
  void aCallMustBeTheNodesToolWithExactlyItsArguments() {
    assertThat(problems(GOOD.replace("call: search_packages", "call: book_package")))
        .containsExactly("probe.yaml:11:9: conversation tb-1, turn 3: invalid call 'book_package': node "
            + "'search_trips' calls search_packages");
    assertThat(problems(GOOD.replace("nights: 7", "night: 7"))).containsExactly(
        "probe.yaml:12:9: conversation tb-1, turn 3: missing argument 'nights' of search_packages (its arguments: "
            + "origin, destination, depart_date, nights, travellers, max_price)",
        "probe.yaml:12:100: conversation tb-1, turn 3: unknown argument 'night' of search_packages (its arguments: "
            + "origin, destination, depart_date, nights, travellers, max_price)");
  }

  @Test
  void valuesMustBeCanonical() {
    assertThat(problems(GOOD.replace("nights: 7", "nights: a week").replace("2026-03-14", "14/03/2026")
        .replace("max_price: 1500", "max_price: 1.5k")))
        .containsExactly(
            "probe.yaml:12:21: conversation tb-1, turn 3: argument 'max_price' of search_packages: '1.5k' is not "
                + "canonical; write a number in digits (7, 1500)",
            "probe.yaml:12:75: conversation tb-1, turn 3: argument 'depart_date' of search_packages: '14/03/2026' is "
                + "not canonical; write an ISO date, yyyy-mm-dd",
            "probe.yaml:12:100: conversation tb-1, turn 3: argument 'nights' of search_packages: 'a week' is not "
                + "canonical; write a number in digits (7, 1500)");
  }

  @Test
  void emailsAreLowerCaseAndEnumsAreSpelledAsTheWorkflowSpellsThem() throws Exception {
    String plan = """
        workflow: video-meeting-support
        conversations:
          - id: vm-1
            kind: written
            turns:
              - user: "PLAN LIMITS. BEN.CARTER@EXAMPLE.COM"
              - agent: check_plan
                call: get_account_plan
                arguments: {email: BEN.CARTER@EXAMPLE.COM}
                result: {status: success, plan: pro}
        """;
    assertThatThrownBy(() -> ProbeSetLoader.parse("v.yaml", plan.getBytes(StandardCharsets.UTF_8),
        WorkflowLoader.Format.YAML, video))
        .isInstanceOf(InvalidProbeSetException.class)
        .hasMessageContaining("v.yaml:9:21: conversation vm-1, turn 2: argument 'email' of get_account_plan: "
            + "'BEN.CARTER@EXAMPLE.COM' is not canonical; write an email address, lower case")
        .hasMessageContaining("v.yaml:10:35: conversation vm-1, turn 2: result field 'plan': 'pro' is not "
            + "canonical; write one of the enum's values as the workflow spells them: Free, Pro, Business, "
            + "Enterprise");
  }

  @Test
  void aResultNeedsAStatusAmongTheNodesOutcomesAndOnlyTheToolsReturns() {
    assertThat(problems(GOOD.replace("status: success", "status: sold_out"))).containsExactly(
        "probe.yaml:14:38: conversation tb-1, turn 3: invalid status 'sold_out': the outcomes of 'search_trips' are "
            + "success, over_budget, not_found, error");
    assertThat(problems(GOOD.replace("option_price: 1340", "booking_ref: BK-1"))).containsExactly(
        "probe.yaml:14:18: conversation tb-1, turn 3: unknown result field 'booking_ref': search_packages returns "
            + "status and option_name, option_price");
  }

  @Test
  void stepsMustFollowTheGraph() {
    // confirm cannot follow a search; a search needs the customer to have spoken after the greeting.
    assertThat(problems(GOOD.replace("agent: present_options", "agent: confirm"))).containsExactly(
        "probe.yaml:15:9: conversation tb-1, turn 4: node 'confirm' cannot come after 'search_trips' (success); "
            + "the workflow allows present_options");
    assertThat(problems(GOOD + """
              - agent: greet
                say: "Hello again!"
        """)).containsExactly("probe.yaml:17:9: conversation tb-1, turn 5: node 'greet' cannot come after "
        + "'present_options'; the workflow allows book_trip, handoff, search_trips");
  }

  @Test
  void aCustomerMaySpeakFirstButNotSkipTheirTurn() {
    String first = GOOD.replace("    turns:\n", "    turns:\n      - user: \"hello?\"\n");
    try {
      assertThat(parse(first).conversations().get(0).stepIndices()).containsExactly(1, 3, 4);
    } catch (InvalidProbeSetException e) {
      throw new AssertionError(e.getMessage());
    }
    String silent = GOOD.replace("      - user: \"lisbon from london on march 14th, a week, two of us, 1.5k max\"\n",
        "");
    assertThat(problems(silent)).containsExactly("probe.yaml:9:9: conversation tb-1, turn 2: node 'search_trips' "
        + "after 'greet' comes after the customer speaks: give a user message before it");
  }

  @Test
  void fileLevelMistakesAreLocatedToo() throws Exception {
    assertThat(problems(GOOD.replace("kind: written", "kind: writen"))).containsExactly(
        "probe.yaml:4:5: conversation tb-1: invalid kind 'writen': expected one of natural, written, unseen, "
            + "refinement, reference");
    assertThat(problems(GOOD.replace("workflow: travel-booking", "workflow: insurance-claims"))).containsExactly(
        "probe.yaml:1:1: invalid workflow 'insurance-claims': the model plays travel-booking, so these "
            + "conversations cannot be checked against it");
    assertThat(problems(GOOD.replace("    note:", "    notes:")).get(0))
        .startsWith("probe.yaml:5:5: unknown field 'notes' in ");
    assertThat(problems(GOOD + GOOD.substring(GOOD.indexOf("  - id: tb-1")))).containsExactly(
        "probe.yaml:17:5: conversation tb-1: the id is also conversation #1's; ids are unique");
    assertThat(problems(GOOD.replace("say: \"Hi! Where would you like to go?\"", "say: [oops")).get(0))
        .startsWith("probe.yaml:").contains("line", "column");
    Path missing = temp.resolve("nope.yaml");
    assertThatThrownBy(() -> ProbeSetLoader.load(missing, travel))
        .isInstanceOf(InvalidProbeSetException.class)
        .hasMessage("Invalid conversations " + missing + ": 1 problem" + System.lineSeparator() + missing
            + ": no such file");
  }

  @Test
  void aTurnIsEitherAUserMessageOrAnAgentStep() {
    assertThat(problems(GOOD.replace("      - user: \"lisbon", "      - user: \"x\"\n        agent: greet\n"
        + "      - user: \"lisbon"))).first().asString()
        .isEqualTo("probe.yaml:9:9: conversation tb-1, turn 2: a turn is a 'user' message or an 'agent' step, not "
            + "both");
    assertThat(problems(GOOD.replace("        say: \"The saver package, 1340 EUR. Book it?\"\n", "")))
        .containsExactly("probe.yaml:15:9: conversation tb-1, turn 4: give what the agent says at "
            + "'present_options' in 'say' (it goes into the history of the steps after it)");
    assertThat(problems(GOOD.replace("agent: present_options", "agent: party_check"))).containsExactly(
        "probe.yaml:15:9: conversation tb-1, turn 4: node 'party_check' is a decision node: an agent step names an "
            + "agent node, or a tool node when a call is expected (greet, search_trips, present_options, book_trip, "
            + "confirm, handoff)");
  }
}

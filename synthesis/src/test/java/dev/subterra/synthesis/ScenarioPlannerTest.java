package dev.subterra.synthesis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.subterra.synthesis.values.ValuePool;
import dev.subterra.synthesis.values.ValuePools;
import dev.subterra.synthesis.values.ValueShare;
import dev.subterra.workflow.Edge;
import dev.subterra.workflow.Guard;
import dev.subterra.workflow.Node;
import dev.subterra.workflow.Slot;
import dev.subterra.workflow.SlotType;
import dev.subterra.workflow.TerminalOutcome;
import dev.subterra.workflow.Workflow;
import dev.subterra.workflow.paths.HubChoice;
import dev.subterra.workflow.paths.WorkflowPath;
import dev.subterra.workflow.WorkflowValidator;
import dev.subterra.workflow.paths.PathCatalog;
import dev.subterra.workflow.paths.PathRecord;
import dev.subterra.workflow.paths.PathSplit;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

class ScenarioPlannerTest {
  private static final long SEED = 42;
  /** Seeds of the property test: enough to hit every branch of every guard many times, and still fast. */
  private static final int PROPERTY_SEEDS = 40;

  @Test
  void sameSeedGivesIdenticalScenarios() throws Exception {
    Workflow workflow = Fixtures.load("support-desk.yaml");
    List<PathRecord> paths = Fixtures.catalog(workflow).paths();

    ScenarioPlan first = new ScenarioPlanner(workflow, ScenarioConfig.perPath(4, SEED)).plan(paths);
    ScenarioPlan second = new ScenarioPlanner(workflow, ScenarioConfig.perPath(4, SEED)).plan(paths);

    assertThat(first).isEqualTo(second);
    assertThat(first.scenarios()).hasSize(4 * paths.size());
  }

  @Test
  void differentSeedGivesDifferentScenarios() throws Exception {
    Workflow workflow = Fixtures.load("support-desk.yaml");
    List<PathRecord> paths = Fixtures.catalog(workflow).paths();

    List<Scenario> a = new ScenarioPlanner(workflow, ScenarioConfig.perPath(4, SEED)).plan(paths).scenarios();
    List<Scenario> b = new ScenarioPlanner(workflow, ScenarioConfig.perPath(4, SEED + 1)).plan(paths).scenarios();

    assertThat(a.stream().map(Scenario::scenarioId)).doesNotContainAnyElementsOf(
        b.stream().map(Scenario::scenarioId).toList());
    assertThat(a.stream().map(Scenario::slots).toList()).isNotEqualTo(b.stream().map(Scenario::slots).toList());
  }

  @Test
  void scenarioIdsAndSeedsDependOnlyOnSeedPathAndIndex() throws Exception {
    Workflow workflow = Fixtures.retryLoop();
    List<PathRecord> paths = Fixtures.catalog(workflow).paths();
    ScenarioPlanner planner = new ScenarioPlanner(workflow, ScenarioConfig.perPath(3, SEED));

    List<Scenario> all = planner.plan(paths).scenarios();
    // Planning one path alone, as an executor holding one partition would, gives the same scenario.
    Scenario alone = planner.draw(paths.get(paths.size() - 1), 2).scenario();

    assertThat(all.stream().map(Scenario::scenarioId).collect(Collectors.toSet())).hasSize(all.size());
    assertThat(all.get(all.size() - 1)).isEqualTo(alone);
    assertThat(alone.scenarioId()).matches("[0-9a-f]{16}");
  }

  @Test
  void scenariosInheritTheirPathsSplitHeldOutIncluded() throws Exception {
    Workflow workflow = Fixtures.load("support-desk.yaml");
    PathCatalog catalog = Fixtures.mostlyHeldOut(workflow);
    Map<String, PathSplit> splitOf = new LinkedHashMap<>();
    catalog.paths().forEach(p -> splitOf.put(p.path().id(), p.split()));

    List<Scenario> scenarios =
        new ScenarioPlanner(workflow, ScenarioConfig.perPath(2, SEED)).plan(catalog.paths()).scenarios();

    assertThat(scenarios).allSatisfy(s -> assertThat(s.split()).isEqualTo(splitOf.get(s.pathId())));
    assertThat(scenarios).anySatisfy(s -> assertThat(s.split()).isEqualTo(PathSplit.HELDOUT));
    assertThat(scenarios).anySatisfy(s -> assertThat(s.split()).isEqualTo(PathSplit.TRAIN));
  }

  @Test
  void aTotalIsSharedWithMoreForRareAndLongPaths() throws Exception {
    Workflow workflow = Fixtures.load("support-desk.yaml");
    List<PathRecord> paths = Fixtures.catalog(workflow).paths();
    int total = 10 * paths.size() + 3;

    Map<String, Integer> counts = new ScenarioPlanner(workflow, ScenarioConfig.total(total, SEED)).allocate(paths);

    assertThat(counts.values().stream().mapToInt(Integer::intValue).sum()).isEqualTo(total);
    assertThat(counts.values()).allSatisfy(n -> assertThat(n).isPositive());
    PathRecord heaviest = paths.stream()
        .max((x, y) -> Double.compare(x.weight() * x.path().length(), y.weight() * y.path().length())).orElseThrow();
    PathRecord lightest = paths.stream()
        .min((x, y) -> Double.compare(x.weight() * x.path().length(), y.weight() * y.path().length())).orElseThrow();
    assertThat(counts.get(heaviest.path().id())).isGreaterThan(counts.get(lightest.path().id()));
  }

  @Test
  void aTotalBelowThePathCountGoesToTheHeaviestPaths() throws Exception {
    Workflow workflow = Fixtures.load("support-desk.yaml");
    List<PathRecord> paths = Fixtures.catalog(workflow).paths();

    ScenarioPlan plan = new ScenarioPlanner(workflow, ScenarioConfig.total(3, SEED)).plan(paths);

    double third = paths.stream().mapToDouble(p -> p.weight() * p.path().length()).boxed()
        .sorted((x, y) -> Double.compare(y, x)).skip(2).findFirst().orElseThrow();
    Map<String, PathRecord> byId = paths.stream().collect(Collectors.toMap(p -> p.path().id(), p -> p));
    assertThat(plan.draws()).isEqualTo(3);
    assertThat(plan.scenarios()).allSatisfy(s -> {
      PathRecord path = byId.get(s.pathId());
      assertThat(path.weight() * path.path().length()).isGreaterThanOrEqualTo(third);
    });
  }

  @Test
  void everyGuardOnTheTakenEdgesHoldsForEverySeed() throws Exception {
    for (Workflow workflow : List.of(Fixtures.retryLoop(), Fixtures.load("support-desk.yaml"),
        Fixtures.load("imported-flow.yaml"), narrowRange())) {
      List<PathRecord> paths = Fixtures.catalog(workflow).paths();
      int checked = 0;
      for (long seed = 0; seed < PROPERTY_SEEDS; seed++) {
        ScenarioPlan plan = new ScenarioPlanner(workflow, ScenarioConfig.perPath(2, seed)).plan(paths);
        assertThat(plan.rejected()).as(workflow.id()).isEmpty();
        for (Scenario scenario : plan.scenarios()) {
          Route route = Route.of(workflow, scenario.nodes());
          for (int i = 0; i + 1 < route.size(); i++) {
            Guard guard = route.edge(i).guard();
            if (guard != null) {
              assertThat(guard.test(scenario.slots().get(guard.slot())))
                  .as("%s on %s with %s", guard, scenario.pathId(), scenario.slots()).isTrue();
              checked++;
            }
          }
        }
      }
      if (!workflow.id().equals("imported-flow") || checked > 0) {
        assertThat(checked).as(workflow.id()).isPositive();
      }
    }
  }

  @Test
  void numberRangesGiveIntegersWithinBounds() throws Exception {
    Workflow workflow = Fixtures.retryLoop();
    List<Scenario> scenarios = new ScenarioPlanner(workflow, ScenarioConfig.perPath(20, SEED))
        .plan(Fixtures.catalog(workflow).paths()).scenarios();

    assertThat(scenarios).allSatisfy(s -> assertThat(s.slots().get("amount")).matches("[0-9]+")
        .satisfies(v -> assertThat(Integer.parseInt(v)).isBetween(5, 500)));
  }

  @Test
  void branchesNotTakenAreAvoidedWhenTheValuesAllowIt() throws Exception {
    // retry-loop escalates when amount > 100; a path that ends refunded should not look like one that escalates.
    Workflow workflow = Fixtures.retryLoop();
    List<Scenario> refunded = new ScenarioPlanner(workflow, ScenarioConfig.perPath(10, SEED))
        .plan(Fixtures.catalog(workflow).paths()).scenarios().stream()
        .filter(s -> s.nodes().get(s.nodes().size() - 1).equals("refunded"))
        .filter(s -> !s.nodes().contains("escalated"))
        .toList();

    assertThat(refunded).isNotEmpty().allSatisfy(s -> assertThat(Integer.parseInt(s.slots().get("amount")))
        .isLessThanOrEqualTo(100));
  }

  @Test
  void aGuardNearTheEdgeOfAWideRangeNeedsNoLuck() {
    Workflow workflow = narrowRange();
    List<Scenario> scenarios = new ScenarioPlanner(workflow, ScenarioConfig.perPath(50, SEED))
        .plan(Fixtures.catalog(workflow).paths()).scenarios();

    Set<String> big = new HashSet<>();
    scenarios.stream().filter(s -> s.nodes().contains("huge")).forEach(s -> big.add(s.slots().get("amount")));
    assertThat(big).isNotEmpty().allSatisfy(v -> assertThat(Long.parseLong(v)).isGreaterThan(999_998));
  }

  @Test
  void contradictoryGuardsAreRejectedWithTheirReason() {
    Workflow workflow = guardedLoop();
    // Enumeration already drops the path that goes big, loops back and goes small (travellers > 6 and <= 6 at once);
    // a path that arrives from elsewhere is still refused with its reason, never drawn wrong.
    List<String> contradiction = List.of("ask", "hub", "big", "hub", "small", "done");
    assertThat(Fixtures.catalog(workflow).paths()).noneMatch(r -> r.path().nodes().equals(contradiction));
    PathRecord record = new PathRecord(new WorkflowPath("contradiction", contradiction, List.of(
        new HubChoice("hub", "big", "a group"), new HubChoice("hub", "small", "a few"))), 0, 1.0, PathSplit.TRAIN);

    ScenarioPlan plan = new ScenarioPlanner(workflow, ScenarioConfig.perPath(2, SEED)).plan(List.of(record));

    assertThat(plan.rejected()).hasSize(2);
    assertThat(plan.rejected()).allSatisfy(r -> assertThat(r.reason())
        .startsWith("Cannot draw slot 'travellers': no value of its pool")
        .contains("travellers gt 6").contains("travellers le 6").contains(r.pathId()));
    assertThat(plan.scenarios()).isEmpty();
    assertThat(plan.draws()).isEqualTo(2);
  }

  @Test
  void aPersonaNamedLikeAStyleBringsThatStyle() throws Exception {
    Workflow workflow = Fixtures.load("support-desk.yaml");
    List<Scenario> scenarios = new ScenarioPlanner(workflow, ScenarioConfig.perPath(10, SEED))
        .plan(Fixtures.catalog(workflow).paths()).scenarios();

    assertThat(scenarios).allSatisfy(s -> {
      assertThat(workflow.personas()).contains(s.persona());
      assertThat(ScenarioPlanner.STYLES).containsAll(s.styles());
      assertThat(s.styles()).doesNotHaveDuplicates();
      assertThat(s.styles().contains("terse") && s.styles().contains("chatty")).isFalse();
      if (ScenarioPlanner.STYLES.contains(s.persona())) {
        assertThat(s.styles()).contains(s.persona());
      }
    });
    assertThat(scenarios.stream().flatMap(s -> s.styles().stream()).distinct())
        .containsExactlyInAnyOrderElementsOf(ScenarioPlanner.STYLES);
  }

  @Test
  void aWorkflowWithoutPersonasUsesTheDefaults() throws Exception {
    Workflow workflow = Fixtures.retryLoop();
    List<Scenario> scenarios = new ScenarioPlanner(workflow, ScenarioConfig.perPath(5, SEED))
        .plan(Fixtures.catalog(workflow).paths()).scenarios();

    assertThat(scenarios).allSatisfy(s -> assertThat(ScenarioPlanner.DEFAULT_PERSONAS).contains(s.persona()));
  }

  @Test
  void aConfigTakesExactlyOneCount() {
    assertThatThrownBy(() -> new ScenarioConfig(2, 10, SEED)).isInstanceOf(IllegalArgumentException.class)
        .hasMessage("Invalid scenario count: perPath=2, total=10 (give exactly one of them, above 0)");
    assertThatThrownBy(() -> new ScenarioConfig(0, 0, SEED)).isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("Invalid scenario count: perPath=0, total=0");
    assertThatThrownBy(() -> ScenarioConfig.perPath(-1, SEED)).isInstanceOf(IllegalArgumentException.class)
        .hasMessage("Invalid perPath: -1 (expected 0 or more)");
  }

  @Test
  void trainingScenarioIdsAndSeedsAreDerivedAsBeforeShares() throws Exception {
    Workflow workflow = Fixtures.load("support-desk.yaml");
    PathRecord path = Fixtures.catalog(workflow).paths().get(0);

    Scenario scenario = new ScenarioPlanner(workflow, ScenarioConfig.perPath(1, SEED)).draw(path, 3).scenario();

    String[] parts = {Long.toString(SEED), workflow.id(), path.path().id(), "3"};
    assertThat(scenario.scenarioId()).isEqualTo(StableIds.id(prepend("scenario", parts)));
    assertThat(scenario.seed()).isEqualTo(StableIds.seed(prepend("scenario-seed", parts)));
  }

  @Test
  void heldOutValuesAreDrawnInScenariosOfTheirOwn() throws Exception {
    Workflow travel = Fixtures.bundled("travel-booking.yaml");
    List<PathRecord> paths = Fixtures.catalog(travel).paths();
    ScenarioConfig training = ScenarioConfig.perPath(2, SEED);

    List<Scenario> seen = new ScenarioPlanner(travel, training).plan(paths).scenarios();
    ScenarioPlan unseen = new ScenarioPlanner(travel, training.withValues(ValueShare.HELDOUT)).plan(paths);

    assertThat(unseen.rejected()).isEmpty();
    assertThat(unseen.config().values()).isEqualTo(ValueShare.HELDOUT);
    assertThat(unseen.scenarios()).hasSameSizeAs(seen);
    assertThat(unseen.scenarios().stream().map(Scenario::scenarioId))
        .doesNotContainAnyElementsOf(seen.stream().map(Scenario::scenarioId).toList());
    ValuePool names = ValuePools.forSlot(travel.slots().get("traveller_name"));
    ValuePool places = ValuePools.forSlot(travel.slots().get("destination"));
    assertThat(unseen.scenarios()).allSatisfy(s -> {
      assertThat(names.admits(ValueShare.HELDOUT, s.slots().get("traveller_name"))).isTrue();
      assertThat(places.admits(ValueShare.HELDOUT, s.slots().get("destination"))).isTrue();
    });
    assertThat(seen).allSatisfy(s -> assertThat(names.shareOf(s.slots().get("traveller_name")))
        .isEqualTo(ValueShare.TRAINING));
    assertThat(new ScenarioPlanner(travel, training.withValues(ValueShare.HELDOUT)).plan(paths)).isEqualTo(unseen);
  }

  @Test
  void aConfigDrawsTrainingValuesUnlessToldOtherwiseAndSurvivesSerialization() throws Exception {
    ScenarioConfig config = ScenarioConfig.total(100, SEED);
    ScenarioConfig heldOut = config.withValues(ValueShare.HELDOUT);

    assertThat(config.values()).isEqualTo(ValueShare.TRAINING);
    assertThat(new ScenarioConfig(3, 0, SEED).values()).isEqualTo(ValueShare.TRAINING);
    assertThat(heldOut).isEqualTo(new ScenarioConfig(0, 100, SEED, ValueShare.HELDOUT));
    java.io.ByteArrayOutputStream bytes = new java.io.ByteArrayOutputStream();
    try (java.io.ObjectOutputStream out = new java.io.ObjectOutputStream(bytes)) {
      out.writeObject(heldOut);
    }
    try (java.io.ObjectInputStream in =
        new java.io.ObjectInputStream(new java.io.ByteArrayInputStream(bytes.toByteArray()))) {
      assertThat(in.readObject()).isEqualTo(heldOut);
    }
    assertThatThrownBy(() -> config.withValues(null)).isInstanceOf(IllegalArgumentException.class)
        .hasMessage("Invalid values: null (expected TRAINING or HELDOUT)");
  }

  private static String[] prepend(String first, String[] rest) {
    String[] all = new String[rest.length + 1];
    all[0] = first;
    System.arraycopy(rest, 0, all, 1, rest.length);
    return all;
  }

  /** A hub that sends a wide number range one way only near its top. */
  static Workflow narrowRange() {
    Workflow workflow = new Workflow("narrow-range", null, null, "ask", List.of(),
        Map.of("amount", Slot.range("an amount", 1, 1_000_000)), List.of(), List.of(
            Node.user("ask", null, List.of("It is {amount}."), List.of(Edge.to("hub"))),
            Node.decision("hub", null, List.of(
                new Edge("huge", "the amount is almost the maximum", null,
                    new Guard("amount", Guard.Op.GT, "999998", null)),
                new Edge("normal", "any other amount", null, new Guard("amount", Guard.Op.LE, "999998", null)))),
            Node.agent("huge", null, List.of("That is a lot: {amount}."), List.of(Edge.to("done"))),
            Node.agent("normal", null, List.of("Noted: {amount}."), List.of(Edge.to("done"))),
            Node.terminal("done", TerminalOutcome.SUCCESS)));
    assertThat(WorkflowValidator.validate(workflow)).isEmpty();
    return workflow;
  }

  /** A guarded hub inside a loop: one path takes both of its branches, which no single value allows. */
  static Workflow guardedLoop() {
    Workflow workflow = new Workflow("guarded-loop", null, null, "ask", List.of(),
        Map.of("travellers", Slot.pool(SlotType.NUMBER, null, List.of("2", "4", "8"))), List.of(), List.of(
            Node.user("ask", null, List.of("We are {travellers}."), List.of(Edge.to("hub"))),
            Node.decision("hub", null, List.of(
                new Edge("big", "a group", null, new Guard("travellers", Guard.Op.GT, "6", null)),
                new Edge("small", "a few", null, new Guard("travellers", Guard.Op.LE, "6", null)))),
            Node.agent("big", null, List.of("Groups go to the desk."), List.of(Edge.to("hub"))),
            Node.agent("small", null, List.of("Searching."), List.of(Edge.to("done"))),
            Node.terminal("done", TerminalOutcome.SUCCESS)));
    assertThat(WorkflowValidator.validate(workflow)).isEmpty();
    return workflow;
  }
}

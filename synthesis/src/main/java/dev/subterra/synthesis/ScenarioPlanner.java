package dev.subterra.synthesis;

import dev.subterra.synthesis.values.ValueShare;
import dev.subterra.workflow.Edge;
import dev.subterra.workflow.Guard;
import dev.subterra.workflow.Node;
import dev.subterra.workflow.NodeKind;
import dev.subterra.workflow.Workflow;
import dev.subterra.workflow.paths.PathRecord;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * Plans the scenarios of a workflow's paths: how many each path gets, and for each one a seed, a persona, styles and a
 * value for every slot that agrees with the guards on the edges the path takes.
 *
 * <p>Every scenario is drawn from its own seed, derived from the configuration seed, the path id and the scenario's
 * index on the path, so a scenario does not change when other paths are added, removed or planned on another
 * executor. Its id is a hash of the same inputs. A scenario inherits its path's split, held-out included: held-out
 * paths never yield training scenarios.
 *
 * <p>Open slots with a generator draw from the configuration's {@link ValueShare} (see {@link SlotSampler}). Held-out
 * values are a separate draw: their seeds and ids also hash the share, so they differ from the training scenarios of
 * the same seed, path and index, while training seeds and ids are what they were before shares existed.
 *
 * <p>Personas come from the workflow's {@code personas}, or {@link #DEFAULT_PERSONAS} when it has none. A persona that
 * is also the name of a style (travel-booking lists {@code terse} as a persona) always brings that style. Other styles
 * are drawn from {@link #STYLES}: none, one or two, never both {@code terse} and {@code chatty}.
 */
public final class ScenarioPlanner {
  /** The user styles the template teacher acts out. */
  public static final List<String> STYLES =
      List.of("terse", "chatty", "confused", "impatient", "makes_typos", "corrects_answer", "off_topic");
  /** Personas for workflows that name none. */
  public static final List<String> DEFAULT_PERSONAS =
      List.of("first_time_customer", "returning_customer", "busy_professional", "non_native_speaker", "cautious");
  /** Rejection draws per range slot before a scenario is rejected; ordering guards are met without any. */
  public static final int MAX_DRAWS = 1_000;
  /** Chances of drawing no, one or two extra styles. */
  private static final double[] STYLE_COUNT_ODDS = {0.25, 0.50, 0.25};

  private final Workflow workflow;
  private final ScenarioConfig config;
  private final SlotSampler sampler;
  private final List<String> personas;

  public ScenarioPlanner(Workflow workflow, ScenarioConfig config) {
    this.workflow = workflow;
    this.config = config;
    this.sampler = new SlotSampler(workflow.slots(), MAX_DRAWS, config.values());
    this.personas = workflow.personas().isEmpty() ? DEFAULT_PERSONAS : workflow.personas();
  }

  /** Every scenario of the paths, in path order then index order, with the draws that failed. */
  public ScenarioPlan plan(List<PathRecord> paths) {
    List<Scenario> scenarios = new ArrayList<>();
    List<ScenarioRejection> rejected = new ArrayList<>();
    Map<String, Integer> counts = allocate(paths);
    for (PathRecord path : paths) {
      int n = counts.getOrDefault(path.path().id(), 0);
      for (int index = 0; index < n; index++) {
        ScenarioDraw draw = draw(path, index);
        if (draw.accepted()) {
          scenarios.add(draw.scenario());
        } else {
          rejected.add(draw.rejection());
        }
      }
    }
    return new ScenarioPlan(config, scenarios, rejected);
  }

  /**
   * How many scenarios each path gets, by path id in the given order.
   *
   * <p>With {@code perPath}, every path gets that many. With a {@code total}, every path gets one first (or, when the
   * total is smaller than the number of paths, the heaviest paths get one each), and the rest is shared in proportion
   * to {@code weight * length} by largest remainders: rare paths (high weight: the only way through some edge) and long
   * paths (more turns, more to learn) get more. Ties go to the earlier path, so the allocation is deterministic.
   */
  public Map<String, Integer> allocate(List<PathRecord> paths) {
    Map<String, Integer> counts = new LinkedHashMap<>();
    if (config.perPath() > 0) {
      paths.forEach(p -> counts.put(p.path().id(), config.perPath()));
      return counts;
    }
    int n = paths.size();
    double[] score = new double[n];
    double sum = 0;
    for (int i = 0; i < n; i++) {
      score[i] = paths.get(i).weight() * paths.get(i).path().length();
      sum += score[i];
    }
    int[] given = new int[n];
    List<Integer> order = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      order.add(i);
    }
    if (config.total() < n) {
      order.sort(Comparator.comparingDouble((Integer i) -> -score[i]).thenComparingInt(i -> i));
      for (int k = 0; k < config.total(); k++) {
        given[order.get(k)] = 1;
      }
    } else {
      long rest = config.total() - n;
      double[] remainder = new double[n];
      long handed = 0;
      for (int i = 0; i < n; i++) {
        double exact = sum > 0 ? rest * score[i] / sum : (double) rest / n;
        given[i] = 1 + (int) Math.floor(exact);
        remainder[i] = exact - Math.floor(exact);
        handed += given[i] - 1;
      }
      order.sort(Comparator.comparingDouble((Integer i) -> -remainder[i]).thenComparingInt(i -> i));
      for (int k = 0; k < rest - handed; k++) {
        given[order.get(k % n)]++;
      }
    }
    for (int i = 0; i < n; i++) {
      counts.put(paths.get(i).path().id(), given[i]);
    }
    return counts;
  }

  /** The {@code index}-th scenario of a path, or the reason it cannot be drawn. */
  public ScenarioDraw draw(PathRecord record, int index) {
    String pathId = record.path().id();
    long seed = StableIds.seed(parts("scenario-seed", pathId, index));
    String scenarioId = StableIds.id(parts("scenario", pathId, index));
    SplittableRandom random = new SplittableRandom(seed);
    String persona = personas.get(random.nextInt(personas.size()));
    List<String> styles = drawStyles(persona, random);
    Route route;
    try {
      route = Route.of(workflow, record.path().nodes());
    } catch (IllegalArgumentException e) {
      return ScenarioDraw.rejected(new ScenarioRejection(scenarioId, workflow.id(), pathId, seed, record.split(),
          e.getMessage()));
    }
    List<Guard> required = new ArrayList<>();
    List<Guard> avoided = new ArrayList<>();
    for (int i = 0; i + 1 < route.size(); i++) {
      Edge taken = route.edge(i);
      if (taken.guard() != null) {
        required.add(taken.guard());
      }
      for (Edge other : route.siblings(i)) {
        if (other.guard() != null) {
          avoided.add(other.guard());
        }
      }
    }
    Map<String, String> slots;
    try {
      slots = sampler.draw(required, avoided, random);
    } catch (SlotSampler.Unsatisfiable e) {
      return ScenarioDraw.rejected(new ScenarioRejection(scenarioId, workflow.id(), pathId, seed, record.split(),
          e.getMessage() + " on path " + pathId));
    }
    Map<String, String> revisions = new LinkedHashMap<>();
    int revisedAt = -1;
    if (config.refinements()) {
      revisedAt = refinementStep(route);
      try {
        if (revisedAt >= 0 && random.nextDouble() < REFINE) {
          revise(route.node(revisedAt), slots, required, avoided, random, revisions);
        }
      } catch (SlotSampler.Unsatisfiable e) {
        revisions.clear();
      }
      revisedAt = revisions.isEmpty() ? -1 : revisedAt;
    }
    return ScenarioDraw.of(new Scenario(scenarioId, workflow.id(), pathId, record.path().nodes(), seed, persona,
        styles, slots, record.split(), revisions, revisedAt));
  }

  /** What a scenario's seed and id hash; the share only when held out, so that training ones stay as they were. */
  private String[] parts(String kind, String pathId, int index) {
    List<String> parts = new ArrayList<>(List.of(kind, Long.toString(config.seed()), workflow.id(), pathId,
        Integer.toString(index)));
    if (config.values() == ValueShare.HELDOUT) {
      parts.add("values=heldout");
    }
    return parts.toArray(new String[0]);
  }

  /** Chance that a path that comes back to a user node has the user change values there. */
  static final double REFINE = 0.7;
  /** Chance that a refinement changes two values rather than one. */
  static final double TWO_CHANGES = 0.3;

  /** The step at which a route first comes back to a user node it has visited, or -1. */
  private static int refinementStep(Route route) {
    java.util.Set<String> seen = new java.util.HashSet<>();
    for (int i = 0; i < route.size(); i++) {
      Node node = route.node(i);
      if (node.kind() == NodeKind.USER && !seen.add(node.id())) {
        return i;
      }
    }
    return -1;
  }

  /**
   * One or two values the user changes at a user node it comes back to: among the values its templates state and no
   * tool returns, each drawn again under the path's guards.
   */
  private void revise(Node node, Map<String, String> slots, List<Guard> required, List<Guard> avoided,
      SplittableRandom random, Map<String, String> revisions) throws SlotSampler.Unsatisfiable {
    java.util.Set<String> returned = new java.util.HashSet<>();
    workflow.nodes().stream().filter(n -> n.tool() != null).forEach(n -> returned.addAll(n.tool().returns()));
    List<String> stated = new ArrayList<>();
    for (String template : node.templates()) {
      java.util.regex.Matcher m = java.util.regex.Pattern.compile("\\{([^{}]*)}").matcher(template);
      while (m.find()) {
        String slot = m.group(1).trim();
        if (slots.containsKey(slot) && !returned.contains(slot) && !stated.contains(slot)) {
          stated.add(slot);
        }
      }
    }
    int changes = Math.min(stated.size(), random.nextDouble() < TWO_CHANGES ? 2 : 1);
    for (int k = 0; k < changes; k++) {
      String slot = stated.remove(random.nextInt(stated.size()));
      String value = sampler.drawAgain(slot, slots.get(slot), required, avoided, slots, random);
      if (value != null) {
        revisions.put(slot, value);
      }
    }
  }

  private static List<String> drawStyles(String persona, SplittableRandom random) {
    List<String> styles = new ArrayList<>();
    if (STYLES.contains(persona)) {
      styles.add(persona);
    }
    double u = random.nextDouble();
    int extra = 0;
    for (double odds = STYLE_COUNT_ODDS[0]; u >= odds && extra + 1 < STYLE_COUNT_ODDS.length; ) {
      extra++;
      odds += STYLE_COUNT_ODDS[extra];
    }
    for (int k = 0; k < extra; k++) {
      String style = STYLES.get(random.nextInt(STYLES.size()));
      boolean clashes = (style.equals("terse") && styles.contains("chatty"))
          || (style.equals("chatty") && styles.contains("terse"));
      if (!styles.contains(style) && !clashes) {
        styles.add(style);
      }
    }
    // Declared order, so two scenarios with the same styles list them the same way.
    styles.sort(Comparator.comparingInt(STYLES::indexOf));
    return styles;
  }
}

package dev.subterra.jobs.nightly;

import com.fasterxml.jackson.annotation.JsonProperty;
import dev.subterra.jobs.compile.CompileOptions;
import dev.subterra.jobs.compile.CompileProfile;
import dev.subterra.jobs.synthesize.TeacherSpec;
import dev.subterra.workflow.InvalidWorkflowException;
import dev.subterra.workflow.WorkflowLoader;
import dev.subterra.workflow.WorkflowProblem;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Set;

/**
 * What {@code subterra nightly} does: which workflows to compile and with what options, where the registry and the run
 * directories are, the promotion gate, and when to compile (only on a change, or always).
 *
 * <p>The file is YAML or JSON, read strictly: an unknown field, a value of the wrong type or out of range, or a gate
 * without {@code heldout_path_fidelity} and {@code node_accuracy} is reported as {@code file:line:column: message},
 * every problem on its own line, before any work starts. Relative paths are resolved against the directory of the
 * configuration file, so that a scheduler may start the command from anywhere. See {@code jobs/configs/nightly.yaml}.
 *
 * <p>Defaults: {@code runs} is {@code runs/} beside the registry; {@code policy} is {@code on-change}; a workflow's
 * {@code preset} is {@code small}, {@code per-path} 10, {@code eval-scenarios} 100, {@code epochs} the trainer's
 * (with early stopping); with a {@code profile} ({@code quick}, {@code default} or {@code full}, see
 * {@link CompileProfile}) the keys not written take the profile's values instead. A workflow's {@code seed} has no
 * default: seeds are explicit.
 */
public record NightlyConfig(Path source, Path registry, Path runs, Policy policy, PromotionGate gate,
    List<Entry> workflows) {

  /** The metrics every gate must check: the minimum. */
  public static final List<String> REQUIRED_METRICS = List.of("heldout_path_fidelity", "node_accuracy");

  /** When a workflow is compiled. */
  public enum Policy {
    /** Only when its content or its compile options differ from the promoted model's. */
    ON_CHANGE,
    /** Every night, whatever changed; the gate still decides. */
    ALWAYS;

    public String wireName() {
      return name().toLowerCase(Locale.ROOT).replace('_', '-');
    }
  }

  /** One workflow to compile: its file and the options of its compilation. */
  public record Entry(Path path, CompileOptions options) {
    public Entry {
      Objects.requireNonNull(path, "path");
      Objects.requireNonNull(options, "options");
    }
  }

  public NightlyConfig {
    Objects.requireNonNull(source, "source");
    Objects.requireNonNull(registry, "registry");
    Objects.requireNonNull(runs, "runs");
    Objects.requireNonNull(policy, "policy");
    Objects.requireNonNull(gate, "gate");
    workflows = List.copyOf(workflows);
    if (workflows.isEmpty()) {
      throw new IllegalArgumentException("Invalid workflows: none to compile");
    }
  }

  /** Reads and validates a configuration file; every problem is one located line of the exception. */
  public static NightlyConfig load(Path file) throws InvalidNightlyConfigException {
    String source = file.toString();
    WorkflowLoader.Located<Configuration> document;
    try {
      byte[] bytes = WorkflowLoader.readFile(file);
      document = WorkflowLoader.bind(source, bytes, WorkflowLoader.formatOf(file.getFileName().toString(), bytes),
          Configuration.class, "a nightly configuration must be a mapping with registry, gate and workflows");
    } catch (InvalidWorkflowException e) {
      throw new InvalidNightlyConfigException(source, e.problems());
    }
    List<WorkflowProblem> problems = new ArrayList<>();
    Path base = file.toAbsolutePath().getParent();
    NightlyConfig config = validate(document.value(), file, base, problems);
    List<WorkflowProblem> later = document.unlessRejected(problems);
    if (document.hasProblems() || !later.isEmpty()) {
      try {
        throw document.failure(later);
      } catch (InvalidWorkflowException e) {
        throw new InvalidNightlyConfigException(source, e.problems());
      }
    }
    return config;
  }

  private static NightlyConfig validate(Configuration doc, Path file, Path base, List<WorkflowProblem> problems) {
    Path registry = localPath(doc.registry(), "/registry", "registry", base, problems, true);
    Path runs = localPath(doc.runs(), "/runs", "runs", base, problems, false);
    if (runs == null && registry != null) {
      runs = registry.resolveSibling("runs");
    }
    Policy policy = Policy.ON_CHANGE;
    if (doc.policy() != null) {
      policy = switch (doc.policy()) {
        case "on-change" -> Policy.ON_CHANGE;
        case "always" -> Policy.ALWAYS;
        default -> {
          problems.add(new WorkflowProblem("/policy", "invalid policy '" + doc.policy()
              + "': expected on-change or always"));
          yield null;
        }
      };
    }
    PromotionGate gate = gate(doc.gate(), problems);
    List<Entry> entries = new ArrayList<>();
    if (doc.workflows() == null || doc.workflows().isEmpty()) {
      problems.add(new WorkflowProblem(doc.workflows() == null ? "" : "/workflows",
          "workflows: give at least one workflow to compile"));
    } else {
      for (int i = 0; i < doc.workflows().size(); i++) {
        Entry entry = entry(doc.workflows().get(i), "/workflows/" + i, base, problems);
        if (entry != null) {
          entries.add(entry);
        }
      }
    }
    if (!problems.isEmpty() || registry == null || policy == null || gate == null || entries.isEmpty()) {
      return null;
    }
    return new NightlyConfig(file, registry, runs, policy, gate, entries);
  }

  private static Path localPath(String value, String pointer, String field, Path base, List<WorkflowProblem> problems,
      boolean required) {
    if (value == null || value.isBlank()) {
      if (required) {
        problems.add(new WorkflowProblem(pointer.equals("/registry") ? "" : pointer, field
            + ": give a directory (relative paths are resolved against this file's directory)"));
      }
      return null;
    }
    if (value.contains("://")) {
      // The promoted pointer is replaced by an atomic rename, which object stores do not have.
      problems.add(new WorkflowProblem(pointer, "invalid " + field + " '" + value
          + "': a local directory or a shared mount, not a URL (the promoted pointer needs an atomic rename)"));
      return null;
    }
    return base.resolve(value).normalize();
  }

  private static PromotionGate gate(Gate doc, List<WorkflowProblem> problems) {
    if (doc == null || doc.metrics() == null || doc.metrics().isEmpty()) {
      problems.add(new WorkflowProblem(doc == null ? "" : "/gate", "gate: give metrics, at least "
          + String.join(" and ", REQUIRED_METRICS)));
      return null;
    }
    List<GateMetric> metrics = new ArrayList<>();
    Set<String> seen = new HashSet<>();
    boolean ok = true;
    for (int i = 0; i < doc.metrics().size(); i++) {
      String at = "/gate/metrics/" + i;
      Metric m = doc.metrics().get(i);
      if (m == null) {
        ok = false;
        continue;
      }
      if (m.metric() == null) {
        problems.add(new WorkflowProblem(at, "gate metric: give its name in 'metric' (one of "
            + String.join(", ", GateMetric.KNOWN.keySet()) + ")"));
        ok = false;
        continue;
      }
      GateMetric.Direction natural = GateMetric.KNOWN.get(m.metric());
      if (natural == null) {
        problems.add(new WorkflowProblem(at + "/metric", "invalid metric '" + m.metric() + "': expected one of "
            + String.join(", ", GateMetric.KNOWN.keySet())));
        ok = false;
        continue;
      }
      if (!seen.add(m.metric())) {
        problems.add(new WorkflowProblem(at + "/metric", "metric '" + m.metric() + "' is listed twice"));
        ok = false;
      }
      if (m.direction() != null && !m.direction().equals(natural.wireName())) {
        problems.add(new WorkflowProblem(at + "/direction", "invalid direction '" + m.direction() + "' for "
            + m.metric() + ": it is better " + natural.wireName()));
        ok = false;
      }
      if (m.tolerance() == null) {
        problems.add(new WorkflowProblem(at, "gate metric " + m.metric()
            + ": give a tolerance (how much worse than the promoted model it may be, in its own units; 0 for none)"));
        ok = false;
      } else if (!(m.tolerance() >= 0) || !Double.isFinite(m.tolerance())) {
        problems.add(new WorkflowProblem(at + "/tolerance", "invalid tolerance " + m.tolerance() + " for "
            + m.metric() + ": expected a number >= 0"));
        ok = false;
      }
      Double bound = natural == GateMetric.Direction.HIGHER ? m.floor() : m.ceiling();
      Double wrong = natural == GateMetric.Direction.HIGHER ? m.ceiling() : m.floor();
      if (wrong != null) {
        String field = natural == GateMetric.Direction.HIGHER ? "ceiling" : "floor";
        problems.add(new WorkflowProblem(at + "/" + field, m.metric() + " is better " + natural.wireName()
            + ": give it a " + (natural == GateMetric.Direction.HIGHER ? "floor" : "ceiling") + ", not a " + field));
        ok = false;
      }
      if (bound != null && !Double.isFinite(bound)) {
        problems.add(new WorkflowProblem(at, "invalid bound " + bound + " for " + m.metric()));
        ok = false;
      }
      if (ok) {
        metrics.add(new GateMetric(m.metric(), natural, m.tolerance(), bound));
      }
    }
    for (String required : REQUIRED_METRICS) {
      if (!seen.contains(required)) {
        problems.add(new WorkflowProblem("/gate/metrics", "gate metrics must include " + required
            + " (the gate checks at least " + String.join(" and ", REQUIRED_METRICS) + ")"));
        ok = false;
      }
    }
    return ok ? new PromotionGate(metrics) : null;
  }

  private static Entry entry(WorkflowEntry w, String at, Path base, List<WorkflowProblem> problems) {
    if (w == null) {
      return null;
    }
    int before = problems.size();
    if (w.path() == null || w.path().isBlank()) {
      problems.add(new WorkflowProblem(at, "workflow: give its file in 'path'"));
    }
    // A profile gives the defaults of the keys not written (CompileProfile decides the precedence, as for compile);
    // without one, the defaults are this file's own, so that existing configurations keep their fingerprints.
    CompileProfile profile = null;
    if (w.profile() != null) {
      if (CompileProfile.names().contains(w.profile())) {
        profile = CompileProfile.named(w.profile());
      } else {
        problems.add(new WorkflowProblem(at + "/profile", "invalid profile '" + w.profile() + "': expected "
            + String.join(", ", CompileProfile.names())));
      }
    }
    String preset = w.preset() != null ? w.preset() : profile != null ? profile.preset() : "small";
    if (!List.of("tiny", "small", "base").contains(preset)) {
      problems.add(new WorkflowProblem(at + "/preset", "invalid preset '" + preset + "': expected tiny, small or base"));
    }
    int perPath = atLeastOne(w.perPath(), profile != null ? profile.perPath() : 10, at + "/per-path", "per-path",
        problems);
    int evalScenarios = atLeastOne(w.evalScenarios(), profile != null ? profile.evalScenarios() : 100,
        at + "/eval-scenarios", "eval-scenarios", problems);
    if (w.epochs() != null) {
      atLeastOne(w.epochs(), 1, at + "/epochs", "epochs", problems);
    }
    Integer epochs = w.epochs() != null ? w.epochs() : profile != null ? Integer.valueOf(profile.epochs()) : null;
    if (w.seed() == null) {
      problems.add(new WorkflowProblem(at, "workflow " + (w.path() == null ? "" : w.path() + " ")
          + "has no seed: give one (seeds are explicit, so that a compilation can be repeated)"));
    }
    if (problems.size() > before) {
      return null;
    }
    CompileOptions options = profile != null
        ? profile.resolve(preset, perPath, epochs, evalScenarios, TeacherSpec.template(), w.seed())
        : new CompileOptions(preset, perPath, epochs, evalScenarios, TeacherSpec.template(), w.seed());
    return new Entry(base.resolve(w.path()).normalize(), options);
  }

  private static int atLeastOne(Integer value, int fallback, String pointer, String field,
      List<WorkflowProblem> problems) {
    if (value == null) {
      return fallback;
    }
    if (value < 1) {
      problems.add(new WorkflowProblem(pointer, "invalid " + field + " " + value + ": expected at least 1"));
    }
    return value;
  }

  /** The file as written, before validation. */
  record Configuration(String registry, String runs, String policy, Gate gate, List<WorkflowEntry> workflows) {}

  record Gate(List<Metric> metrics) {}

  record Metric(String metric, String direction, Double tolerance, Double floor, Double ceiling) {}

  record WorkflowEntry(String path, String profile, String preset, @JsonProperty("per-path") Integer perPath,
      Integer epochs,
      @JsonProperty("eval-scenarios") Integer evalScenarios, Long seed) {}
}

package dev.subterra.jobs.compile;

import dev.subterra.jobs.synthesize.TeacherSpec;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * A named size of compilation: the student preset, the training scenarios per path, the epochs and the evaluation
 * scenarios, chosen together so that a workflow compiles at that size with one flag ({@code subterra compile
 * --profile full}).
 *
 * <p><b>Precedence</b>, decided here and nowhere else: an option given explicitly (on the command line) wins; any
 * option not given takes the profile's value; with no profile, the {@link #DEFAULT} profile's. The teacher and the seed
 * are not part of a profile: they are always the caller's.
 *
 * <p>The profiles:
 *
 * <ul>
 *   <li>{@code quick}: the tiny student, 2 scenarios per path, 1 epoch, 20 evaluation scenarios. A smoke test of the
 *       whole pipeline in minutes (travel-booking: 3 on a loaded 2-core machine); the student learns nothing useful.
 *   <li>{@code default}: the small student (256 tokens), 10 scenarios per path, 3 epochs, 100 evaluation scenarios.
 *       Sized so that travel-booking (85 paths) compiles in under ten minutes on two cores.
 *   <li>{@code full}: a workflow at full size, such as insurance-claims (2,166 paths; its template dialogues are about
 *       1,000 of the student's tokens, the longest 1,600). Every path is covered: 10 training scenarios on each
 *       training path as by default, and evaluation on one fresh scenario of every path
 *       ({@link CompileOptions#EVERY_PATH}) instead of the first 100 by id, so held-out and rare paths are all scored.
 *       The base student (6 layers, width 384, 12.4M parameters, 512 tokens): a training window keeps a claim's
 *       opening and then its most recent turns, so twice the context gives each agent turn twice the conversation
 *       before it (a claim is cut into four windows instead of nine).
 *       3 epochs: with 25 times travel-booking's dialogues an epoch is already some 2,100 steps of 32 windows, and
 *       early stopping on validation next-tag accuracy ends training sooner if it has settled. About 100M training
 *       tokens for insurance-claims: meant for a GPU driver, days on two CPU cores ({@code --dry-run} prints the
 *       workload first; {@code --profile full --preset small} is the CPU-sized variant, hours on two cores).
 * </ul>
 *
 * @param name the profile's name, as {@code --profile} takes it
 * @param preset the student preset ({@code tiny}, {@code small} or {@code base})
 * @param perPath training scenarios per path
 * @param epochs training epochs (with early stopping)
 * @param evalScenarios fresh evaluation scenarios, one per path, at most this many ({@link CompileOptions#EVERY_PATH}
 *     for all)
 */
public record CompileProfile(String name, String preset, int perPath, int epochs, int evalScenarios) {
  public static final CompileProfile QUICK = new CompileProfile("quick", "tiny", 2, 1, 20);
  public static final CompileProfile DEFAULT = new CompileProfile("default", "small", 10,
      CompileOptions.DEFAULT_EPOCHS, 100);
  public static final CompileProfile FULL = new CompileProfile("full", "base", 10, 3,
      CompileOptions.EVERY_PATH);

  private static final Map<String, CompileProfile> PROFILES = new LinkedHashMap<>();

  static {
    for (CompileProfile p : List.of(QUICK, DEFAULT, FULL)) {
      PROFILES.put(p.name(), p);
    }
  }

  public CompileProfile {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(preset, "preset");
    // The same checks as the options it resolves to, so a bad profile fails where it is defined.
    new CompileOptions(preset, perPath, epochs, evalScenarios, TeacherSpec.template(), 0);
  }

  /** The profile called {@code name}. */
  public static CompileProfile named(String name) {
    CompileProfile profile = PROFILES.get(name);
    if (profile == null) {
      throw new IllegalArgumentException("Invalid profile: " + name + " (expected one of "
          + String.join(", ", PROFILES.keySet()) + ")");
    }
    return profile;
  }

  /** Every profile, by name. */
  public static List<String> names() {
    return List.copyOf(PROFILES.keySet());
  }

  /**
   * The options of a compile with this profile: each argument that is not null replaces the profile's value.
   *
   * @param presetValue the student preset given explicitly, or null
   * @param perPathValue training scenarios per path given explicitly, or null
   * @param epochsValue epochs given explicitly, or null
   * @param evalScenariosValue evaluation scenarios given explicitly, or null
   */
  public CompileOptions resolve(String presetValue, Integer perPathValue, Integer epochsValue,
      Integer evalScenariosValue, TeacherSpec teacher, long seed) {
    return new CompileOptions(presetValue != null ? presetValue : preset,
        perPathValue != null ? perPathValue : perPath, epochsValue != null ? epochsValue : epochs,
        evalScenariosValue != null ? evalScenariosValue : evalScenarios, teacher, seed);
  }

  /** One line for the plan and the logs: {@code full (base, 10 per path, 3 epochs, every path evaluated)}. */
  public String describe() {
    return name + " (" + preset + ", " + perPath + " per path, " + epochs + " epochs, "
        + (evalScenarios == CompileOptions.EVERY_PATH ? "every path" : "at most " + evalScenarios + " scenarios")
        + " evaluated)";
  }
}

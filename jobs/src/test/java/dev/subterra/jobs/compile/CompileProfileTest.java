package dev.subterra.jobs.compile;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.subterra.jobs.synthesize.TeacherSpec;
import org.junit.jupiter.api.Test;

class CompileProfileTest {
  private static final long SEED = 7;

  @Test
  void aProfileSetsEveryOptionAndEachExplicitOptionOverridesOnlyItself() {
    CompileOptions full = CompileProfile.named("full").resolve(null, null, null, null, TeacherSpec.template(), SEED);
    assertThat(full).isEqualTo(new CompileOptions("base", 10, 3, CompileOptions.EVERY_PATH, TeacherSpec.template(),
        SEED));

    CompileOptions overridden = CompileProfile.named("full").resolve(null, null, 2, 50, TeacherSpec.template(), SEED);
    assertThat(overridden).isEqualTo(new CompileOptions("base", 10, 2, 50, TeacherSpec.template(), SEED));
    assertThat(CompileProfile.named("full").resolve("small", 3, null, null, TeacherSpec.template(), SEED))
        .isEqualTo(new CompileOptions("small", 3, 3, CompileOptions.EVERY_PATH, TeacherSpec.template(), SEED));
  }

  @Test
  void theDefaultProfileIsTheCompileDefaults() {
    assertThat(CompileProfile.DEFAULT.resolve(null, null, null, null, TeacherSpec.template(), SEED))
        .isEqualTo(CompileOptions.defaults(SEED));
    assertThat(CompileOptions.defaults(SEED)).isEqualTo(new CompileOptions("small", 10, CompileOptions.DEFAULT_EPOCHS,
        100, TeacherSpec.template(), SEED));
    assertThat(CompileProfile.names()).containsExactly("quick", "default", "full");
    assertThat(CompileProfile.FULL.describe()).isEqualTo("full (base, 10 per path, 3 epochs, every path evaluated)");
  }

  @Test
  void anUnknownProfileOrABadValueSaysWhat() {
    assertThatThrownBy(() -> CompileProfile.named("huge"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("Invalid profile: huge (expected one of quick, default, full)");
    assertThatThrownBy(() -> CompileProfile.QUICK.resolve(null, 0, null, null, TeacherSpec.template(), SEED))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("Invalid perPath: 0 (at least 1)");
  }
}

package dev.subterra.synthesis;

/** The outcome of drawing one scenario: the scenario, or the reason it could not be drawn. Exactly one is set. */
public record ScenarioDraw(Scenario scenario, ScenarioRejection rejection) {

  public ScenarioDraw {
    if ((scenario == null) == (rejection == null)) {
      throw new IllegalArgumentException("Invalid draw: expected exactly one of scenario and rejection, got "
          + scenario + " and " + rejection);
    }
  }

  public static ScenarioDraw of(Scenario scenario) {
    return new ScenarioDraw(scenario, null);
  }

  public static ScenarioDraw rejected(ScenarioRejection rejection) {
    return new ScenarioDraw(null, rejection);
  }

  public boolean accepted() {
    return scenario != null;
  }
}

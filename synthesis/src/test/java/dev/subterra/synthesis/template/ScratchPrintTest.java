package dev.subterra.synthesis.template;

import dev.subterra.synthesis.*;
import dev.subterra.workflow.*;
import dev.subterra.workflow.paths.*;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

class ScratchPrintTest {
  @Test
  void print() throws Exception {
    String file = System.getProperty("wf", "travel-booking");
    Workflow w = WorkflowLoader.load(Path.of("../workflows/" + file + ".yaml"));
    var catalog = PathCatalog.build(w, EnumerationConfig.withSeed(42), SplitConfig.DEFAULT);
    var scenarios = new ScenarioPlanner(w, ScenarioConfig.perPath(1, 7)).plan(catalog.paths()).scenarios();
    TemplateTeacher t = new TemplateTeacher();
    int n = 0;
    for (Scenario s : scenarios) {
      if (n++ > 14) break;
      Dialogue d = t.write(w, s);
      System.out.println("=== " + s.styles());
      for (Turn turn : d.turns()) {
        if (turn.role() == Role.USER) System.out.println("U: " + turn.text());
        else if (turn.call() != null) System.out.println("C: " + turn.call().arguments());
      }
    }
  }
}

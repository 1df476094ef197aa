package dev.subterra.jobs.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

class SubterraCliTest {
  private static final String VALID = """
      id: tiny
      start: hello
      nodes:
        - id: hello
          kind: agent
          templates: ["Hello!"]
          next: bye
        - id: bye
          kind: terminal
          outcome: success
      """;

  @TempDir Path temp;

  private record Run(int code, String out, String err) {}

  private Run run(String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    CommandLine cli = SubterraCli.commandLine();
    cli.setOut(new PrintWriter(out, true));
    cli.setErr(new PrintWriter(err, true));
    int code = cli.execute(args);
    return new Run(code, out.toString(), err.toString());
  }

  @Test
  void validateSaysWhatAValidWorkflowIsMadeOf() throws Exception {
    Path file = Files.writeString(temp.resolve("tiny.yaml"), VALID);
    Run run = run("validate", file.toString());
    assertThat(run.code()).isZero();
    assertThat(run.out()).contains("valid", "tiny: 2 nodes (1 agent, 0 user, 0 decision, 0 tool, 1 terminal)");
  }

  @Test
  void anInvalidWorkflowExitsWithTwoAndEveryProblemOnItsOwnLine() throws Exception {
    Path file = Files.writeString(temp.resolve("broken.yaml"), VALID.replace("next: bye", "nxt: bye"));
    Run run = run("validate", file.toString());
    assertThat(run.code()).isEqualTo(2);
    assertThat(run.err()).contains(file + ":7:5: unknown field 'nxt' in node")
        .contains("node 'hello' has no way out")
        .doesNotContain("Exception", "\tat ");
  }

  @Test
  void aMissingFileIsInvalidInputWithOneLine() {
    Run run = run("paths", temp.resolve("nope.yaml").toString());
    assertThat(run.code()).isEqualTo(2);
    assertThat(run.err().strip()).isEqualTo("Invalid workflow " + temp.resolve("nope.yaml") + ": 1 problem"
        + System.lineSeparator() + temp.resolve("nope.yaml") + ": no such file");
  }

  @Test
  void starWithBadInputExitsWithTwoAndOneLine() throws Exception {
    Path schemas = Files.createDirectories(temp.resolve("schemas"));
    Run missing = run("star", "--schemas", schemas.toString(), "--dialogues", temp.resolve("nope").toString(),
        "--out", temp.resolve("star").toString());
    assertThat(missing.code()).isEqualTo(2);
    assertThat(missing.err().strip())
        .isEqualTo("Error: Cannot read STAR dialogues: " + temp.resolve("nope") + " is not a directory");
    Run preset = run("star", "--schemas", schemas.toString(), "--dialogues", schemas.toString(), "--out",
        temp.resolve("star").toString(), "--preset", "huge");
    assertThat(preset.code()).isEqualTo(2);
    assertThat(preset.err().strip()).isEqualTo("Error: Invalid preset: huge (tiny, small or base)");
    assertThat(temp.resolve("star")).doesNotExist();
  }

  @Test
  void pathsPrintsCountsAndWritesTheRunDirectory() throws Exception {
    Path file = Files.writeString(temp.resolve("tiny.yaml"), VALID);
    Path out = temp.resolve("run");
    Run run = run("paths", file.toString(), "--out", out.toString(), "--master", "local[1]", "--seed", "3");
    assertThat(run.code()).as(run.err()).isZero();
    assertThat(run.out()).contains("Paths 1 (enumerated in full, loops unrolled up to 1 time, seed 3)")
        .contains("splits: train 1 validation 0 test 0 heldout 0")
        .contains("coverage: every node (2) and edge (1) lies on a path");
    assertThat(out.resolve("paths")).isDirectory();
    assertThat(out.resolve("paths.json")).isRegularFile();
  }

  @Test
  void showPrintsMermaidAndDot() throws Exception {
    Path file = Files.writeString(temp.resolve("tiny.yaml"), VALID);
    Run mermaid = run("show", file.toString());
    assertThat(mermaid.code()).isZero();
    assertThat(mermaid.out()).startsWith("flowchart TD").contains("hello").contains("bye");
    Run dot = run("show", file.toString(), "--format", "dot");
    assertThat(dot.code()).isZero();
    assertThat(dot.out()).startsWith("digraph").contains("->");
  }

  @Test
  void importWritesAValidNativeWorkflowThatPathsCanRead() throws Exception {
    Path flowchart = Files.writeString(temp.resolve("flow.yaml"), """
        name: tiny_flow
        description: Say hello and goodbye.
        start: greet
        nodes:
          greet:
            role: agent
            prompt: Greet the customer.
            next: [ask]
          ask:
            role: decision
            next:
              - to: done
                when: the customer is happy
              - to: gone
                when: the customer leaves
          done:
            terminal: success
          gone:
            terminal: abandonment
        """);
    Path out = temp.resolve("native/tiny.yaml");
    Run imported = run("import", flowchart.toString(), "--from", "agent2model", "--out", out.toString());
    assertThat(imported.code()).as(imported.err()).isZero();
    assertThat(imported.out()).contains("tiny_flow: 4 nodes (1 agent, 0 user, 1 decision, 0 tool, 2 terminal)");
    assertThat(run("validate", out.toString()).code()).isZero();

    Run badFormat = run("import", flowchart.toString(), "--from", "bpmn");
    assertThat(badFormat.code()).isEqualTo(2);
    assertThat(badFormat.err()).contains("Invalid import format: bpmn (use one of agent2model, star)");
  }

  @Test
  void aStageWhoseInputIsMissingSaysWhichCommandMakesIt() throws Exception {
    Path file = Files.writeString(temp.resolve("tiny.yaml"), VALID);
    Path empty = Files.createDirectories(temp.resolve("empty-run"));
    Run synthesize = run("synthesize", file.toString(), "--paths", empty.toString(), "--master", "local[1]");
    assertThat(synthesize.code()).isEqualTo(2);
    assertThat(synthesize.err().strip()).isEqualTo("Error: Cannot synthesize: " + empty
        + " has no paths; run `subterra paths` first");
    Run evaluate = run("evaluate", "--run", empty.toString(), "--master", "local[1]");
    assertThat(evaluate.code()).isEqualTo(2);
    assertThat(evaluate.err()).contains("Cannot evaluate: " + empty + " has no workflow.json; run `subterra paths`");
    Run halfJudge = run("evaluate", "--run", empty.toString(), "--judge-url", "http://127.0.0.1:9");
    assertThat(halfJudge.code()).isEqualTo(2);
    assertThat(halfJudge.err().strip()).isEqualTo("Error: Invalid judge: --judge-url and --judge-model go together");
    Run badJudge = run("evaluate", "--run", empty.toString(), "--judge-url", "ftp://judge", "--judge-model", "m");
    assertThat(badJudge.code()).isEqualTo(2);
    assertThat(badJudge.err().strip()).isEqualTo("Error: Invalid --judge-url: ftp://judge");
  }

  @Test
  void serveRefusesBadInputBeforeItBinds() throws Exception {
    Path missing = temp.resolve("no-model");
    Run noModel = run("serve", "--model", missing.toString(), "--port", "0");
    assertThat(noModel.code()).isEqualTo(2);
    assertThat(noModel.err().strip()).isEqualTo("Error: Cannot serve " + missing
        + ": not a directory (a model/ from `train`)");
    Path model = Files.createDirectories(temp.resolve("run/model"));
    Path emptyKey = Files.writeString(temp.resolve("key.txt"), "  \n");
    Run badKey = run("serve", "--model", model.toString(), "--api-key-file", emptyKey.toString());
    assertThat(badKey.code()).isEqualTo(2);
    assertThat(badKey.err().strip()).isEqualTo("Error: Invalid --api-key-file " + emptyKey
        + ": one non-empty line expected");
    Run badBatch = run("serve", "--model", model.toString(), "--max-batch", "0");
    assertThat(badBatch.code()).isEqualTo(2);
    assertThat(badBatch.err().strip()).isEqualTo("Error: Invalid maxBatch: 0");
    Run noWorkflow = run("serve", "--model", model.toString());
    assertThat(noWorkflow.code()).isEqualTo(2);
    assertThat(noWorkflow.err()).contains("Cannot serve " + model + ": no workflow at ");
  }

  @Test
  void compileDryRunPrintsThePlanAndTheTeacherCallsAndWritesNothing() throws Exception {
    Path travel = dev.subterra.jobs.TestSpark.WORKFLOWS.resolve("travel-booking.yaml");
    Path out = temp.resolve("planned");
    Run plan = run("compile", travel.toString(), "--out", out.toString(), "--teacher", "openai", "--teacher-url",
        "http://user:secret@127.0.0.1:9/v1?key=hidden", "--teacher-model", "gpt-4o-mini", "--budget", "0.5",
        "--per-path", "2", "--dry-run");
    assertThat(plan.code()).as(plan.err()).isZero();
    assertThat(plan.out()).contains("dry run: nothing is run or written")
        .containsPattern("\\[1/4\\] paths +run +not run yet")
        .containsPattern("\\[4/4\\] evaluate +run +its inputs change: paths runs")
        .containsPattern("teacher: 170 scenarios, at most [0-9,]+ calls .*estimated spend \\$[0-9.]+ \\(budget \\$0.5")
        .doesNotContain("secret", "hidden");
    assertThat(out).doesNotExist();

    Run profiled = run("compile", travel.toString(), "--out", out.toString(), "--profile", "full", "--epochs", "2",
        "--dry-run");
    assertThat(profiled.code()).as(profiled.err()).isZero();
    assertThat(profiled.out())
        .contains("Profile full (base, 10 per path, 3 epochs, every path evaluated); overridden by --epochs 2")
        .contains("options: preset base, 10 scenarios per path, 2 epochs, every path evaluated, seed 42")
        .containsPattern("workload: 85 paths \\([0-9]+ for training\\); [0-9,]+ training dialogues; 85 evaluation"
            + " scenarios \\(one per path, every path\\)")
        .containsPattern("student: base, [0-9,]+ parameters, 512-token context")
        .contains("teacher: template (offline), 850 scenarios, no calls, $0");
    Run unknown = run("compile", travel.toString(), "--profile", "huge", "--dry-run");
    assertThat(unknown.code()).isEqualTo(2);
    assertThat(unknown.err().strip()).isEqualTo("Error: Invalid profile: huge (expected one of quick, default, full)");

    Run noUrl = run("compile", travel.toString(), "--out", out.toString(), "--teacher", "openai", "--dry-run");
    assertThat(noUrl.code()).isEqualTo(2);
    assertThat(noUrl.err().strip()).isEqualTo("Error: Invalid teacher: openai needs --teacher-url and --teacher-model");
  }

  @Test
  void badUsageExitsWithTwoAndHelpExitsWithZero() throws Exception {
    assertThat(run("paths").code()).isEqualTo(2);
    assertThat(run("frobnicate").code()).isEqualTo(2);
    Path file = Files.writeString(temp.resolve("tiny.yaml"), VALID);
    Run badValue = run("paths", file.toString(), "--max-loops", "99");
    assertThat(badValue.code()).isEqualTo(2);
    assertThat(badValue.err()).contains("Error: Invalid maxLoops: 99 (expected 0 to 16)");
    for (String command : new String[] {"validate", "show", "import", "paths", "synthesize", "train", "evaluate",
        "serve", "probe", "compile", "benchmark"}) {
      Run help = run(command, "--help");
      assertThat(help.code()).isZero();
      assertThat(help.out()).contains("Usage: subterra " + command);
    }
    assertThat(run("--version").out()).startsWith("subterra ");
  }
}

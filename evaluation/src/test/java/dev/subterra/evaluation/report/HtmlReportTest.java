package dev.subterra.evaluation.report;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.subterra.evaluation.Fixtures;
import dev.subterra.evaluation.cost.CostAssumptions;
import dev.subterra.evaluation.cost.CostModel;
import dev.subterra.evaluation.cost.CostReport;
import dev.subterra.evaluation.cost.HardwarePrice;
import dev.subterra.evaluation.judge.JudgeScores;
import dev.subterra.evaluation.judge.JudgeSummary;
import dev.subterra.evaluation.judge.Verdict;
import dev.subterra.evaluation.loop.ClosedLoopConfig;
import dev.subterra.evaluation.loop.ClosedLoopRunner;
import dev.subterra.evaluation.loop.ConversationResult;
import dev.subterra.evaluation.metrics.Bootstrap;
import dev.subterra.evaluation.metrics.EvaluationMetrics;
import dev.subterra.evaluation.metrics.Metrics;
import dev.subterra.evaluation.policy.Policy;
import dev.subterra.evaluation.policy.PolicyRequest;
import dev.subterra.evaluation.policy.PolicyTurn;
import dev.subterra.evaluation.policy.ReferencePolicy;
import dev.subterra.synthesis.Dialogue;
import dev.subterra.synthesis.Role;
import dev.subterra.synthesis.Scenario;
import dev.subterra.synthesis.Turn;
import dev.subterra.synthesis.cost.ModelPrice;
import dev.subterra.workflow.Workflow;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.File;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class HtmlReportTest {
  private static final Path CHROMIUM = Path.of("/usr/bin/chromium");
  private static final Pattern IMAGE = Pattern.compile("<img id=\"([^\"]+)\" alt=\"[^\"]*\" src=\"data:image/png;base64,([^\"]+)\">");
  /** A chart has axes, labels and data: far more colours than a blank or one-colour image. */
  private static final int MIN_COLOURS = 8;
  private static final long SEED = 5;

  private static Workflow workflow;
  private static String html;

  @TempDir static Path dir;

  /** The teacher's turns, with every third scenario's second turn tagged as the wrong node. */
  private static final class Slipping implements Policy {
    private final ReferencePolicy replay;
    private final List<String> nodes;

    Slipping(List<Dialogue> dialogues, Workflow workflow) {
      this.replay = new ReferencePolicy(dialogues);
      this.nodes = workflow.nodes().stream().map(n -> n.id()).toList();
    }

    @Override
    public String name() {
      return "student";
    }

    @Override
    public List<Optional<PolicyTurn>> next(List<PolicyRequest> requests) {
      List<Optional<PolicyTurn>> answers = replay.next(requests);
      List<Optional<PolicyTurn>> out = new ArrayList<>();
      for (int i = 0; i < requests.size(); i++) {
        PolicyRequest r = requests.get(i);
        Optional<PolicyTurn> a = answers.get(i);
        long said = r.history().stream().filter(t -> t.role() != Role.USER).count();
        if (a.isPresent() && said == 1 && Math.floorMod(r.scenario().scenarioId().hashCode(), 3) == 0) {
          Turn t = a.get().turn();
          String wrong = nodes.get((nodes.indexOf(t.nodeId()) + 1) % nodes.size());
          a = Optional.of(PolicyTurn.of(Turn.agent(wrong, t.text())));
        }
        out.add(a.map(p -> new PolicyTurn(p.turn(), 120, 30, false)));
      }
      return out;
    }
  }

  @BeforeAll
  static void render() throws Exception {
    workflow = Fixtures.supportDesk();
    List<Scenario> scenarios = Fixtures.scenarios(workflow, Fixtures.catalog(workflow), p -> true, 2, SEED);
    List<Dialogue> dialogues = Fixtures.dialogues(workflow, scenarios);
    Map<String, Dialogue> references = Fixtures.byScenario(dialogues);
    Map<String, Scenario> byId = new LinkedHashMap<>();
    scenarios.forEach(s -> byId.put(s.scenarioId(), s));
    ClosedLoopRunner runner = new ClosedLoopRunner(workflow, ClosedLoopConfig.defaults());
    Metrics metrics = new Metrics(workflow, Bootstrap.of(SEED));
    List<ConversationResult> student = runner.run(new Slipping(dialogues, workflow), scenarios, 1);
    EvaluationMetrics studentMetrics = metrics.evaluate(student, references, 1);
    EvaluationMetrics replayMetrics = metrics.evaluate(runner.run(new ReferencePolicy(dialogues), scenarios, 1),
        references, 1);
    LocalDate day = LocalDate.of(2026, 1, 1);
    CostAssumptions assumptions = new CostAssumptions(
        new HardwarePrice("test-cpu", "cpu", "a test machine", new BigDecimal("0.20"), day, "a test"), "test", 400,
        "a test", 1.0, new ModelPrice("test-frontier", new BigDecimal("2.00"), new BigDecimal("8.00"), day, "a test"),
        "test", 5);
    CostReport cost = new CostModel(workflow, assumptions).report(student, byId);
    List<Verdict> verdicts = List.of(
        new Verdict("a", 0, new JudgeScores(5, 4, 5, 3, 4), null, 1, 900, 40),
        new Verdict("b", 0, new JudgeScores(4, 4, 3, 5, 4), null, 2, 1800, 80),
        new Verdict("c", 0, null, "malformed answer: no score for naturalness", 3, 2700, 120));
    JudgeSummary judge = JudgeSummary.of("test-judge", "test", verdicts, Bootstrap.of(SEED), null);
    Map<String, Object> teacher = new LinkedHashMap<>();
    teacher.put("teacher", "template");
    teacher.put("conformance_rate", 1.0);
    html = HtmlReport.render(new HtmlReport.Input(workflow, scenarios.size(), 1, List.of(
        new HtmlReport.PolicyResult("student", "student <tiny>", studentMetrics,
            cost.studentUsdPerConversation().doubleValue()),
        new HtmlReport.PolicyResult("baseline", "slipping twice as dear", studentMetrics,
            2 * cost.studentUsdPerConversation().doubleValue()),
        new HtmlReport.PolicyResult("reference", "teacher replay", replayMetrics, Double.NaN)),
        cost, teacher, judge, Map.of("seed", SEED), Map.of(
            dev.subterra.evaluation.metrics.LanguageCohort.IN_DISTRIBUTION, replayMetrics,
            dev.subterra.evaluation.metrics.LanguageCohort.HELDOUT_LANGUAGE, studentMetrics)));
    assertThat(studentMetrics.firstWrongNodes()).as("the slipping policy goes wrong somewhere").isNotEmpty();
  }

  @Test
  void thePageIsSelfContainedWithTheTablesAndEveryChartAsADecodablePng() throws Exception {
    assertThat(html).doesNotContain("http://", "https://", "<link", "<script");
    assertThat(html).contains("student &lt;tiny&gt;", "node_accuracy", "cost_ratio_in_context", "frontier_model",
        "test-frontier", "task_success", "malformed answer (1)", "conformance rate in synthesis: 1.000",
        "By the users' language", "<th>in_distribution</th><th>heldout_language</th>");
    Matcher m = IMAGE.matcher(html);
    List<String> ids = new ArrayList<>();
    while (m.find()) {
      ids.add(m.group(1));
      BufferedImage image = ImageIO.read(new ByteArrayInputStream(Base64.getDecoder().decode(m.group(2))));
      assertThat(image).as(m.group(1)).isNotNull();
      Set<Integer> colours = new HashSet<>();
      for (int y = 0; y < image.getHeight(); y += 3) {
        for (int x = 0; x < image.getWidth(); x += 3) {
          colours.add(image.getRGB(x, y));
        }
      }
      assertThat(colours.size()).as("colours of " + m.group(1)).isGreaterThan(MIN_COLOURS);
    }
    assertThat(ids).containsExactly("quality-vs-cost", "heatmap-student", "heatmap-baseline", "first-wrong-node");
  }

  @Test
  void theHeatMapPlacesNodesByTheirDepthFromTheStart() {
    Map<String, int[]> at = ReportCharts.layout(workflow);
    assertThat(at.get(workflow.start())[0]).isZero();
    workflow.node(workflow.start()).orElseThrow().next()
        .forEach(e -> assertThat(at.get(e.to())[0]).as(e.to()).isLessThanOrEqualTo(1));
    assertThat(at.values().stream().map(p -> p[0] + "," + p[1]).distinct().count()).isEqualTo(workflow.nodes().size());
  }

  @Test
  void headlessChromiumDecodesEveryChart() throws Exception {
    assumeTrue(Files.isExecutable(CHROMIUM), "Skipped: " + CHROMIUM + " is absent (CI installs Debian's chromium)");
    // The report has no script of its own; this copy adds one that writes each image's decoded width into the DOM.
    String probe = html.replace("</body>", "<script>window.addEventListener('load', () => document.body"
        + ".setAttribute('data-widths', Array.from(document.images).map(i => i.complete ? i.naturalWidth : 0)"
        + ".join(',')));</script></body>");
    Path page = dir.resolve("report.html");
    Files.writeString(page, probe, StandardCharsets.UTF_8);
    Path profile = Files.createTempDirectory(dir, "chromium-profile");
    Process chromium = new ProcessBuilder(CHROMIUM.toString(), "--headless", "--no-sandbox", "--disable-gpu",
        "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update",
        "--disable-sync", "--user-data-dir=" + profile, "--virtual-time-budget=5000", "--dump-dom",
        page.toUri().toString())
        .redirectError(new File("/dev/null")).start();
    byte[] dom = chromium.getInputStream().readAllBytes();
    assertThat(chromium.waitFor(90, TimeUnit.SECONDS)).as("chromium finished").isTrue();
    Matcher widths = Pattern.compile("data-widths=\"([0-9,]*)\"").matcher(new String(dom, StandardCharsets.UTF_8));
    assertThat(widths.find()).as("the probe ran").isTrue();
    List<Integer> decoded = java.util.Arrays.stream(widths.group(1).split(",")).map(Integer::parseInt).toList();
    assertThat(decoded).hasSize(4).allMatch(w -> w > 100);
  }
}

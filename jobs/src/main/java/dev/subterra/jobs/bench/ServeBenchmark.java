package dev.subterra.jobs.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.subterra.evaluation.cost.HardwarePrice;
import dev.subterra.evaluation.cost.HardwarePriceTable;
import dev.subterra.serving.ChatCompletionServer;
import dev.subterra.serving.ServedModel;
import dev.subterra.serving.ServerConfig;
import dev.subterra.synthesis.Dialogue;
import dev.subterra.synthesis.Role;
import dev.subterra.synthesis.Scenario;
import dev.subterra.synthesis.ScenarioConfig;
import dev.subterra.synthesis.ScenarioPlanner;
import dev.subterra.synthesis.Turn;
import dev.subterra.synthesis.template.TemplateTeacher;
import dev.subterra.training.StudentTrainer;
import dev.subterra.training.artefact.ModelArtefact;
import dev.subterra.training.train.TrainerConfig;
import dev.subterra.workflow.Node;
import dev.subterra.workflow.Workflow;
import dev.subterra.workflow.WorkflowLoader;
import dev.subterra.workflow.paths.EnumerationConfig;
import dev.subterra.workflow.paths.PathCatalog;
import dev.subterra.workflow.paths.SplitConfig;
import java.io.PrintWriter;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * A bounded loopback load test of the chat-completions server: at each concurrency level, that many clients each
 * play template-teacher conversations of the workflow against the server, one agent turn per request (the history so
 * far, the reference turn appended after each answer), for a fixed time; then they stop. Every level runs twice, with
 * continuous batching ({@code --max-batch} = the level) and without ({@code --max-batch 1}), on the same model, so
 * the two sit side by side. Reported: agent turns per second, tokens per second, p50/p95/p99 latency per turn, the
 * mean batch per decode step, and the cost per conversation the throughput implies on the priced hardware:
 * {@code usd_per_hour / (turns_per_second * 3600 / agent_turns_per_conversation)}.
 *
 * <p>Without {@code --model}, a student is first trained on the workflow's template dialogues (seeded, a few epochs):
 * the figures are about serving speed, for which a briefly trained model of the right shape is what matters.
 */
@Command(name = "serve", mixinStandardHelpOptions = true, sortOptions = false,
    description = "Load-test the chat-completions server over loopback: 1, 8, 32, 128 concurrent conversations, "
        + "with and without batching.")
public final class ServeBenchmark implements Callable<Integer> {
  private static final ObjectMapper JSON = new ObjectMapper();

  @Option(names = "--model", paramLabel = "DIR", description = "A model/ directory; default: train one on --workflow.")
  Path model;

  @Option(names = "--workflow", defaultValue = "workflows/travel-booking.yaml",
      description = "The workflow of the conversations (and of the model) (default: ${DEFAULT-VALUE}).")
  Path workflowFile;

  @Option(names = "--preset", defaultValue = "tiny",
      description = "Preset of the model trained without --model (default: ${DEFAULT-VALUE}).")
  String preset;

  @Option(names = "--epochs", defaultValue = "2", description = "Epochs of that training (default: ${DEFAULT-VALUE}).")
  int epochs;

  @Option(names = "--concurrency", split = ",", defaultValue = "1,8,32,128",
      description = "Concurrent conversations per level (default: ${DEFAULT-VALUE}).")
  List<Integer> levels;

  @Option(names = "--seconds", defaultValue = "15", description = "Seconds of load per level and mode (default: ${DEFAULT-VALUE}).")
  int seconds;

  @Option(names = "--max-new-tokens", defaultValue = "32", description = "Most tokens per turn (default: ${DEFAULT-VALUE}).")
  int maxNewTokens;

  @Option(names = "--hardware", defaultValue = "aws-c7i.xlarge",
      description = "Priced hardware from hardware-prices.json (default: ${DEFAULT-VALUE}).")
  String hardware;

  @Option(names = "--seed", defaultValue = "7", description = "Seed of scenarios and training (default: ${DEFAULT-VALUE}).")
  long seed;

  @Spec picocli.CommandLine.Model.CommandSpec spec;

  @Override
  public Integer call() throws Exception {
    PrintWriter out = spec.commandLine().getOut();
    if (seconds < 1 || levels.isEmpty() || levels.stream().anyMatch(c -> c < 1)) {
      throw new IllegalArgumentException("Invalid load: --seconds " + seconds + ", --concurrency " + levels);
    }
    HardwarePriceTable table = HardwarePriceTable.bundled();
    HardwarePrice price = table.price(hardware).orElseThrow(() -> new IllegalArgumentException(
        "Invalid --hardware: " + hardware + " (not in hardware-prices.json " + table.version() + ")"));
    Workflow workflow = WorkflowLoader.load(workflowFile);
    PathCatalog catalog = PathCatalog.build(workflow, EnumerationConfig.withSeed(seed), new SplitConfig(0, 0, 0));
    Path scratch = null;
    ServedModel served;
    if (model == null) {
      scratch = Files.createTempDirectory("subterra-bench-serve");
      List<Dialogue> training = dialogues(workflow, catalog, 3, seed);
      out.printf("Training a %s student on %d template dialogues of %s, %d epochs...%n", preset, training.size(),
          workflow.id(), epochs);
      out.flush();
      ModelArtefact artefact = new StudentTrainer(new StudentTrainer.Config(preset, 2000,
          TrainerConfig.defaults(seed).withEpochs(epochs)), p -> { })
          .train(workflow, training, scratch.resolve("work"), scratch.resolve("model"));
      served = ServedModel.of(artefact, workflow);
    } else {
      served = ServedModel.load(model, Optional.of(workflowFile));
    }
    List<Dialogue> conversations = dialogues(workflow, catalog, 1, seed + 1);
    double agentTurns = conversations.stream().mapToLong(d -> d.turns().stream()
        .filter(t -> t.role() != Role.USER).count()).average().orElse(1);
    int maxNew = Math.min(maxNewTokens, served.contextLength() / 2);

    out.println("Machine: " + Machine.describe() + ", OMP_NUM_THREADS=" + System.getenv("OMP_NUM_THREADS"));
    out.printf("Model: %s, %d parameters, context %d; %d conversations of %s (%.1f agent turns each), greedy, "
        + "at most %d tokens a turn; %d s of load per row.%n", served.id(), served.artefact().model().parameterCount(),
        served.contextLength(), conversations.size(), workflow.id(), agentTurns, maxNew, seconds);
    out.printf("Cost per conversation on %s at $%s/h (hardware-prices %s): usd_per_hour / (turns/s * 3600 / %.1f).%n%n",
        price.name(), price.usdPerHour().toPlainString(), table.version(), agentTurns);
    out.println("| concurrent | batching | turns | turns/s | tokens/s | p50 ms | p95 ms | p99 ms | mean batch "
        + "| USD per conversation | throughput ratio |");
    out.println("|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
    for (int level : levels) {
      Row unbatched = null;
      for (boolean batching : new boolean[] {false, true}) {
        Row row = measure(served, conversations, level, batching ? level : 1, maxNew);
        double usd = price.usdPerHour().doubleValue() / (row.turnsPerSecond() * 3600 / agentTurns);
        String ratio = batching && unbatched != null ? String.format("%.2f×", row.turnsPerSecond()
            / unbatched.turnsPerSecond()) : "1×";
        out.printf("| %d | %s | %d | %.1f | %.0f | %.0f | %.0f | %.0f | %.1f | %.2e | %s |%n", level,
            batching ? "continuous, max " + level : "off (max 1)", row.turns, row.turnsPerSecond(),
            row.tokensPerSecond(), row.percentile(50), row.percentile(95), row.percentile(99), row.meanBatch, usd,
            ratio);
        out.flush();
        unbatched = row;
      }
    }
    if (scratch != null) {
      try (var walk = Files.walk(scratch)) {
        walk.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
      }
    }
    return 0;
  }

  /** What one level and mode measured. */
  private record Row(long turns, long tokens, double seconds, List<Double> latenciesMs, double meanBatch) {
    double turnsPerSecond() {
      return turns / seconds;
    }

    double tokensPerSecond() {
      return tokens / seconds;
    }

    double percentile(int p) {
      if (latenciesMs.isEmpty()) {
        return Double.NaN;
      }
      int at = (int) Math.ceil(p / 100.0 * latenciesMs.size()) - 1;
      return latenciesMs.get(Math.max(0, Math.min(latenciesMs.size() - 1, at)));
    }
  }

  private Row measure(ServedModel served, List<Dialogue> conversations, int clients, int maxBatch, int maxNew)
      throws Exception {
    ServerConfig config = ServerConfig.defaults().withMaxNewTokens(maxNew).withBatching(maxBatch, clients)
        .withShutdownGrace(Duration.ofSeconds(120));
    ExecutorService clientThreads = Executors.newFixedThreadPool(4);
    HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).executor(clientThreads).build();
    ExecutorService pool = Executors.newFixedThreadPool(clients);
    List<Double> latencies = Collections.synchronizedList(new ArrayList<>());
    AtomicLong tokens = new AtomicLong();
    try (ChatCompletionServer server = ChatCompletionServer.start(served, config)) {
      URI endpoint = URI.create(server.baseUrl() + "/v1/chat/completions");
      // Warm-up: the graphs are built and the JIT has run before the clock starts.
      play(http, endpoint, served, conversations.get(0), Long.MAX_VALUE, null, null);
      long stepsBefore = server.metrics().steps();
      long start = System.nanoTime();
      long deadline = start + seconds * 1_000_000_000L;
      List<Future<?>> running = new ArrayList<>();
      for (int c = 0; c < clients; c++) {
        int first = c;
        running.add(pool.submit(() -> {
          for (int i = first; System.nanoTime() < deadline; i += clients) {
            play(http, endpoint, served, conversations.get(i % conversations.size()), deadline, latencies, tokens);
          }
          return null;
        }));
      }
      for (Future<?> f : running) {
        f.get();
      }
      double elapsed = (System.nanoTime() - start) / 1e9;
      long steps = server.metrics().steps() - stepsBefore;
      List<Double> sorted = new ArrayList<>(latencies);
      Collections.sort(sorted);
      return new Row(sorted.size(), tokens.get(), elapsed, sorted, steps == 0 ? 0 : tokens.get() / (double) steps);
    } finally {
      pool.shutdownNow();
      pool.awaitTermination(10, TimeUnit.SECONDS);
      clientThreads.shutdownNow();
    }
  }

  /** One conversation, one request per agent turn, until it ends or the deadline passes. */
  private static void play(HttpClient http, URI endpoint, ServedModel served, Dialogue dialogue, long deadline,
      List<Double> latencies, AtomicLong tokens) throws Exception {
    ArrayNode messages = JSON.createArrayNode();
    // As an application would; the student does not read it (its procedure is in its weights).
    messages.addObject().put("role", "system").put("content", "You are the " + served.id() + " assistant.");
    int calls = 0;
    for (Turn turn : dialogue.turns()) {
      if (turn.role() == Role.USER) {
        messages.addObject().put("role", "user").put("content", turn.text());
        continue;
      }
      if (System.nanoTime() >= deadline) {
        return;
      }
      ObjectNode body = JSON.createObjectNode().put("model", served.id());
      body.set("messages", messages);
      ArrayNode tools = body.putArray("tools");
      for (Node node : served.workflow().nodes()) {
        if (node.tool() != null) {
          tools.addObject().put("type", "function").putObject("function").put("name", node.tool().name());
        }
      }
      long start = System.nanoTime();
      HttpResponse<String> response = http.send(HttpRequest.newBuilder(endpoint)
          .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body.toString()))
          .build(), HttpResponse.BodyHandlers.ofString());
      double ms = (System.nanoTime() - start) / 1e6;
      if (response.statusCode() != 200) {
        throw new IllegalStateException("Cannot load-test: HTTP " + response.statusCode() + " " + response.body());
      }
      if (latencies != null) {
        latencies.add(ms);
        JsonNode usage = JSON.readTree(response.body()).path("usage");
        tokens.addAndGet(usage.path("completion_tokens").asLong());
      }
      ObjectNode back = messages.addObject().put("role", "assistant").put("content", turn.text());
      back.putObject("subterra").put("node", turn.nodeId());
      if (turn.role() == Role.TOOL) {
        String id = "call_" + (++calls);
        back.putNull("content");
        back.putArray("tool_calls").addObject().put("id", id).put("type", "function").putObject("function")
            .put("name", turn.call().name()).put("arguments", JSON.writeValueAsString(turn.call().arguments()));
        messages.addObject().put("role", "tool").put("tool_call_id", id).put("content", turn.result());
      }
    }
  }

  private static List<Dialogue> dialogues(Workflow workflow, PathCatalog catalog, int perPath, long seed)
      throws Exception {
    List<Scenario> scenarios = new ScenarioPlanner(workflow, ScenarioConfig.perPath(perPath, seed))
        .plan(catalog.paths()).scenarios();
    TemplateTeacher teacher = new TemplateTeacher();
    List<Dialogue> out = new ArrayList<>();
    for (Scenario s : scenarios) {
      out.add(teacher.write(workflow, s));
    }
    return out;
  }
}

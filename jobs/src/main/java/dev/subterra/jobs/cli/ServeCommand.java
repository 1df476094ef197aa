package dev.subterra.jobs.cli;

import dev.subterra.serving.ChatCompletionServer;
import dev.subterra.serving.ServedModel;
import dev.subterra.serving.ServerConfig;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** Serves a compiled student over the OpenAI chat-completions protocol until the process is stopped. */
@Command(name = "serve", mixinStandardHelpOptions = true, sortOptions = false,
    description = "Serve a trained student as an OpenAI-compatible endpoint: POST /v1/chat/completions, "
        + "GET /v1/models, /health, /metrics. Ctrl-C (SIGTERM) finishes the requests in flight, then stops.")
final class ServeCommand implements Callable<Integer> {
  @Option(names = "--model", required = true, paramLabel = "DIR",
      description = "The model/ directory of a run (from `train`).")
  Path model;

  @Option(names = "--workflow", paramLabel = "FILE",
      description = "The workflow the model was compiled from (default: workflow.json beside DIR).")
  Path workflow;

  @Option(names = "--host", defaultValue = ServerConfig.LOOPBACK,
      description = "Address to bind (default: ${DEFAULT-VALUE}, loopback only; 0.0.0.0 for every interface).")
  String host;

  @Option(names = "--port", defaultValue = "8000", description = "Port; 0 picks a free one (default: ${DEFAULT-VALUE}).")
  int port;

  @Option(names = "--api-key-file", paramLabel = "F",
      description = "File holding the bearer token clients must send; without it, no authentication.")
  Path apiKeyFile;

  @Option(names = "--max-batch", defaultValue = "32", paramLabel = "B",
      description = "Most conversations per decode step; 1 turns batching off (default: ${DEFAULT-VALUE}).")
  int maxBatch;

  @Option(names = "--max-concurrency", defaultValue = "128", paramLabel = "C",
      description = "Most conversations queued or decoding; more get HTTP 429 (default: ${DEFAULT-VALUE}).")
  int maxConcurrency;

  @Option(names = "--max-new-tokens", paramLabel = "N",
      description = "Most tokens per turn, whatever a request asks (default: 64, at most half the context).")
  Integer maxNewTokens;

  @Option(names = "--max-body-bytes", defaultValue = "" + ServerConfig.DEFAULT_MAX_BODY_BYTES,
      description = "Largest request body; larger ones get HTTP 413 (default: ${DEFAULT-VALUE}).")
  int maxBodyBytes;

  @Spec picocli.CommandLine.Model.CommandSpec spec;

  @Override
  public Integer call() throws Exception {
    PrintWriter out = spec.commandLine().getOut();
    ServerConfig config = new ServerConfig(host, port, readKey(), maxBatch, maxConcurrency, maxBodyBytes, 64,
        Duration.ofSeconds(30));
    ServedModel served = ServedModel.load(model, Optional.ofNullable(workflow));
    int tokens = maxNewTokens != null ? maxNewTokens : Math.min(64, served.contextLength() / 2);
    ChatCompletionServer server = ChatCompletionServer.start(served, config.withMaxNewTokens(tokens));
    CountDownLatch stopped = new CountDownLatch(1);
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      server.close();
      stopped.countDown();
    }, "subterra-serve-shutdown"));
    out.printf("Serving %s at %s/v1 (%s); Ctrl-C to stop%n", served.id(), server.baseUrl(),
        config.apiKey().isPresent() ? "bearer token required" : "no authentication");
    out.flush();
    stopped.await();
    return 0;
  }

  private Optional<String> readKey() {
    if (apiKeyFile == null) {
      return Optional.empty();
    }
    String key;
    try {
      key = Files.readString(apiKeyFile, StandardCharsets.UTF_8).strip();
    } catch (IOException e) {
      throw new IllegalArgumentException("Cannot read --api-key-file " + apiKeyFile + ": "
          + e.getClass().getSimpleName());
    }
    if (key.isEmpty() || key.lines().count() > 1) {
      throw new IllegalArgumentException("Invalid --api-key-file " + apiKeyFile + ": one non-empty line expected");
    }
    return Optional.of(key);
  }
}

package dev.subterra.evaluation.policy;

import dev.subterra.synthesis.Turn;
import dev.subterra.training.artefact.ModelArtefact;
import dev.subterra.training.decode.Decoder;
import dev.subterra.training.decode.DecodingConfig;
import dev.subterra.training.decode.Generation;
import dev.subterra.training.decode.GroundedCalls;
import dev.subterra.training.serial.DialogueSerializer;
import dev.subterra.workflow.Workflow;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The compiled student as a policy: each conversation so far is serialised into the student's prompt, the decoder
 * writes the agent's turn (tag, call or text, end of turn), and the serializer reads it back.
 *
 * <p>Conversations asked together are decoded as batches of up to {@code batchSize}, with the key/value cache. Greedy
 * decoding by default; with a sampled {@link DecodingConfig} every call to {@link #next} samples from a seed derived
 * from the configured seed and the number of calls so far (row {@code r} of a batch adds {@code r}, as the decoder
 * does), so the same run of the same scenarios gives the same conversations, and the {@code k} runs of a scenario for
 * pass^k differ. With {@code constrainTags}, every turn starts with a node tag (see {@link Decoder#constrainedToTags});
 * {@link PolicyTurn#tagOverridden()} says where the model alone would have written something else. With
 * {@code groundArguments}, tool calls follow the workflow's tool signatures and each argument value is a span of what
 * the user said or a tool returned, chosen by the student's likelihood (see
 * {@link dev.subterra.training.decode.GroundedCalls}); {@link PolicyTurn#groundedOverrides()} counts the call tokens
 * that differ from the student's own choice.
 *
 * <p>The policy counts the tokens it reads and writes and the time decoding takes, for the cost model's throughput.
 * Not thread-safe: one policy per thread, like its decoder.
 */
public final class StudentPolicy implements Policy {
  /**
   * How the student decodes.
   *
   * @param decoding greedy or sampled decoding, with the most tokens per turn
   * @param constrainTags whether each turn must start with a node tag
   * @param groundArguments whether tool calls are written by the workflow's tool signatures, each argument value a
   *     span of the conversation (see {@link dev.subterra.training.decode.GroundedCalls})
   * @param batchSize the most conversations decoded at once
   */
  public record Config(DecodingConfig decoding, boolean constrainTags, boolean groundArguments, int batchSize) {
    public Config {
      if (decoding == null) {
        throw new IllegalArgumentException("Invalid decoding: null");
      }
      if (batchSize < 1) {
        throw new IllegalArgumentException("Invalid batchSize: " + batchSize);
      }
    }

    /**
     * Greedy decoding of turns of up to {@code maxNewTokens}, tags constrained and arguments grounded, 32
     * conversations at a time.
     */
    public static Config greedy(int maxNewTokens) {
      return new Config(DecodingConfig.greedy(maxNewTokens), true, true, 32);
    }

    /** Sampled decoding, tags constrained and arguments grounded, for pass^k. */
    public static Config sampled(int maxNewTokens, double temperature, double topP, long seed) {
      return new Config(DecodingConfig.sampled(maxNewTokens, temperature, topP, seed), true, true, 32);
    }

    /** This configuration with argument grounding on or off. */
    public Config withGroundArguments(boolean ground) {
      return new Config(decoding, constrainTags, ground, batchSize);
    }
  }

  /** Tokens read and written and the seconds spent decoding them, over every call so far. */
  public record Usage(long promptTokens, long generatedTokens, double seconds) {
    /** Tokens processed (read and written) per second of decoding; 0 before any call. */
    public double tokensPerSecond() {
      return seconds > 0 ? (promptTokens + generatedTokens) / seconds : 0;
    }

    /** Tokens written per second of decoding; 0 before any call. */
    public double generatedTokensPerSecond() {
      return seconds > 0 ? generatedTokens / seconds : 0;
    }
  }

  private static final Logger LOG = LoggerFactory.getLogger(StudentPolicy.class);
  /** Spreads the per-call sampling seeds far apart, so that rows of consecutive calls never share a seed. */
  private static final long CALL_STRIDE = 0x9E3779B97F4A7C15L;

  private final ModelArtefact artefact;
  private final Config config;
  private final Decoder decoder;
  private final DialogueSerializer serializer;
  private final int contextLength;
  private long calls;
  private long promptTokens;
  private long generatedTokens;
  private long nanos;

  /** The student of {@code workflow}, whose tools' signatures ground its calls. */
  public StudentPolicy(ModelArtefact artefact, Config config, Workflow workflow) {
    this.artefact = artefact;
    this.config = config;
    this.decoder = Decoder.constrained(artefact.model(), artefact.tokenizer(), config.constrainTags(),
        config.groundArguments() ? GroundedCalls.of(artefact.tokenizer(), workflow, artefact.pointer()) : null);
    this.serializer = artefact.serializer();
    this.contextLength = artefact.model().config().contextLength();
    int maxNew = config.decoding().maxNewTokens();
    if (maxNew > contextLength / 2) {
      throw new IllegalArgumentException("Invalid maxNewTokens: " + maxNew + " (at most half the "
          + contextLength + "-token context, to leave room for the conversation)");
    }
  }

  @Override
  public String name() {
    return "student";
  }

  /** The artefact this policy runs. */
  public ModelArtefact artefact() {
    return artefact;
  }

  @Override
  public List<Optional<PolicyTurn>> next(List<PolicyRequest> requests) {
    List<Optional<PolicyTurn>> out = new ArrayList<>(requests.size());
    for (int from = 0; from < requests.size(); from += config.batchSize()) {
      List<PolicyRequest> batch = requests.subList(from, Math.min(requests.size(), from + config.batchSize()));
      List<int[]> prompts = new ArrayList<>(batch.size());
      List<int[]> conversations = new ArrayList<>(batch.size());
      for (PolicyRequest request : batch) {
        prompts.add(serializer.prompt(request.history(), contextLength, config.decoding().maxNewTokens()));
        // Grounded calls may quote turns the prompt's window cut; without them the decoder reads no sources.
        conversations.add(config.groundArguments() ? serializer.prompt(request.history(), Integer.MAX_VALUE, 0)
            : prompts.get(prompts.size() - 1));
      }
      DecodingConfig base = config.decoding();
      DecodingConfig decoding = base.isGreedy() ? base
          : new DecodingConfig(base.maxNewTokens(), base.temperature(), base.topP(), base.seed() + calls * CALL_STRIDE);
      calls++;
      long start = System.nanoTime();
      List<Generation> generations = decoder.generate(prompts, conversations, decoding);
      nanos += System.nanoTime() - start;
      for (int r = 0; r < batch.size(); r++) {
        Generation g = generations.get(r);
        int[] tokens = g.tokens();
        Turn turn = serializer.parseAgentTurn(tokens);
        promptTokens += prompts.get(r).length;
        generatedTokens += tokens.length;
        out.add(Optional.of(new PolicyTurn(turn, prompts.get(r).length, tokens.length, g.firstTokenConstrained(),
            g.groundedOverrides())));
      }
      LOG.debug("Decoded {} conversations", batch.size());
    }
    return out;
  }

  /** What decoding has read, written and taken so far. */
  public Usage usage() {
    return new Usage(promptTokens, generatedTokens, nanos / 1e9);
  }
}

package dev.subterra.serving;

import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.concurrent.atomic.DoubleAdder;

/**
 * The server's counters and histograms, written in the Prometheus text exposition format (version 0.0.4) for
 * {@code GET /metrics}: requests by endpoint and status, errors by kind, prompt and completion tokens, truncated
 * prompts, the batch size of every decode step, and histograms of request latency and time to first token.
 * Thread-safe and lock-free: handler threads and the decode thread update it at once.
 */
public final class ServerMetrics {
  private static final double[] LATENCY_BUCKETS = {0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60};
  private static final double[] BATCH_BUCKETS = {1, 2, 4, 8, 16, 32, 64, 128, 256};

  private final Map<String, AtomicLong> requests = new ConcurrentHashMap<>();
  private final Map<String, AtomicLong> errors = new ConcurrentHashMap<>();
  private final AtomicLong promptTokens = new AtomicLong();
  private final AtomicLong completionTokens = new AtomicLong();
  private final AtomicLong truncated = new AtomicLong();
  private final AtomicLong steps = new AtomicLong();
  private final AtomicLong cancelled = new AtomicLong();
  private final AtomicLong active = new AtomicLong();
  private final AtomicLong queued = new AtomicLong();
  private final AtomicLong largestBatch = new AtomicLong();
  private final Histogram latency = new Histogram(LATENCY_BUCKETS);
  private final Histogram firstToken = new Histogram(LATENCY_BUCKETS);
  private final Histogram batchSize = new Histogram(BATCH_BUCKETS);

  /** Counts one answered request. */
  public void request(String endpoint, int status) {
    requests.computeIfAbsent("endpoint=\"" + endpoint + "\",status=\"" + status + "\"", k -> new AtomicLong())
        .incrementAndGet();
  }

  /** Counts one refused or failed request by kind (the error object's code). */
  public void error(String kind) {
    errors.computeIfAbsent("kind=\"" + kind + "\"", k -> new AtomicLong()).incrementAndGet();
  }

  /** Counts a completed turn's tokens. */
  public void tokens(int prompt, int completion, boolean wasTruncated) {
    promptTokens.addAndGet(prompt);
    completionTokens.addAndGet(completion);
    if (wasTruncated) {
      truncated.incrementAndGet();
    }
  }

  /** Records one decode step over {@code rows} conversations. */
  public void step(int rows) {
    steps.incrementAndGet();
    batchSize.observe(rows);
    largestBatch.accumulateAndGet(rows, Math::max);
  }

  /** Counts a conversation given up before its turn was finished: its client went away. */
  public void cancelled() {
    cancelled.incrementAndGet();
  }

  /** Conversations cancelled so far. */
  public long cancelledConversations() {
    return cancelled.get();
  }

  /** Records a completion's wall-clock seconds, from the request's arrival to its last byte. */
  public void latency(double seconds) {
    latency.observe(seconds);
  }

  /** Records the seconds from a request's admission to its first generated token. */
  public void firstToken(double seconds) {
    firstToken.observe(seconds);
  }

  /** Sets the conversations being decoded and waiting to join. */
  public void occupancy(int activeRows, int waiting) {
    active.set(activeRows);
    queued.set(waiting);
  }

  /** The largest batch a decode step has run so far. */
  public long largestBatch() {
    return largestBatch.get();
  }

  /** Decode steps run so far. */
  public long steps() {
    return steps.get();
  }

  /** Everything, in the Prometheus text format. */
  public String scrape() {
    StringBuilder out = new StringBuilder();
    labelled(out, "subterra_requests_total", "counter", "HTTP requests answered, by endpoint and status.", requests);
    labelled(out, "subterra_errors_total", "counter", "Requests refused or failed, by error kind.", errors);
    single(out, "subterra_prompt_tokens_total", "counter", "Prompt tokens read by the student.", promptTokens.get());
    single(out, "subterra_completion_tokens_total", "counter", "Tokens the student wrote.", completionTokens.get());
    single(out, "subterra_truncated_prompts_total", "counter",
        "Conversations longer than the context, cut by the training window rule.", truncated.get());
    single(out, "subterra_decode_steps_total", "counter", "Batched decode steps.", steps.get());
    single(out, "subterra_cancelled_conversations_total", "counter",
        "Conversations dropped before their turn was finished (queued or decoding): the client went away.",
        cancelled.get());
    single(out, "subterra_active_conversations", "gauge", "Conversations in the running batch.", active.get());
    single(out, "subterra_queued_conversations", "gauge", "Conversations waiting to join the batch.", queued.get());
    batchSize.write(out, "subterra_batch_size", "Conversations per decode step.");
    latency.write(out, "subterra_request_duration_seconds", "Chat completion latency, arrival to last byte.");
    firstToken.write(out, "subterra_time_to_first_token_seconds", "Admission to the first generated token.");
    return out.toString();
  }

  private static void labelled(StringBuilder out, String name, String type, String help, Map<String, AtomicLong> m) {
    out.append("# HELP ").append(name).append(' ').append(help).append('\n');
    out.append("# TYPE ").append(name).append(' ').append(type).append('\n');
    new TreeMap<>(m).forEach((labels, v) -> out.append(name).append('{').append(labels).append("} ").append(v.get())
        .append('\n'));
  }

  private static void single(StringBuilder out, String name, String type, String help, long value) {
    out.append("# HELP ").append(name).append(' ').append(help).append('\n');
    out.append("# TYPE ").append(name).append(' ').append(type).append('\n');
    out.append(name).append(' ').append(value).append('\n');
  }

  /** A cumulative histogram with fixed upper bounds. */
  static final class Histogram {
    private final double[] bounds;
    private final AtomicLongArray counts;
    private final DoubleAdder sum = new DoubleAdder();
    private final AtomicLong count = new AtomicLong();

    Histogram(double[] bounds) {
      this.bounds = bounds.clone();
      this.counts = new AtomicLongArray(bounds.length);
    }

    void observe(double value) {
      for (int i = 0; i < bounds.length; i++) {
        if (value <= bounds[i]) {
          counts.incrementAndGet(i);
          break;
        }
      }
      sum.add(value);
      count.incrementAndGet();
    }

    void write(StringBuilder out, String name, String help) {
      out.append("# HELP ").append(name).append(' ').append(help).append('\n');
      out.append("# TYPE ").append(name).append(" histogram\n");
      long cumulative = 0;
      for (int i = 0; i < bounds.length; i++) {
        cumulative += counts.get(i);
        out.append(name).append("_bucket{le=\"").append(format(bounds[i])).append("\"} ").append(cumulative)
            .append('\n');
      }
      out.append(name).append("_bucket{le=\"+Inf\"} ").append(count.get()).append('\n');
      out.append(name).append("_sum ").append(format(sum.sum())).append('\n');
      out.append(name).append("_count ").append(count.get()).append('\n');
    }

    private static String format(double v) {
      return v == Math.rint(v) && Math.abs(v) < 1e15 ? String.valueOf((long) v) : String.format(Locale.ROOT, "%s", v);
    }
  }
}

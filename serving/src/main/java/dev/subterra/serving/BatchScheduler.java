package dev.subterra.serving;

import dev.subterra.training.decode.DecodeSession;
import dev.subterra.training.decode.DecodingConfig;
import dev.subterra.training.decode.GroundedCalls;
import dev.subterra.training.decode.Generation;
import java.time.Duration;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The continuous-batching loop: one decode thread drives a {@link DecodeSession}; requests from any number of handler
 * threads wait in a queue and join the running batch at its next step, while there is room for them
 * ({@code maxBatch}); a finished conversation leaves at once, so its place goes to the next in the queue. Throughput
 * grows with load (a step over 32 conversations costs far less than 32 steps) and a conversation waits at most for the
 * conversations ahead of it to free a place, never for a whole batch to finish.
 *
 * <p>Admission is bounded: at most {@code maxConcurrency} conversations are queued or decoding; beyond that,
 * {@link #submit} refuses at once ({@link Overloaded}), which the server answers with a 429. {@link #close} stops
 * admission and lets every admitted conversation finish (graceful drain) before the thread ends.
 *
 * <p>Tokens are handed to each request's own queue as they are written, so a slow streaming client never holds up the
 * decode thread.
 */
public final class BatchScheduler implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(BatchScheduler.class);
  private static final long IDLE_POLL_MILLIS = 50;

  /** Thrown by {@link #submit} when {@code maxConcurrency} conversations are already admitted. */
  public static final class Overloaded extends Exception {
    Overloaded(String message) {
      super(message);
    }
  }

  /** Thrown by {@link #submit} once {@link #close} has begun. */
  public static final class ShuttingDown extends Exception {
    ShuttingDown(String message) {
      super(message);
    }
  }

  /**
   * One admitted conversation: the tokens as they come ({@link #tokens()}), the whole generation when it is done
   * ({@link #result()}), and a way to give up on it.
   */
  public static final class Ticket {
    private final int[] prompt;
    private final DecodingConfig decoding;
    private final boolean[] firstTokens;
    private final GroundedCalls.Row calls;
    private final BlockingQueue<Integer> tokens = new LinkedBlockingQueue<>();
    private final CompletableFuture<Generation> result = new CompletableFuture<>();
    private final long admittedNanos = System.nanoTime();
    private final BatchScheduler owner;
    private volatile boolean cancelled;
    private boolean firstSeen;

    private Ticket(BatchScheduler owner, int[] prompt, DecodingConfig decoding, boolean[] firstTokens,
        GroundedCalls.Row calls) {
      this.owner = owner;
      this.calls = calls;
      this.prompt = prompt;
      this.firstTokens = firstTokens;
      this.decoding = decoding;
    }

    /** The tokens written so far and not yet taken, in order. */
    public BlockingQueue<Integer> tokens() {
      return tokens;
    }

    /** Completes with the generation, or exceptionally if decoding failed or the ticket was cancelled. */
    public CompletableFuture<Generation> result() {
      return result;
    }

    /**
     * Gives up on the conversation (a client that went away): one still waiting to join leaves the queue and frees
     * its place at once; one in the batch is dropped at the next step.
     */
    public void cancel() {
      cancelled = true;
      // Whoever takes it out of the queue finishes it: here, or the decode thread if it polled it first.
      if (owner.waiting.remove(this)) {
        owner.cancelled(this, "cancelled while waiting to join the batch");
      }
    }
  }

  private final Supplier<DecodeSession> sessions;
  private final ServerMetrics metrics;
  private final int maxBatch;
  private final int maxConcurrency;
  private final Semaphore admitted;
  private final BlockingQueue<Ticket> waiting = new LinkedBlockingQueue<>();
  private volatile Hold hold;
  private final Thread thread;
  private volatile boolean closing;

  /**
   * A scheduler, started.
   *
   * @param sessions makes a fresh decode session (again after a failed step, whose state cannot be trusted)
   * @param maxBatch the most conversations in one decode step; 1 decodes one conversation at a time
   * @param maxConcurrency the most conversations queued or decoding
   */
  public BatchScheduler(Supplier<DecodeSession> sessions, ServerMetrics metrics, int maxBatch, int maxConcurrency) {
    if (maxBatch < 1) {
      throw new IllegalArgumentException("Invalid maxBatch: " + maxBatch);
    }
    if (maxConcurrency < 1) {
      throw new IllegalArgumentException("Invalid maxConcurrency: " + maxConcurrency);
    }
    this.sessions = sessions;
    this.metrics = metrics;
    this.maxBatch = maxBatch;
    this.maxConcurrency = maxConcurrency;
    this.admitted = new Semaphore(maxConcurrency);
    this.thread = new Thread(this::loop, "subterra-decode");
    this.thread.setDaemon(true);
    this.thread.start();
  }

  /**
   * Admits a conversation; its first token comes at the next step with room for it, and is one of
   * {@code firstTokens} (see {@link DecodeSession#join(int[], DecodingConfig, boolean[])}).
   */
  public Ticket submit(int[] prompt, DecodingConfig decoding, boolean[] firstTokens) throws Overloaded, ShuttingDown {
    return submit(prompt, decoding, firstTokens, null);
  }

  /** As {@link #submit(int[], DecodingConfig, boolean[])}, with the conversation's tool calls grounded by {@code calls}. */
  public Ticket submit(int[] prompt, DecodingConfig decoding, boolean[] firstTokens, GroundedCalls.Row calls)
      throws Overloaded, ShuttingDown {
    if (closing) {
      throw new ShuttingDown("Cannot accept the request: the server is shutting down");
    }
    if (!admitted.tryAcquire()) {
      throw new Overloaded("Cannot accept the request: the server is at its concurrency limit");
    }
    Ticket ticket = new Ticket(this, prompt.clone(), decoding, firstTokens, calls);
    waiting.add(ticket);
    return ticket;
  }

  /**
   * Stops admitting conversations and waits up to {@code grace} for the admitted ones to finish; any still running
   * then fail with a {@link CancellationException}.
   */
  public void close(Duration grace) {
    closing = true;
    try {
      thread.join(Math.max(1, grace.toMillis()));
      if (thread.isAlive()) {
        LOG.warn("Decoding did not drain within {}; stopping it", grace);
        thread.interrupt();
        thread.join(grace.toMillis());
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  @Override
  public void close() {
    close(Duration.ofSeconds(30));
  }

  private void loop() {
    DecodeSession session = sessions.get();
    Map<Long, Ticket> running = new HashMap<>();
    try {
      while (true) {
        if (Thread.currentThread().isInterrupted()) {
          throw new InterruptedException();
        }
        dropCancelled(session, running);
        while (running.size() < maxBatch) {
          Ticket next = running.isEmpty() ? waiting.poll(IDLE_POLL_MILLIS, TimeUnit.MILLISECONDS) : waiting.poll();
          if (next == null) {
            break;
          }
          if (next.cancelled) {
            cancelled(next, "cancelled before decoding");
            continue;
          }
          try {
            running.put(session.join(next.prompt, next.decoding, next.firstTokens, next.calls), next);
          } catch (RuntimeException e) {
            finish(next, null, e);
          }
        }
        metrics.occupancy(running.size(), waiting.size());
        if (running.isEmpty()) {
          if (closing && waiting.isEmpty()) {
            return;
          }
          continue;
        }
        Hold held = hold;
        if (held != null) {
          held.park();
          // What was cancelled while parked leaves before the step, as it would at any other step.
          dropCancelled(session, running);
          if (running.isEmpty()) {
            continue;
          }
        }
        List<DecodeSession.Token> tokens;
        try {
          tokens = session.step();
        } catch (RuntimeException e) {
          LOG.error("Decode step over {} conversations failed: {}", running.size(), e.toString());
          for (Ticket t : running.values()) {
            finish(t, null, e);
          }
          running.clear();
          session = sessions.get();
          continue;
        }
        metrics.step(tokens.size());
        for (DecodeSession.Token token : tokens) {
          Ticket ticket = running.get(token.conversation());
          if (ticket == null) {
            continue;
          }
          if (!ticket.firstSeen) {
            ticket.firstSeen = true;
            metrics.firstToken((System.nanoTime() - ticket.admittedNanos) / 1e9);
          }
          ticket.tokens.add(token.token());
          if (token.isLast()) {
            running.remove(token.conversation());
            finish(ticket, token.finished(), null);
          }
        }
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } finally {
      CancellationException stopped = new CancellationException("the server stopped before the turn was finished");
      running.values().forEach(t -> finish(t, null, stopped));
      Ticket t;
      while ((t = waiting.poll()) != null) {
        finish(t, null, stopped);
      }
      metrics.occupancy(0, 0);
    }
  }

  private void dropCancelled(DecodeSession session, Map<Long, Ticket> running) {
    for (Iterator<Map.Entry<Long, Ticket>> it = running.entrySet().iterator(); it.hasNext(); ) {
      Map.Entry<Long, Ticket> e = it.next();
      if (e.getValue().cancelled) {
        session.cancel(e.getKey());
        it.remove();
        cancelled(e.getValue(), "cancelled during decoding");
      }
    }
  }

  private void cancelled(Ticket ticket, String where) {
    metrics.cancelled();
    finish(ticket, null, new CancellationException(where));
  }

  /** Conversations queued or decoding: the places {@code maxConcurrency} bounds that are taken. */
  int admitted() {
    return maxConcurrency - admitted.availablePermits();
  }

  /**
   * Parks the decode thread before its next step, with the conversations it has joined, until the hold is closed.
   * For tests: a tiny model finishes a turn in milliseconds, too soon to see a conversation queued, refused or
   * cancelled while another is decoding.
   */
  Hold hold() {
    Hold h = new Hold();
    hold = h;
    return h;
  }

  /** A hold on the decode thread; see {@link #hold()}. */
  final class Hold implements AutoCloseable {
    private final java.util.concurrent.CountDownLatch parked = new java.util.concurrent.CountDownLatch(1);
    private final java.util.concurrent.CountDownLatch released = new java.util.concurrent.CountDownLatch(1);

    private void park() throws InterruptedException {
      parked.countDown();
      released.await();
    }

    /** Waits until the decode thread is parked (it parks only with a conversation to step). */
    boolean awaitParked(Duration timeout) throws InterruptedException {
      return parked.await(timeout.toMillis(), TimeUnit.MILLISECONDS);
    }

    @Override
    public void close() {
      if (hold == this) {
        hold = null;
      }
      released.countDown();
    }
  }

  private void finish(Ticket ticket, Generation generation, Throwable failure) {
    admitted.release();
    if (failure == null) {
      ticket.result.complete(generation);
    } else {
      ticket.result.completeExceptionally(failure);
    }
  }
}

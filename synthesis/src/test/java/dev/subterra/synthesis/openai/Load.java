package dev.subterra.synthesis.openai;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

/** A bounded load on a chat client: numbered questions from a pool of caller threads, each answer awaited. */
final class Load {
  private static final long ANSWER_TIMEOUT_SECONDS = 60;

  private Load() {}

  /** One question, numbered so that no two requests share a cache key. */
  static ChatRequest question(int n) {
    return new ChatRequest("m", List.of(ChatMessage.user("question " + n)), 0.7, 16, 1);
  }

  /** Sends {@code requests} questions from {@code callers} threads and waits for every answer. */
  static void run(ChatClient client, int requests, int callers) throws Exception {
    ExecutorService pool = Executors.newFixedThreadPool(callers);
    try {
      List<Future<ChatResponse>> answers = new ArrayList<>();
      for (int i = 0; i < requests; i++) {
        int n = i;
        answers.add(pool.submit(() -> client.complete(question(n))));
      }
      for (Future<ChatResponse> answer : answers) {
        answer.get(ANSWER_TIMEOUT_SECONDS, TimeUnit.SECONDS);
      }
    } finally {
      pool.shutdownNow();
    }
  }
}

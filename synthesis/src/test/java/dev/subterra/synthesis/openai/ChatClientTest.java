package dev.subterra.synthesis.openai;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.subterra.synthesis.TeacherException;
import dev.subterra.synthesis.testing.CapturingLoggerProvider;
import dev.subterra.synthesis.testing.FakeChatServer;
import dev.subterra.synthesis.testing.FakeChatServer.Fault;
import java.net.URI;
import java.time.Duration;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

@Timeout(value = 30, unit = TimeUnit.SECONDS)
class ChatClientTest {
  private static final int RETRIES = 3;
  private static final String SECRET = "sk-test-7f3a9c2e-do-not-leak";

  private FakeChatServer server;
  private final List<Duration> waits = Collections.synchronizedList(new ArrayList<>());
  private final Sleeper recording = waits::add;

  @BeforeEach
  void startServer() throws Exception {
    server = FakeChatServer.start();
  }

  @AfterEach
  void stopServer() {
    server.close();
  }

  static ChatClientConfig fastConfig(URI base) {
    return ChatClientConfig.defaults(base, 42L)
        .withTimeouts(Duration.ofSeconds(2), Duration.ofSeconds(2))
        .withRetries(RETRIES, Duration.ofMillis(10), Duration.ofMillis(80), Duration.ofSeconds(5));
  }

  private ChatClient client() {
    return new ChatClient(fastConfig(server.baseUrl()), Optional.empty(), recording);
  }

  private static ChatRequest request(String text) {
    return new ChatRequest("gpt-4o-mini", List.of(ChatMessage.system("Be brief."), ChatMessage.user(text)), 0.7, 64,
        7);
  }

  @Test
  void parsesContentFinishReasonAndUsage() throws Exception {
    ChatResponse response = client().complete(request("Hello"));

    String body = server.bodies().get(0);
    assertThat(response.content()).isEqualTo(FakeChatServer.answerFor(body));
    assertThat(response.finishReason()).isEqualTo("stop");
    assertThat(response.usage().estimated()).isFalse();
    assertThat(response.usage().inputTokens()).isEqualTo(body.length() / 4);
    assertThat(body).isEqualTo(new String(request("Hello").canonicalJson(), java.nio.charset.StandardCharsets.UTF_8));
    assertThat(body).contains("\"max_tokens\":64", "\"seed\":7", "\"temperature\":0.7", "\"model\":\"gpt-4o-mini\"");
  }

  @Test
  void reachesTheEndpointWhetherOrNotTheBaseUrlEndsInV1() throws Exception {
    for (String suffix : List.of("", "/", "/v1", "/v1/")) {
      ChatClient client = new ChatClient(fastConfig(URI.create(server.baseUrl() + suffix)), Optional.empty(),
          recording);
      assertThat(client.complete(request("Hi " + suffix)).content()).startsWith("Reply ");
    }
    assertThat(server.hits()).isEqualTo(4);
  }

  @Test
  void retriesA429AfterTheRetryAfterSecondsAndHalvesTheLimit() throws Exception {
    server.retryAfter("3").script(Fault.RATE_LIMITED);
    ChatClient client = client();
    double before = client.stats().concurrencyLimit();

    ChatResponse response = client.complete(request("Hello"));

    assertThat(response.content()).startsWith("Reply ");
    assertThat(server.hits()).isEqualTo(2);
    assertThat(waits).anySatisfy(wait -> assertThat(wait).isGreaterThanOrEqualTo(Duration.ofSeconds(3)));
    assertThat(client.stats().throttled()).isEqualTo(1);
    assertThat(client.stats().concurrencyLimit()).isLessThan(before);
  }

  @Test
  void honoursARetryAfterHttpDate() throws Exception {
    String inFourSeconds = DateTimeFormatter.RFC_1123_DATE_TIME.format(
        ZonedDateTime.now(ZoneOffset.UTC).plusSeconds(4));
    server.retryAfter(inFourSeconds).script(Fault.RATE_LIMITED);

    client().complete(request("Hello"));

    assertThat(waits).anySatisfy(wait -> assertThat(wait).isBetween(Duration.ofSeconds(2), Duration.ofSeconds(4)));
  }

  @Test
  void cutsARetryAfterLongerThanTheCap() throws Exception {
    server.retryAfter("3600").script(Fault.RATE_LIMITED);

    client().complete(request("Hello"));

    assertThat(waits).isNotEmpty().allSatisfy(wait -> assertThat(wait).isLessThanOrEqualTo(Duration.ofSeconds(5)));
  }

  @Test
  void reallyWaitsTheRetryAfterWithTheSystemSleeper() throws Exception {
    server.retryAfter("1").script(Fault.RATE_LIMITED);
    ChatClient client = new ChatClient(fastConfig(server.baseUrl()), Optional.empty());

    long start = System.nanoTime();
    client.complete(request("Hello"));

    assertThat(Duration.ofNanos(System.nanoTime() - start)).isGreaterThanOrEqualTo(Duration.ofMillis(1000));
  }

  @Test
  void retriesServerErrorsUntilOneSucceeds() throws Exception {
    server.script(Fault.SERVER_ERROR, Fault.UNAVAILABLE);
    ChatClient client = client();

    assertThat(client.complete(request("Hello")).content()).startsWith("Reply ");
    assertThat(server.hits()).isEqualTo(3);
    assertThat(client.stats().serverErrors()).isEqualTo(2);
    assertThat(client.stats().retries()).isEqualTo(2);
  }

  @Test
  void givesUpAfterTheRetryCapWithARetryableException() {
    server.failWhen("", Fault.UNAVAILABLE);

    assertThatThrownBy(() -> client().complete(request("Hello")))
        .isInstanceOfSatisfying(TeacherException.class, e -> assertThat(e.retryable()).isTrue())
        .hasMessage("Cannot call teacher after " + (RETRIES + 1) + " attempts: HTTP 503");
    assertThat(server.hits()).isEqualTo(RETRIES + 1);
    assertThat(waits).hasSize(RETRIES);
  }

  @Test
  void retriesAConnectionClosedWithoutResponse() throws Exception {
    server.script(Fault.DROP_CONNECTION);
    ChatClient client = client();

    assertThat(client.complete(request("Hello")).content()).startsWith("Reply ");
    assertThat(server.hits()).isEqualTo(2);
    assertThat(client.stats().connectionFailures()).isEqualTo(1);
  }

  @Test
  void retriesAResponseSlowerThanTheTimeout() throws Exception {
    // Margins are wide on purpose: a loaded CI machine may take hundreds of milliseconds to answer a normal request.
    server.slowDelay(Duration.ofSeconds(6)).script(Fault.SLOW);
    ChatClient client = new ChatClient(
        fastConfig(server.baseUrl()).withTimeouts(Duration.ofSeconds(1), Duration.ofMillis(1500)), Optional.empty(),
        recording);

    long start = System.nanoTime();
    assertThat(client.complete(request("Hello")).content()).startsWith("Reply ");

    assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(6));
    assertThat(client.stats().timeouts()).isEqualTo(1);
    assertThat(server.hits()).isEqualTo(2);
  }

  @Test
  void givesUpOnTimeoutsAfterTheCap() {
    server.slowDelay(Duration.ofMillis(600)).failWhen("", Fault.SLOW);
    ChatClient client = new ChatClient(
        fastConfig(server.baseUrl()).withTimeouts(Duration.ofSeconds(1), Duration.ofMillis(100))
            .withRetries(1, Duration.ofMillis(10), Duration.ofMillis(10), Duration.ofSeconds(1)),
        Optional.empty(), recording);

    assertThatThrownBy(() -> client.complete(request("Hello")))
        .isInstanceOfSatisfying(TeacherException.class, e -> assertThat(e.retryable()).isTrue())
        .hasMessageStartingWith("Cannot call teacher after 2 attempts: timed out");
  }

  @ParameterizedTest
  @EnumSource(value = Fault.class, names = {"BAD_JSON", "NO_CHOICES", "EMPTY_CONTENT", "CUT_OFF"})
  void retriesAMalformedAnswerOnce(Fault fault) throws Exception {
    server.script(fault);
    ChatClient client = client();

    assertThat(client.complete(request("Hello")).content()).startsWith("Reply ");
    assertThat(server.hits()).isEqualTo(2);
    assertThat(client.stats().malformed()).isEqualTo(1);
  }

  @ParameterizedTest
  @EnumSource(value = Fault.class, names = {"BAD_JSON", "NO_CHOICES", "EMPTY_CONTENT", "CUT_OFF"})
  void rejectsAnAnswerThatStaysMalformedWithItsReason(Fault fault) {
    server.failWhen("", fault);
    String reason = switch (fault) {
      case BAD_JSON -> "answer is not JSON";
      case NO_CHOICES -> "answer has no choices";
      case EMPTY_CONTENT -> "answer has empty content";
      default -> "answer was cut off at max_tokens=64 (finish_reason=length)";
    };

    assertThatThrownBy(() -> client().complete(request("Hello")))
        .isInstanceOfSatisfying(TeacherException.class, e -> assertThat(e.retryable()).isFalse())
        .hasMessageStartingWith("Cannot use teacher answer after " + (RETRIES + 1) + " attempts: " + reason);
    assertThat(server.hits()).isEqualTo(RETRIES + 1);
  }

  @Test
  void estimatesUsageWhenTheServerReportsNone() throws Exception {
    server.script(Fault.NO_USAGE);

    ChatResponse response = client().complete(request("Hello"));

    assertThat(response.usage().estimated()).isTrue();
    assertThat(response.usage().inputTokens()).isEqualTo((request("Hello").promptChars() + 3) / 4);
  }

  @Test
  void doesNotRetryARefusedRequest() {
    server.failWhen("", Fault.UNAUTHORIZED_ECHO);

    assertThatThrownBy(() -> client().complete(request("Hello")))
        .isInstanceOfSatisfying(TeacherException.class, e -> assertThat(e.retryable()).isFalse())
        .hasMessageStartingWith("Cannot call teacher: HTTP 401");
    assertThat(server.hits()).isEqualTo(1);
  }

  @Test
  void sendsTheKeyOnlyInTheHeaderAndNeverLeaksIt() {
    server.failWhen("", Fault.UNAUTHORIZED_ECHO);
    Optional<ApiKey> key = ApiKey.fromEnvironment(Map.of(ApiKey.VARIABLE, SECRET)::get);
    ChatClient client = new ChatClient(fastConfig(server.baseUrl()), key, recording);

    Throwable thrown = org.assertj.core.api.Assertions.catchThrowable(() -> client.complete(request("Hello")));

    assertThat(server.authorizations()).containsExactly("Bearer " + SECRET);
    assertThat(server.bodies().get(0)).doesNotContain(SECRET);
    assertThat(thrown).hasMessageContaining("[redacted]");
    assertThat(thrown.getMessage()).doesNotContain(SECRET);
    assertThat(key.orElseThrow().toString()).doesNotContain(SECRET);
    assertThat(client.toString()).doesNotContain(SECRET);
    assertThat(CapturingLoggerProvider.text()).doesNotContain(SECRET).contains("API key set");
  }

  @Test
  void drawsTheSameJitterFromTheSameSeed() {
    List<List<Duration>> runs = new ArrayList<>();
    for (int run = 0; run < 2; run++) {
      server.script(Fault.SERVER_ERROR, Fault.SERVER_ERROR, Fault.SERVER_ERROR);
      waits.clear();
      try {
        client().complete(request("Hello"));
      } catch (TeacherException e) {
        throw new AssertionError(e);
      }
      runs.add(List.copyOf(waits));
    }
    assertThat(runs.get(0)).hasSize(RETRIES).isEqualTo(runs.get(1));
    Backoff ceilings = new Backoff(Duration.ofMillis(10), Duration.ofMillis(80), 0);
    for (int retry = 0; retry < RETRIES; retry++) {
      assertThat(runs.get(0).get(retry)).isBetween(Duration.ZERO, ceilings.ceiling(retry));
    }
  }

  @Test
  void keepsRequestsInFlightWithinTheConcurrencyLimit() throws Exception {
    server.latency(Duration.ofMillis(100));
    ChatClient client = new ChatClient(fastConfig(server.baseUrl()).withConcurrency(2, 2), Optional.empty(),
        recording);
    ExecutorService pool = Executors.newFixedThreadPool(8);
    try {
      List<Future<ChatResponse>> answers = new ArrayList<>();
      for (int i = 0; i < 8; i++) {
        String text = "Hello " + i;
        answers.add(pool.submit(() -> client.complete(request(text))));
      }
      for (Future<ChatResponse> answer : answers) {
        assertThat(answer.get(10, TimeUnit.SECONDS).content()).startsWith("Reply ");
      }
    } finally {
      pool.shutdownNow();
    }
    assertThat(server.hits()).isEqualTo(8);
    assertThat(server.peakInFlight()).isEqualTo(2);
  }
}

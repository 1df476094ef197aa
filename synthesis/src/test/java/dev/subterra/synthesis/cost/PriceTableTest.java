package dev.subterra.synthesis.cost;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class PriceTableTest {

  @Test
  void bundledTableHasADateAndASourceForEveryModel() {
    PriceTable table = PriceTable.bundled();

    assertThat(table.version()).isNotBlank();
    assertThat(table.entries()).hasSizeGreaterThanOrEqualTo(5).allSatisfy(price -> {
      assertThat(price.date()).isNotNull();
      assertThat(price.source()).startsWith("https://");
      assertThat(price.inputPerMillion()).isPositive();
      assertThat(price.outputPerMillion()).isGreaterThanOrEqualTo(price.inputPerMillion());
    });
  }

  @Test
  void findsModelsWithoutGatewayPrefixOrSnapshotSuffix() {
    PriceTable table = PriceTable.bundled();
    ModelPrice mini = table.price("gpt-4o-mini").orElseThrow();

    assertThat(table.price("gpt-4o-mini-2024-07-18")).contains(mini);
    assertThat(table.price("openai/gpt-4o-mini")).contains(mini);
    assertThat(table.price("GPT-4o-mini")).contains(mini);
    assertThat(table.price("claude-3-5-haiku-20241022").orElseThrow().model()).isEqualTo("claude-3-5-haiku");
    assertThat(table.price("gpt-4o-audio-preview")).isEmpty();
    assertThat(table.price("llama3.1:8b")).isEmpty();
  }

  @Test
  void pricesTokensExactly() {
    ModelPrice mini = PriceTable.bundled().price("gpt-4o-mini").orElseThrow();

    // 1M in at $0.15 plus 500k out at $0.60.
    assertThat(mini.cost(new TokenUsage(1_000_000, 500_000, false))).isEqualByComparingTo("0.45");
    assertThat(mini.cost(new TokenUsage(1, 0, false))).isEqualByComparingTo(new BigDecimal("0.00000015"));
  }

  @Test
  void rejectsAnEntryWithoutASourceNamingIt() {
    String json = "{\"version\":\"t\",\"models\":[{\"model\":\"m\",\"input_usd_per_million\":1,"
        + "\"output_usd_per_million\":2,\"date\":\"2025-01-01\"}]}";

    assertThatThrownBy(() -> PriceTable.read(new ByteArrayInputStream(json.getBytes(StandardCharsets.UTF_8)), "t.json"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("Invalid source in t.json entry m: null");
  }

  @Test
  void rejectsANegativePrice() {
    String json = "{\"version\":\"t\",\"models\":[{\"model\":\"m\",\"input_usd_per_million\":-1,"
        + "\"output_usd_per_million\":2,\"date\":\"2025-01-01\",\"source\":\"s\"}]}";

    assertThatThrownBy(() -> PriceTable.read(new ByteArrayInputStream(json.getBytes(StandardCharsets.UTF_8)), "t.json"))
        .hasMessage("Invalid input_usd_per_million for m: -1");
  }
}

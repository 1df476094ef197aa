package dev.subterra.evaluation.cost;

import dev.subterra.synthesis.cost.ModelPrice;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Everything a cost per conversation depends on beyond the conversations themselves, printed next to every cost
 * report.
 *
 * @param hardware the machine the student is assumed to run on, with its hourly price
 * @param hardwareTableVersion the version of the hardware price table it came from
 * @param studentTokensPerSecond the student's measured throughput on that hardware: tokens read and written per second
 *     of decoding, prefill included (as {@code StudentPolicy.Usage#tokensPerSecond} measures it)
 * @param throughputMeasuredOn where the throughput was measured ("this run, 2 CPU cores, batch 32"), since a throughput
 *     measured elsewhere than on {@code hardware} makes the student's price an estimate
 * @param utilisation the share of paid hours the student is busy, in (0, 1]; 1 assumes a saturated server
 * @param frontier the frontier model the baselines are priced with
 * @param frontierTableVersion the version of the price table it came from
 * @param routingOutputTokens tokens an orchestrator's routing call writes (the chosen option)
 */
public record CostAssumptions(
    HardwarePrice hardware,
    String hardwareTableVersion,
    double studentTokensPerSecond,
    String throughputMeasuredOn,
    double utilisation,
    ModelPrice frontier,
    String frontierTableVersion,
    int routingOutputTokens) {

  /** What a routing call writes by default: an option number and a little framing. */
  public static final int DEFAULT_ROUTING_OUTPUT_TOKENS = 5;

  public CostAssumptions {
    if (hardware == null) {
      throw new IllegalArgumentException("Invalid hardware: null");
    }
    if (!(studentTokensPerSecond > 0) || Double.isInfinite(studentTokensPerSecond)) {
      throw new IllegalArgumentException("Invalid studentTokensPerSecond: " + studentTokensPerSecond);
    }
    if (!(utilisation > 0 && utilisation <= 1)) {
      throw new IllegalArgumentException("Invalid utilisation: " + utilisation);
    }
    if (frontier == null) {
      throw new IllegalArgumentException("Invalid frontier: null");
    }
    if (routingOutputTokens < 0) {
      throw new IllegalArgumentException("Invalid routingOutputTokens: " + routingOutputTokens);
    }
  }

  /** The assumptions as data, with stable keys, for reports. */
  public Map<String, Object> toMap() {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("student_hardware", hardware.name());
    m.put("student_hardware_kind", hardware.kind());
    m.put("student_hardware_description", hardware.description());
    m.put("student_hardware_usd_per_hour", hardware.usdPerHour());
    m.put("student_hardware_price_date", hardware.date().toString());
    m.put("student_hardware_price_source", hardware.source());
    m.put("hardware_price_table_version", hardwareTableVersion);
    m.put("student_tokens_per_second", studentTokensPerSecond);
    m.put("student_throughput_measured_on", throughputMeasuredOn);
    m.put("student_utilisation", utilisation);
    m.put("frontier_model", frontier.model());
    m.put("frontier_input_usd_per_million", frontier.inputPerMillion());
    m.put("frontier_output_usd_per_million", frontier.outputPerMillion());
    m.put("frontier_price_date", frontier.date().toString());
    m.put("frontier_price_source", frontier.source());
    m.put("frontier_price_table_version", frontierTableVersion);
    m.put("token_approximation", "ceil(chars / " + TokenApproximation.CHARS_PER_TOKEN + ") + "
        + TokenApproximation.MESSAGE_OVERHEAD + " per message");
    m.put("routing_output_tokens", routingOutputTokens);
    return m;
  }
}

package dev.subterra.evaluation.metrics;

/**
 * The keys of the closed-loop metrics, as they appear in {@code summary.json} and per-conversation results. Stable:
 * reports, notebooks and the promotion gate read them.
 */
public final class MetricName {
  /** Turns whose node tag is the node the path expected, over agent turns. */
  public static final String NODE_ACCURACY = "node_accuracy";
  /** The same over turns right after a hub (a decision, or any node with several edges). */
  public static final String HUB_ACCURACY = "hub_accuracy";
  /** Conversations played to the path's terminal with the closing agent turn right, over conversations. */
  public static final String TERMINAL_ACCURACY = "terminal_accuracy";
  /** Conversations that followed the whole path (every turn's node and call right, played to the end). */
  public static final String PATH_FIDELITY = "path_fidelity";
  /** Path fidelity on held-out paths, which no training dialogue followed. */
  public static final String HELDOUT_PATH_FIDELITY = "heldout_path_fidelity";
  /** tau-bench's pass^k: the chance that all k runs of a scenario follow its path, over scenarios. */
  public static final String PASS_K = "pass_k";
  /** pass^1: the chance that one run follows the path, over scenarios (mean over their runs). */
  public static final String PASS_1 = "pass_1";
  /** Tool arguments given the scenario's value, over the arguments of the path's tool calls. */
  public static final String SLOT_ACCURACY = "slot_accuracy";
  /** Tool calls exactly right (tool and every argument), over the path's tool calls. */
  public static final String TOOL_CALL_ACCURACY = "tool_call_accuracy";
  /** Cited knowledge-base facts whose statement the turn contains, over facts the path's turns cite. */
  public static final String FACT_ACCURACY = "fact_accuracy";
  /** Turns with no tag, a tag naming no node, or a tag only constrained decoding made valid, over agent turns. */
  public static final String INVALID_TAG_RATE = "invalid_tag_rate";
  /** Calls whose arguments grounded decoding changed from the model's own choice, over the calls the policy made. */
  public static final String GROUNDED_CALL_RATE = "grounded_call_rate";
  /** Conversations played to the path's end, over conversations. */
  public static final String COMPLETION_RATE = "completion_rate";
  /** Agent turns of the conversations played to the end: a mean, not a rate. */
  public static final String TURNS_TO_COMPLETION = "turns_to_completion";
  /** chrF of each agent text turn against the teacher's turn at the same place, averaged over turns. */
  public static final String CHRF = "chrf";

  private MetricName() {}
}

package dev.subterra.evaluation.cost;

import java.math.BigDecimal;

/**
 * What one conversation costs the student and the two frontier baselines, with the tokens each is priced on.
 *
 * @param studentTokens tokens the student read and wrote (prefill plus decode), as measured
 * @param studentUsd the student's cost on the assumed hardware
 * @param inContextInputTokens tokens the in-context baseline reads: the procedure and the conversation so far, on every
 *     agent turn
 * @param inContextOutputTokens tokens it writes: the agent turns
 * @param inContextUsd its cost
 * @param orchestratedInputTokens tokens the orchestrated baseline reads: a per-node prompt and the conversation on
 *     every agent turn, and a routing prompt and the conversation at every hub
 * @param orchestratedOutputTokens tokens it writes: the agent turns and the routing answers
 * @param orchestratedUsd its cost
 */
public record ConversationCost(
    long studentTokens,
    BigDecimal studentUsd,
    long inContextInputTokens,
    long inContextOutputTokens,
    BigDecimal inContextUsd,
    long orchestratedInputTokens,
    long orchestratedOutputTokens,
    BigDecimal orchestratedUsd) {}

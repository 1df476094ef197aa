package dev.subterra.synthesis.openai;

import dev.subterra.synthesis.Dialogue;
import dev.subterra.synthesis.cost.TokenUsage;
import java.math.BigDecimal;

/**
 * A dialogue with what writing it took: teacher answers used, how many of them came from the cache, their tokens, and
 * what they cost when first made (so a resumed run reports the same cost for the same dialogue).
 */
public record MeteredDialogue(Dialogue dialogue, int completions, int cacheHits, TokenUsage usage, BigDecimal costUsd) {}

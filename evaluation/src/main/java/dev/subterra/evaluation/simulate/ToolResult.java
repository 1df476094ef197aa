package dev.subterra.evaluation.simulate;

/**
 * What a simulated tool answered to one call.
 *
 * @param result the result as the agent sees it: compact JSON, {@code {"status": ...}} first
 * @param matched whether the call was the one the scenario's path makes next (right tool, right arguments), so the
 *     result is the one the path expects
 */
public record ToolResult(String result, boolean matched) {}

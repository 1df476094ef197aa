package dev.subterra.synthesis.openai;

/**
 * What an {@link LlmTeacher} asks its model for: the model name as the server knows it, the sampling temperature and
 * the most tokens one turn may take. A turn cut off at {@code maxTokens} is rejected, not kept half-written, so leave
 * room.
 */
public record LlmTeacherConfig(String model, double temperature, int maxTokens) {

  public LlmTeacherConfig {
    if (model == null || model.isBlank() || !model.strip().equals(model)) {
      throw new IllegalArgumentException("Invalid model: " + model);
    }
    if (!(temperature >= 0 && temperature <= 2)) {
      throw new IllegalArgumentException("Invalid temperature: " + temperature);
    }
    if (maxTokens < 1) {
      throw new IllegalArgumentException("Invalid maxTokens: " + maxTokens);
    }
  }

  /** Temperature 0.7, for varied but sensible turns, and 512 tokens per turn. */
  public static LlmTeacherConfig defaults(String model) {
    return new LlmTeacherConfig(model, 0.7, 512);
  }
}

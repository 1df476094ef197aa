package dev.subterra.serving.protocol;

import com.fasterxml.jackson.annotation.JsonInclude;

/** The body of an error answer, as OpenAI writes it: {@code {"error": {"message", "type", "param", "code"}}}. */
public record ErrorResponse(Error error) {
  /** The error object; {@code param} and {@code code} are written as null when absent, as OpenAI does. */
  @JsonInclude(JsonInclude.Include.ALWAYS)
  public record Error(String message, String type, String param, String code) {}
}

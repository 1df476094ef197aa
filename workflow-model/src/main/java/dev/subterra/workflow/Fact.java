package dev.subterra.workflow;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;

/**
 * One entry of a workflow's knowledge base: either a question with its answer, or a key with its value. Agent nodes
 * cite facts by id, and evaluation checks that the student states them correctly.
 */
@JsonInclude(JsonInclude.Include.NON_EMPTY)
@JsonPropertyOrder({"id", "question", "answer", "key", "value"})
public record Fact(String id, String question, String answer, String key, String value) {

  @JsonCreator
  public Fact(
      @JsonProperty("id") String id,
      @JsonProperty("question") String question,
      @JsonProperty("answer") String answer,
      @JsonProperty("key") String key,
      @JsonProperty("value") String value) {
    this.id = id;
    this.question = question;
    this.answer = answer;
    this.key = key;
    this.value = value;
  }

  /** The text a correct answer must contain: the answer of a question, or the value of a key. */
  public String statement() {
    return answer != null ? answer : value;
  }
}

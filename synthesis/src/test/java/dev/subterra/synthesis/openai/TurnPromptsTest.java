package dev.subterra.synthesis.openai;

import static org.assertj.core.api.Assertions.assertThat;

import dev.subterra.synthesis.Scenario;
import dev.subterra.synthesis.Turn;
import dev.subterra.workflow.Edge;
import dev.subterra.workflow.Node;
import dev.subterra.workflow.Workflow;
import dev.subterra.workflow.paths.PathSplit;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class TurnPromptsTest {
  private static final Scenario SCENARIO = new Scenario("s", "w", "p", List.of("hello", "answer"), 1, "", List.of(),
      Map.of("order", "A-100"), PathSplit.TRAIN);

  @Test
  void fallsBackToTemplatesWhenANodeHasNoPrompt() {
    Node agent = Node.agent("hello", null, List.of("Hello, what is your order number?"), List.of(Edge.to("answer")));
    Node user = Node.user("answer", null, List.of("It is {order}."), List.of());
    Workflow workflow = new Workflow("w", null, null, "hello", List.of(), Map.of(), List.of(), List.of(agent, user));

    List<ChatMessage> forAgent = TurnPrompts.agent(workflow, SCENARIO, agent, List.of(), List.of());
    List<ChatMessage> forUser = TurnPrompts.user(workflow, SCENARIO, user, List.of(),
        List.of(Turn.agent("hello", "Hi! Your order number?")));

    assertThat(forAgent.get(0).content()).contains("something like: Hello, what is your order number?");
    assertThat(forAgent.get(1).content()).isEqualTo(
        "The conversation has not started. Write the agent's opening message.");
    assertThat(forUser.get(0).content()).contains("Who you are: an ordinary customer.",
        "- order: A-100", "something like: It is A-100.").doesNotContain("must make this true");
    assertThat(forUser.get(1).content()).isEqualTo(
        "Conversation so far:\nAgent: Hi! Your order number?\n\nWrite your next message.");
  }
}

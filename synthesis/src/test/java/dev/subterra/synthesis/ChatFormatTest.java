package dev.subterra.synthesis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.subterra.synthesis.template.TemplateTeacher;
import dev.subterra.workflow.Workflow;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ChatFormatTest {
  private static final long SEED = 9;
  private static final ObjectMapper JSON = new ObjectMapper();

  private static List<Dialogue> dialogues(Workflow workflow) throws Exception {
    List<Dialogue> out = new ArrayList<>();
    TemplateTeacher teacher = new TemplateTeacher();
    for (Scenario scenario : new ScenarioPlanner(workflow, ScenarioConfig.perPath(2, SEED))
        .plan(Fixtures.catalog(workflow).paths()).scenarios()) {
      out.add(teacher.write(workflow, scenario));
    }
    return out;
  }

  private static String expectedRole(Turn turn) {
    return switch (turn.role()) {
      case USER -> "user";
      case AGENT -> "assistant";
      case TOOL -> "assistant+tool";
    };
  }

  @Test
  void everyDialogueIsOneLineOfValidJsonWithOneMessagePerTurn() throws Exception {
    Workflow workflow = Fixtures.load("support-desk.yaml");
    ChatFormat format = ChatFormat.forWorkflow(workflow);
    for (Dialogue dialogue : dialogues(workflow)) {
      String line = format.line(dialogue);
      assertThat(line).doesNotContain("\n");
      JsonNode messages = JSON.readTree(line).get("messages");

      assertThat(messages.get(0).get("role").asText()).isEqualTo("system");
      assertThat(messages.get(0).get("content").asText()).startsWith("You are the assistant for Support desk.");
      List<String> roles = new ArrayList<>();
      for (int m = 1; m < messages.size(); m++) {
        String role = messages.get(m).get("role").asText();
        if (role.equals("tool")) {
          roles.set(roles.size() - 1, roles.get(roles.size() - 1) + "+tool");
        } else {
          roles.add(role);
        }
      }
      assertThat(roles).containsExactlyElementsOf(dialogue.turns().stream().map(ChatFormatTest::expectedRole)
          .toList());
    }
  }

  @Test
  void toolTurnsBecomeToolCallsAndToolMessagesLinkedByTheirId() throws Exception {
    Workflow workflow = Fixtures.load("support-desk.yaml");
    Dialogue dialogue = dialogues(workflow).get(0);
    JsonNode root = JSON.readTree(ChatFormat.forWorkflow(workflow).line(dialogue));
    JsonNode messages = root.get("messages");
    List<Turn> tools = dialogue.turns().stream().filter(t -> t.role() == Role.TOOL).toList();

    int seen = 0;
    for (int m = 0; m < messages.size(); m++) {
      JsonNode message = messages.get(m);
      if (!message.has("tool_calls")) {
        continue;
      }
      Turn turn = tools.get(seen++);
      JsonNode call = message.get("tool_calls").get(0);
      assertThat(message.get("content").isNull()).isTrue();
      assertThat(call.get("type").asText()).isEqualTo("function");
      assertThat(call.get("function").get("name").asText()).isEqualTo(turn.call().name());
      Map<String, String> arguments = JSON.readValue(call.get("function").get("arguments").asText(),
          new TypeReference<Map<String, String>>() { });
      assertThat(arguments).containsExactlyEntriesOf(turn.call().arguments());
      JsonNode result = messages.get(m + 1);
      assertThat(result.get("role").asText()).isEqualTo("tool");
      assertThat(result.get("tool_call_id").asText()).isEqualTo(call.get("id").asText());
      assertThat(result.get("content").asText()).isEqualTo(turn.result());
    }
    assertThat(seen).isEqualTo(tools.size()).isPositive();
    assertThat(root.get("tools")).hasSize(2);
    assertThat(root.get("tools").get(0).get("function").get("parameters").get("required").toString())
        .isEqualTo("[\"serial_number\",\"device_type\",\"owner\"]");
  }

  @Test
  void nodeTagsPrefixEveryAssistantMessage() throws Exception {
    Workflow workflow = Fixtures.retryLoop();
    Dialogue dialogue = dialogues(workflow).stream().filter(d -> d.turns().get(0).role() == Role.AGENT)
        .findFirst().orElseThrow();
    JsonNode messages = JSON.readTree(ChatFormat.forWorkflow(workflow).withNodeTags(true).line(dialogue))
        .get("messages");

    assertThat(messages.get(1).get("content").asText()).isEqualTo("[greet] Hello, what is your order number?");
    for (JsonNode message : messages) {
      if (message.get("role").asText().equals("assistant")) {
        assertThat(message.get("content").asText()).matches("\\[[A-Za-z0-9_.-]+\\].*");
      }
    }
  }

  @Test
  void anEmptySystemPromptIsLeftOutAndNullIsRefused() throws Exception {
    Workflow workflow = Fixtures.ladder();
    JsonNode root = JSON.readTree(new ChatFormat("", Map.of(), false).line(dialogues(workflow).get(0)));

    assertThat(root.get("messages").get(0).get("role").asText()).isEqualTo("assistant");
    assertThat(root.has("tools")).isFalse();
    assertThatThrownBy(() -> new ChatFormat(null, Map.of(), false)).isInstanceOf(IllegalArgumentException.class)
        .hasMessage("Invalid systemPrompt: null (use an empty string for none)");
  }

  @Test
  void scenariosAndDialoguesRoundTripThroughJackson() throws Exception {
    Workflow workflow = Fixtures.load("support-desk.yaml");
    Scenario scenario = new ScenarioPlanner(workflow, ScenarioConfig.perPath(1, SEED))
        .plan(Fixtures.catalog(workflow).paths()).scenarios().get(0);
    Dialogue dialogue = new TemplateTeacher().write(workflow, scenario);

    assertThat(JSON.readValue(JSON.writeValueAsString(scenario), Scenario.class)).isEqualTo(scenario);
    assertThat(JSON.readValue(JSON.writeValueAsString(dialogue), Dialogue.class)).isEqualTo(dialogue);
    assertThat(JSON.writeValueAsString(dialogue.turns().get(0))).startsWith("{\"role\":\"agent\",");
  }
}

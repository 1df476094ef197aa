package dev.subterra.evaluation.star;

import dev.subterra.synthesis.Role;
import dev.subterra.synthesis.ToolInvocation;
import dev.subterra.synthesis.Turn;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Finds the labelled wizard turns of a STAR dialogue and the history before each, in the form training serialises
 * dialogues in.
 *
 * <p>Labels: a {@code pick_suggestion} is labelled with its {@code ActionLabel}; a {@code query} with {@code query},
 * {@code query_check} or {@code query_book}, from its constraint {@code RequestType} ({@code "Check"} or
 * {@code "Book"}; none means {@code query}). Every other wizard event (free text, suggestion requests, selections)
 * has no label.
 *
 * <p>History: each user utterance is a user turn; each wizard message is an agent turn, tagged with its action when it
 * was a picked suggestion (the label of an earlier turn is as known as the previous action the schema-following
 * baseline starts from) and untagged when the wizard wrote free text; each query is a tool turn tagged with its
 * label, calling the API with its constraints (less {@code RequestType}, which the imported tools leave out), and
 * with the knowledge base's answer, as {@link KnowledgeBaseResults} writes it, as its result. Instructions to the user
 * and the wizard's interface events are not part of the conversation.
 */
public final class WizardTurns {
  private static final String REQUEST_TYPE = "RequestType";

  private final KnowledgeBaseResults results;

  public WizardTurns(KnowledgeBaseResults results) {
    this.results = results;
  }

  /** The label of a query event: {@code query}, or {@code query_<request type>} such as {@code query_check}. */
  public static String queryLabel(StarEvent query) {
    String type = query.constraints().get(REQUEST_TYPE);
    if (type == null || type.isBlank()) {
      return "query";
    }
    return "query_" + type.strip().toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9]+", "_");
  }

  /** Every labelled wizard turn of a single-task dialogue, in order. */
  public List<WizardTurn> of(StarDialogue dialogue) {
    String task = dialogue.task();
    List<WizardTurn> out = new ArrayList<>();
    List<Turn> history = new ArrayList<>();
    List<StarEvent> events = dialogue.events();
    for (int i = 0; i < events.size(); i++) {
      StarEvent e = events.get(i);
      if (e.is(StarEvent.USER, "utter") && e.text() != null) {
        history.add(Turn.user(null, e.text()));
      } else if (e.is(StarEvent.WIZARD, "pick_suggestion") && e.actionLabel() != null) {
        out.add(new WizardTurn(dialogue.id(), task, dialogue.happy(), i, e.actionLabel(), history));
        history.add(Turn.agent(e.actionLabel(), e.text() == null ? "" : e.text()));
      } else if (e.is(StarEvent.WIZARD, "utter") && e.text() != null) {
        history.add(Turn.agent(null, e.text()));
      } else if (e.is(StarEvent.WIZARD, "query")) {
        String label = queryLabel(e);
        out.add(new WizardTurn(dialogue.id(), task, dialogue.happy(), i, label, history));
        Map<String, String> arguments = new LinkedHashMap<>(e.constraints());
        arguments.remove(REQUEST_TYPE);
        String result = null;
        if (i + 1 < events.size() && events.get(i + 1).is(StarEvent.KNOWLEDGE_BASE, "return_item")) {
          result = results.render(events.get(i + 1).item());
          i++;
        }
        String api = e.apiName() == null ? task : e.apiName();
        history.add(new Turn(Role.TOOL, "", label, new ToolInvocation(api, arguments), result));
      }
    }
    return out;
  }
}

package dev.subterra.evaluation.star;

import dev.subterra.synthesis.Role;
import dev.subterra.synthesis.Turn;
import dev.subterra.training.artefact.ModelArtefact;
import dev.subterra.training.decode.TagScorer;
import dev.subterra.training.serial.DialogueSerializer;
import dev.subterra.workflow.Node;
import dev.subterra.workflow.NodeKind;
import dev.subterra.workflow.Workflow;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * The compiled student as a next-action classifier: each turn's real history is serialised as training serialises
 * dialogues, {@code <agent>} opens the wizard's turn, and the most likely node tag among the workflow's wizard actions
 * and queries is the prediction (the first token tag-constrained greedy decoding would write).
 *
 * <p>Histories longer than the student's context are cut as the serializer cuts prompts: the head of the
 * conversation and the most recent tokens.
 */
public final class StudentPredictor implements NextActionPredictor {
  private final DialogueSerializer serializer;
  private final TagScorer scorer;
  private final int contextLength;
  private final List<String> candidates;
  private final int[] candidateTokens;
  private final Set<String> known;

  /** A predictor for a student of {@code workflow}, scoring {@code batchSize} turns per pass. */
  public StudentPredictor(ModelArtefact artefact, Workflow workflow, int batchSize) {
    this.serializer = artefact.serializer();
    this.scorer = new TagScorer(artefact.model(), batchSize);
    this.contextLength = artefact.model().config().contextLength();
    List<String> ids = new ArrayList<>();
    for (Node node : workflow.nodes()) {
      if ((node.kind() == NodeKind.AGENT || node.kind() == NodeKind.TOOL)
          && artefact.tokenizer().nodeIds().contains(node.id())) {
        ids.add(node.id());
      }
    }
    if (ids.isEmpty()) {
      throw new IllegalArgumentException("Cannot predict with the student of " + workflow.id()
          + ": its tokenizer has no tag for any wizard action");
    }
    this.candidates = List.copyOf(ids);
    this.known = Set.copyOf(artefact.tokenizer().nodeIds());
    this.candidateTokens = ids.stream().mapToInt(id -> artefact.tokenizer().nodeTagId(id)).toArray();
  }

  /** The labels the student chooses among: the workflow's wizard actions and queries. */
  public List<String> candidates() {
    return candidates;
  }

  /**
   * The history with the tags the student does not know (actions the importer dropped, such as {@code out_of_scope})
   * taken off: such a turn reads as the wizard's free text, which is all the student can make of it.
   */
  private List<Turn> readable(List<Turn> history) {
    List<Turn> out = new ArrayList<>(history.size());
    for (Turn t : history) {
      boolean unknown = t.nodeId() != null && t.role() != Role.USER && !known.contains(t.nodeId());
      out.add(unknown ? new Turn(t.role(), t.text(), null, t.call(), t.result()) : t);
    }
    return out;
  }

  @Override
  public String name() {
    return "student";
  }

  @Override
  public List<String> predict(List<WizardTurn> turns) {
    List<int[]> prompts = new ArrayList<>(turns.size());
    for (WizardTurn turn : turns) {
      prompts.add(serializer.prompt(readable(turn.history()), contextLength, 1));
    }
    int[] best = scorer.best(prompts, candidateTokens);
    List<String> out = new ArrayList<>(best.length);
    for (int b : best) {
      out.add(candidates.get(b));
    }
    return out;
  }
}

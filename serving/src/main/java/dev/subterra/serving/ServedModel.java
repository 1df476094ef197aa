package dev.subterra.serving;

import dev.subterra.training.artefact.ModelArtefact;
import dev.subterra.training.serial.DialogueSerializer;
import dev.subterra.training.tokenizer.BpeTokenizer;
import dev.subterra.workflow.InvalidWorkflowException;
import dev.subterra.workflow.Node;
import dev.subterra.workflow.Workflow;
import dev.subterra.workflow.WorkflowCodec;
import dev.subterra.workflow.WorkflowLoader;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * A student ready to serve: its artefact, the workflow it was compiled from (for each node's kind), and the
 * serializer that turns conversations into its prompts exactly as training did. Loaded once at start-up; nothing a
 * client sends names a file.
 *
 * @param id the model name clients send and {@code GET /v1/models} lists: the workflow's id
 */
public record ServedModel(String id, ModelArtefact artefact, Workflow workflow, DialogueSerializer serializer) {

  /** The workflow file a run directory keeps beside {@code model/}. */
  public static final String WORKFLOW_FILE = "workflow.json";

  public ServedModel {
    String expected = artefact.provenance().workflowContentHash();
    String actual = WorkflowCodec.contentHash(workflow);
    if (!actual.equals(expected)) {
      throw new IllegalArgumentException("Invalid workflow: " + workflow.id() + " has content hash " + actual
          + ", the model was compiled from " + expected);
    }
  }

  /** A served model from an artefact and its workflow. */
  public static ServedModel of(ModelArtefact artefact, Workflow workflow) {
    return new ServedModel(artefact.provenance().workflowId(), artefact, workflow, artefact.serializer());
  }

  /**
   * Loads the artefact in {@code modelDir} and its workflow: {@code workflowFile} if given, else the run directory's
   * {@value #WORKFLOW_FILE} beside the model directory.
   */
  public static ServedModel load(Path modelDir, Optional<Path> workflowFile)
      throws IOException, InvalidWorkflowException {
    Workflow workflow = workflowOf(modelDir, workflowFile, "serve");
    return of(ModelArtefact.load(modelDir), workflow);
  }

  /**
   * The workflow of the model in {@code modelDir}, loaded and validated, without loading the model: {@code workflowFile}
   * if given, else the run directory's {@value #WORKFLOW_FILE} beside the model directory. For a caller that checks its
   * input against the workflow before the weights are read.
   *
   * @param action what the caller does with the model, for messages: "Cannot {@code action} DIR: ..."
   */
  public static Workflow workflowOf(Path modelDir, Optional<Path> workflowFile, String action)
      throws InvalidWorkflowException {
    if (!Files.isDirectory(modelDir)) {
      throw new IllegalArgumentException("Cannot " + action + " " + modelDir
          + ": not a directory (a model/ from `train`)");
    }
    Path workflowPath = workflowFile.orElseGet(() -> modelDir.toAbsolutePath().getParent().resolve(WORKFLOW_FILE));
    if (!Files.isRegularFile(workflowPath)) {
      throw new IllegalArgumentException("Cannot " + action + " " + modelDir + ": no workflow at " + workflowPath
          + " (pass --workflow FILE)");
    }
    return WorkflowLoader.load(workflowPath);
  }

  /** The tokenizer. */
  public BpeTokenizer tokenizer() {
    return artefact.tokenizer();
  }

  /** The model's context length in tokens. */
  public int contextLength() {
    return artefact.model().config().contextLength();
  }

  /** The kind of a node, as the workflow format writes it ({@code agent}, {@code tool}, ...), if it is a node. */
  public Optional<String> kindOf(String nodeId) {
    return workflow.node(nodeId).map(Node::kind).map(k -> k.wireName());
  }

  /** Whether the student has a tag for this node. */
  public boolean hasNode(String nodeId) {
    return nodeId != null && tokenizer().nodeIds().contains(nodeId);
  }

  /** The names of the workflow's tools, in node order. */
  public java.util.List<String> toolNames() {
    return workflow.nodes().stream().filter(n -> n.tool() != null).map(n -> n.tool().name()).distinct().toList();
  }

  /** Facts about the model for {@code /health}. */
  public Map<String, Object> describe() {
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("model", id);
    out.put("workflow_content_hash", artefact.provenance().workflowContentHash());
    out.put("weights_hash", artefact.provenance().weightsHash());
    out.put("parameters", artefact.model().parameterCount());
    out.put("context_length", contextLength());
    out.put("nodes", tokenizer().nodeIds().size());
    return out;
  }
}

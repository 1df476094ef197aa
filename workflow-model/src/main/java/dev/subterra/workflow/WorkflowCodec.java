package dev.subterra.workflow;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLGenerator;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * Writes workflows in the native format and computes their content hash.
 *
 * <p>The content hash is the SHA-256 of the compact canonical JSON: it changes when anything that synthesis or
 * training reads changes, and not when comments or formatting of the source file change.
 */
public final class WorkflowCodec {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final ObjectMapper PRETTY_JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
  private static final ObjectMapper YAML =
      new ObjectMapper(
          YAMLFactory.builder()
              .disable(YAMLGenerator.Feature.WRITE_DOC_START_MARKER)
              .enable(YAMLGenerator.Feature.MINIMIZE_QUOTES)
              .enable(YAMLGenerator.Feature.LITERAL_BLOCK_STYLE)
              .build());

  private WorkflowCodec() {}

  /** Canonical compact JSON. */
  public static String toJson(Workflow workflow) {
    return write(JSON, workflow);
  }

  /** Indented JSON, as stored in a run directory. */
  public static String toPrettyJson(Workflow workflow) {
    return write(PRETTY_JSON, workflow);
  }

  /** The native YAML form, as written by importers. */
  public static String toYaml(Workflow workflow) {
    return write(YAML, workflow);
  }

  /** The hex SHA-256 of the canonical JSON. */
  public static String contentHash(Workflow workflow) {
    return sha256Hex(toJson(workflow).getBytes(StandardCharsets.UTF_8));
  }

  /** Hex SHA-256 of some bytes. */
  public static String sha256Hex(byte[] bytes) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("Cannot hash: the JDK has no SHA-256", e);
    }
  }

  private static String write(ObjectMapper mapper, Workflow workflow) {
    try {
      return mapper.writeValueAsString(workflow);
    } catch (JsonProcessingException e) {
      // Records of strings, lists and maps always serialise; reaching here is a bug.
      throw new IllegalStateException("Cannot serialise workflow " + workflow.id() + ": " + e.getOriginalMessage(), e);
    }
  }
}

package dev.subterra.serving.protocol;

import java.util.List;

/** The answer to {@code GET /v1/models}: {@code object: list} of the models served. */
public record ModelList(String object, List<Model> data) {
  /** A served model; {@code owned_by} is {@code subterra}. */
  public record Model(String id, String object, long created, String ownedBy) {}
}

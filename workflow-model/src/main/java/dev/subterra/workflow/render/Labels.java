package dev.subterra.workflow.render;

/** Label text shared by the renderers: one line, whitespace collapsed, cut to a length a diagram can show. */
final class Labels {
  /** Edge conditions can be whole sentences; a diagram shows the start and the full text stays in the workflow. */
  static final int MAX_EDGE_LABEL = 40;
  static final int MAX_NODE_LABEL = 60;

  private Labels() {}

  /** The text on one line, at most {@code max} characters, ending in an ellipsis when cut. */
  static String shorten(String text, int max) {
    String line = text == null ? "" : text.strip().replaceAll("\\s+", " ");
    if (line.length() <= max) {
      return line;
    }
    int end = max - 1;
    // Cut at a word boundary when one is near, so that no label ends in half a word.
    int space = line.lastIndexOf(' ', end);
    if (space > end - 12 && space > 0) {
      end = space;
    } else if (Character.isHighSurrogate(line.charAt(end - 1))) {
      end--; // half an emoji is not a character
    }
    return line.substring(0, end).stripTrailing() + "…";
  }
}

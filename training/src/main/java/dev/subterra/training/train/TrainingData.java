package dev.subterra.training.train;

import dev.subterra.synthesis.Dialogue;
import dev.subterra.training.serial.DialogueSerializer;
import dev.subterra.training.serial.TokenSequence;
import dev.subterra.training.tokenizer.BpeTokenizer;
import dev.subterra.workflow.paths.PathSplit;
import java.nio.ByteBuffer;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HexFormat;
import java.util.List;

/**
 * The windows a {@link Trainer} learns from and validates on, with the tokenizer that says which ids are node tags.
 *
 * <p>{@link #hash()} is the SHA-256 of every window's tokens and targets, in order: the training-data hash recorded in
 * provenance and checked when a run resumes.
 */
public record TrainingData(List<TokenSequence> train, List<TokenSequence> validation, BpeTokenizer tokenizer) {

  public TrainingData {
    train = List.copyOf(train);
    validation = List.copyOf(validation);
    if (train.isEmpty()) {
      throw new IllegalArgumentException("Invalid train: no training windows");
    }
  }

  /**
   * Serialises dialogues by their split: training dialogues into training windows, validation dialogues into
   * validation windows. Test and held-out dialogues are left out: they are evaluation's.
   */
  public static TrainingData of(DialogueSerializer serializer, BpeTokenizer tokenizer, Collection<Dialogue> dialogues) {
    List<TokenSequence> train = new ArrayList<>();
    List<TokenSequence> validation = new ArrayList<>();
    for (Dialogue d : dialogues) {
      List<TokenSequence> target = d.split() == PathSplit.TRAIN ? train
          : d.split() == PathSplit.VALIDATION ? validation : null;
      if (target == null) {
        continue;
      }
      // A window without an agent token teaches nothing.
      serializer.windows(d).stream().filter(w -> w.targetCount() > 0).forEach(target::add);
    }
    return new TrainingData(train, validation, tokenizer);
  }

  /** The longest window, training or validation. */
  public int longestWindow() {
    int longest = 0;
    for (TokenSequence s : train) {
      longest = Math.max(longest, s.length());
    }
    for (TokenSequence s : validation) {
      longest = Math.max(longest, s.length());
    }
    return longest;
  }

  /** The SHA-256 of the windows. */
  public String hash() {
    try {
      MessageDigest digest = MessageDigest.getInstance("SHA-256");
      update(digest, train);
      digest.update((byte) '|');
      update(digest, validation);
      return HexFormat.of().formatHex(digest.digest());
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("Cannot hash training data: " + e.getMessage(), e);
    }
  }

  private static void update(MessageDigest digest, List<TokenSequence> sequences) {
    for (TokenSequence s : sequences) {
      ByteBuffer buffer = ByteBuffer.allocate(4 + s.length() * 5);
      buffer.putInt(s.length());
      for (int i = 0; i < s.length(); i++) {
        buffer.putInt(s.token(i));
        buffer.put((byte) (s.isTarget(i) ? 1 : 0));
      }
      digest.update(buffer.array());
    }
  }
}

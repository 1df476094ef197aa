package dev.subterra.synthesis.values;

import dev.subterra.synthesis.StableIds;
import dev.subterra.workflow.Slot;
import dev.subterra.workflow.ValueGenerator;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * The generated value pools of open slots, and the rule that splits every pool into a training and a held-out share.
 *
 * <p>A value is held out when a stable hash of its generator and its text falls in the first {@link #HELDOUT_SHARE}
 * of the hash range, so the split needs no list, is the same on every machine and run, and holds for values that are
 * generated only later. Person names and places come from bundled lists ({@code person-names.txt},
 * {@code places.txt} beside this class); emails, codes and descriptions are composed per slot (see {@link ValuePool}).
 */
public final class ValuePools {
  /** The share of every generator's values held out of training. */
  public static final double HELDOUT_SHARE = 0.25;
  /** Draws of a generator, per value, before giving up on finding one of the wanted share. */
  public static final int MAX_SHARE_DRAWS = 256;

  private static final String RESOURCES = "dev/subterra/synthesis/values/";
  /** 53 bits of the hash as a fraction in [0, 1), as {@code SplittableRandom.nextDouble} does. */
  private static final double UNIT = 0x1.0p-53;

  private ValuePools() {}

  /**
   * The share a generated value belongs to, by the hash of its generator and text alone. A slot's listed values are
   * training values whatever their hash: ask the slot's {@link ValuePool#shareOf} for those.
   */
  public static ValueShare shareOf(ValueGenerator generator, String value) {
    long hash = StableIds.seed("value-share", generator.wireName(), value);
    return (hash >>> 11) * UNIT < HELDOUT_SHARE ? ValueShare.HELDOUT : ValueShare.TRAINING;
  }

  /** The pool of an open slot with a generator. */
  public static ValuePool forSlot(Slot slot) {
    return ValuePool.of(slot);
  }

  /** The bundled person names. */
  static PersonNames names() {
    return Bundled.NAMES;
  }

  /** The bundled places. */
  static Places places() {
    return Bundled.PLACES;
  }

  /** The lines of a bundled resource of this package, without blank lines and {@code #} comments. */
  static List<String> lines(String name) {
    String resource = RESOURCES + name;
    try (InputStream in = ValuePools.class.getClassLoader().getResourceAsStream(resource)) {
      if (in == null) {
        throw new IllegalStateException("Cannot load value pool: " + resource + " is not on the classpath");
      }
      List<String> lines = new ArrayList<>();
      BufferedReader reader = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8));
      for (String line = reader.readLine(); line != null; line = reader.readLine()) {
        String trimmed = line.strip();
        if (!trimmed.isEmpty() && !trimmed.startsWith("#")) {
          lines.add(trimmed);
        }
      }
      return lines;
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot load value pool: " + resource, e);
    }
  }

  /** Loaded on first use, once per class loader. */
  private static final class Bundled {
    static final PersonNames NAMES = PersonNames.parse(lines("person-names.txt"), "person-names.txt");
    static final Places PLACES = new Places(lines("places.txt"));
  }
}

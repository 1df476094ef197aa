package dev.subterra.synthesis.values;

import java.util.List;
import java.util.SplittableRandom;

/**
 * Real towns and cities worldwide, from capitals to small towns, with their usual English names ("Porto", "Cape Town",
 * "Santa Cruz de Tenerife"). A name shared by two places (Granada in Spain and in Nicaragua) is one value.
 */
final class Places {
  private final List<String> names;

  Places(List<String> names) {
    this.names = names.stream().distinct().toList();
    if (this.names.isEmpty()) {
      throw new IllegalArgumentException("Invalid places: the list is empty");
    }
  }

  List<String> all() {
    return names;
  }

  /** A place of any share. */
  String next(SplittableRandom random) {
    return names.get(random.nextInt(names.size()));
  }
}

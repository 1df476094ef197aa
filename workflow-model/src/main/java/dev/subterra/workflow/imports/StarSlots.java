package dev.subterra.workflow.imports;

import dev.subterra.workflow.Slot;
import dev.subterra.workflow.SlotType;
import dev.subterra.workflow.imports.StarApi.Field;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.BiPredicate;

/**
 * Finds pools for the slots of an imported STAR task: from the field of the task's API or database that a slot names,
 * and otherwise from small generic pools chosen by the words of the slot name and the STAR placeholder type
 * ({@code [NAME]}, {@code [TIME]}, ...). Also maps API input fields to slots for tool arguments.
 */
final class StarSlots {
  private static final List<String> WEEKDAYS =
      List.of("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday");
  private static final List<String> PEOPLE = List.of("Ana Souza", "Kenji Ito", "Maria Garcia", "David Okafor");
  private static final List<String> YES_NO = List.of("yes", "no");

  /** A generic pool: applies when the slot name has one of {@code words}, or the slot fills a {@code placeholder}. */
  private record Generic(Set<String> words, Set<String> placeholders, Slot slot) {}

  // First match wins, so specific words come before general ones (a pet's name before a person's name).
  private static final List<Generic> GENERIC = List.of(
      generic("pet pets", "", SlotType.STRING, "Rex", "Whiskers", "Bella", "Max"),
      generic("maiden", "", SlotType.STRING, "Miller", "Novak", "Okafor", "Tanaka"),
      generic("dietary restrictions", "", SlotType.TEXT, "vegetarian", "no nuts", "gluten free"),
      generic("food", "", SlotType.TEXT, "pizza", "sushi platters", "vegan snacks"),
      generic("drinks", "", SlotType.TEXT, "lemonade", "red wine", "sparkling water"),
      generic("fraud report details", "", SlotType.TEXT, "a card payment of 250 dollars that I did not make",
          "two cash withdrawals in another city last week"),
      generic("reason", "", SlotType.TEXT, "quarterly planning", "a project kickoff", "a performance review"),
      generic("change", "", SlotType.TEXT, "the pickup time to 6 pm", "the destination to the airport"),
      generic("symptoms", "", SlotType.TEXT, "a sore throat and a headache", "a persistent cough"),
      generic("simple detailed step direction directions", "DIRECTIONS", SlotType.TEXT,
          "Walk to the bus stop at Forbes and Murray.", "Take the 61A until the last stop.",
          "Turn left and walk down Craig St for 2 blocks."),
      generic("instruction instructions", "", SlotType.TEXT, "Take the medication twice a day with food.",
          "Rest for a week and drink plenty of water.", "Book a follow-up appointment in two weeks."),
      generic("request message", "MESSAGE", SlotType.TEXT, "extra towels, please", "a quiet room away from the lift",
          "please call me before the appointment"),
      generic("question", "QUESTION", SlotType.TEXT, "Which element has the chemical symbol Cs?",
          "What is a group of owls called?"),
      generic("wrong", "WRONG_ANSWER", SlotType.STRING, "potassium", "a haiku", "seven"),
      generic("answer", "ANSWER", SlotType.STRING, "cesium", "snail", "three"),
      generic("manufacturer", "LOCK_MANUFACTURER", SlotType.STRING, "Kessler Locks", "Orion Systems", "Vantage"),
      generic("color", "COLOUR", SlotType.STRING, "red", "blue", "green", "yellow"),
      generic("rank", "RANK", SlotType.STRING, "Ensign", "Lieutenant", "Commander", "Captain"),
      generic("pin code", "", SlotType.STRING, "4821", "0937", "7715"),
      generic("account", "", SlotType.STRING, "20931577", "55120984", "71003346"),
      generic("plate", "PLATE", SlotType.STRING, "PA 4471", "KXR 230", "BZ 9913"),
      generic("city", "CITY", SlotType.STRING, "Pittsburgh", "Chicago", "New York City"),
      generic("location departure arrival destination", "LOCATION DIRECTION", SlotType.STRING, "Forbes Avenue",
          "the train station", "the airport", "Carnegie Mellon University"),
      generic("poi pois", "POI", SlotType.STRING, "a park", "a school", "a train station"),
      generic("day", "DAY_OF_WEEK", SlotType.ENUM, WEEKDAYS.toArray(String[]::new)),
      generic("date", "DATE", SlotType.STRING, "1st", "14th", "22nd"),
      generic("time", "TIME", SlotType.STRING, "9 am", "11 am", "2 pm", "6 pm"),
      generic("name", "NAME", SlotType.STRING, PEOPLE.toArray(String[]::new)),
      generic("airline", "AIRLINE", SlotType.STRING, "Delta", "United", "Southwest"),
      generic("class", "CLASS", SlotType.STRING, "Economy", "Business", "First"),
      generic("provider", "PROVIDER", SlotType.STRING, "Uber", "Lyft", "Taxi"),
      generic("model", "CAR_MODEL", SlotType.STRING, "Toyota", "Honda", "Tesla"),
      generic("weather", "WEATHER", SlotType.STRING, "sunny", "raining", "cloudy"),
      generic("price cost", "PRICE COST", SlotType.STRING, "cheap", "moderate", "expensive"),
      generic("boolean has balcony elevator paid parking", "BOOLEAN", SlotType.ENUM, YES_NO.toArray(String[]::new)),
      new Generic(Set.of("floor", "level"), Set.of(), Slot.range(null, 0, 15)),
      new Generic(Set.of("rating"), Set.of(), Slot.range(null, 1, 5)),
      new Generic(Set.of("id"), Set.of(), Slot.range(null, 1, 1000)),
      new Generic(Set.of("guests", "size", "bedrooms", "rooms", "number", "count", "dob"), Set.of("NUMBER"),
          Slot.range(null, 1, 10)));

  /**
   * Words that only qualify a name's unit or form: {@code start_time} is {@code StartTimeHour}, {@code food_type} is
   * {@code Food}, but {@code floor} is not {@code FloorSquareMeters}.
   */
  private static final Set<String> QUALIFIERS = Set.of("hour", "hours", "minutes", "celsius", "name", "type");

  /** Suffixes first: the last word of a name is its head ("has balcony" is about a balcony, "balcony side" not). */
  private static final List<BiPredicate<List<String>, List<String>>> AFFIXES =
      List.of(StarSlots::suffix, StarSlots::prefix);

  private StarSlots() {}

  private static Generic generic(String words, String placeholders, SlotType type, String... values) {
    return new Generic(Set.of(words.split(" ")), placeholders.isEmpty() ? Set.of() : Set.of(placeholders.split(" ")),
        Slot.pool(type, null, List.of(values)));
  }

  /**
   * The slot for a name: from the API or database field it names when that field lists values; else from the
   * concrete values the task's knowledge-base results show for it ({@code Message = The door is now unlocked.});
   * else a generic example pool.
   *
   * @param placeholders the STAR placeholder types the slot fills in user replies ({@code NAME}, {@code TIME})
   * @param numeric whether a wizard reply formats it as a number ({@code {price:d}})
   * @param userProvided whether a user reply fills it
   * @param examples concrete values by result field name, from the task's {@code db_*} replies
   */
  static Resolved resolve(String slot, Set<String> placeholders, boolean numeric, boolean userProvided,
      Optional<StarApi> api, Map<String, List<String>> examples) {
    Optional<Field> field = api.flatMap(a -> poolField(slot, a));
    List<String> words = StarApi.tokens(slot);
    // Results say what the system answers; a value the user provides is not among them even when the names agree.
    for (Map.Entry<String, List<String>> example : userProvided ? Map.<String, List<String>>of().entrySet()
        : examples.entrySet()) {
      boolean named = StarApi.tokens(example.getKey()).equals(words)
          || field.map(f -> f.name().equals(example.getKey())).orElse(false);
      if (named && !numeric && field.map(f -> !f.hasValues()).orElse(true)) {
        return new Resolved(Slot.pool(SlotType.TEXT, "Values of " + example.getKey()
            + " in the STAR knowledge-base results of this task.", example.getValue()), false);
      }
    }
    if (field.isPresent() && field.get().hasValues()) {
      Field f = field.get();
      String description = "Values of the " + f.origin() + ".";
      if (!f.categories().isEmpty()) {
        return new Resolved(Slot.pool(SlotType.ENUM, description, f.categories()), false);
      }
      if (f.isBoolean()) {
        return new Resolved(Slot.pool(SlotType.ENUM, description, YES_NO), false);
      }
      return new Resolved(Slot.range(description, f.min(), f.max()), false);
    }
    String why = field.map(f -> "the " + f.origin() + " is free text and lists no values")
        .orElse("no STAR API or database field lists values for it");
    String description = "Generic example pool: " + why + ".";
    Slot pool = null;
    for (Generic generic : GENERIC) {
      if (words.stream().anyMatch(generic.words()::contains)
          || placeholders.stream().anyMatch(generic.placeholders()::contains)) {
        pool = generic.slot();
        break;
      }
    }
    if (pool == null || (numeric && pool.type() != SlotType.NUMBER)) {
      // A value the wizard formats as a number ({price:d}) needs a number pool, whatever its name suggests.
      pool = numeric ? Slot.range(null, 1, 100)
          : Slot.pool(SlotType.STRING, null, List.of("example " + String.join(" ", words)));
    }
    return new Resolved(new Slot(pool.type(), description, pool.values(), pool.min(), pool.max()), true);
  }

  /** A slot and whether its pool is a generic example rather than STAR's own values. */
  record Resolved(Slot slot, boolean generic) {}

  /**
   * The field a slot names: the same words (in the field name or its readable name), then for {@code <x>_name} the
   * API's categorical {@code Name}, then a field whose words end with the slot's (or the other way round), then one
   * whose words begin with them and go on only with qualifiers such as "hour", each when only one field does. API fields come before database fields at each step. {@code name} alone is the user's own
   * name, which no field lists.
   */
  static Optional<Field> poolField(String slot, StarApi api) {
    if (slot.equals("name")) {
      return Optional.empty();
    }
    List<String> words = StarApi.tokens(slot);
    for (List<Field> tier : api.tiers()) {
      for (Field field : tier) {
        if (field.names().contains(words)) {
          return Optional.of(field);
        }
      }
    }
    if (slot.endsWith("_name")) {
      for (List<Field> tier : api.tiers()) {
        for (Field field : tier) {
          if (field.name().equals("Name") && !field.categories().isEmpty()) {
            return Optional.of(field);
          }
        }
      }
    }
    for (BiPredicate<List<String>, List<String>> affix : AFFIXES) {
      for (List<Field> tier : api.tiers()) {
        Optional<Field> only = only(tier, words, affix);
        if (only.isPresent()) {
          return only;
        }
      }
    }
    return Optional.empty();
  }

  /**
   * Tool arguments: each input field of the API (but {@code RequestType}, which tells checking from booking) that a
   * slot the user provides can fill, in the API's order, as field name to slot.
   */
  static Map<String, String> arguments(List<String> userSlots, StarApi api) {
    List<Field> inputs = api.inputs().stream().filter(f -> !f.name().equals("RequestType")).toList();
    Map<String, String> bySlot = new LinkedHashMap<>();
    Set<String> taken = new LinkedHashSet<>();
    for (String slot : userSlots) {
      if (slot.equals("name")) {
        continue;
      }
      for (Field field : inputs) {
        if (!taken.contains(field.name()) && field.names().contains(StarApi.tokens(slot))) {
          bySlot.put(slot, field.name());
          taken.add(field.name());
          break;
        }
      }
    }
    if (userSlots.contains("name")) {
      // The user's own name: the free-text person field (CustomerName, PatientName, ...) no other slot took.
      inputs.stream()
          .filter(f -> f.isFreeText() && f.name().endsWith("Name") && !f.name().equals("Name"))
          .filter(f -> !taken.contains(f.name()))
          .findFirst()
          .ifPresent(f -> {
            bySlot.put("name", f.name());
            taken.add(f.name());
          });
    }
    for (String slot : userSlots) {
      if (slot.endsWith("_name") && !bySlot.containsKey(slot) && !taken.contains("Name")) {
        inputs.stream().filter(f -> f.name().equals("Name") && !f.categories().isEmpty()).findFirst().ifPresent(f -> {
          bySlot.put(slot, f.name());
          taken.add(f.name());
        });
      }
    }
    for (BiPredicate<List<String>, List<String>> affix : AFFIXES) {
      for (String slot : userSlots) {
        if (slot.equals("name") || bySlot.containsKey(slot)) {
          continue;
        }
        List<Field> free = inputs.stream().filter(f -> !taken.contains(f.name())).toList();
        only(free, StarApi.tokens(slot), affix).ifPresent(f -> {
          bySlot.put(slot, f.name());
          taken.add(f.name());
        });
      }
    }
    Map<String, String> arguments = new LinkedHashMap<>();
    for (Field field : inputs) {
      bySlot.forEach((slot, name) -> {
        if (name.equals(field.name())) {
          arguments.put(name, slot);
        }
      });
    }
    return arguments;
  }

  private static Optional<Field> only(List<Field> fields, List<String> words,
      BiPredicate<List<String>, List<String>> affix) {
    List<Field> found = new ArrayList<>();
    Set<String> names = new LinkedHashSet<>();
    for (Field field : fields) {
      // A bare "Name" says nothing about what it names; its readable name ("Hotel Name") may.
      if (field.names().stream().anyMatch(n -> !n.equals(List.of("name")) && affix.test(words, n))
          && names.add(field.name())) {
        found.add(field);
      }
    }
    return found.size() == 1 ? Optional.of(found.get(0)) : Optional.empty();
  }

  /** Whether one list of words ends with the other, the shorter being a proper part. */
  private static boolean suffix(List<String> a, List<String> b) {
    return a.size() != b.size() && (endsWith(a, b) || endsWith(b, a));
  }

  private static boolean prefix(List<String> a, List<String> b) {
    List<String> longer = a.size() > b.size() ? a : b;
    List<String> shorter = a.size() > b.size() ? b : a;
    return startsWith(longer, shorter) && QUALIFIERS.containsAll(longer.subList(shorter.size(), longer.size()));
  }

  private static boolean endsWith(List<String> list, List<String> end) {
    return end.size() < list.size() && list.subList(list.size() - end.size(), list.size()).equals(end);
  }

  private static boolean startsWith(List<String> list, List<String> start) {
    return start.size() < list.size() && list.subList(0, start.size()).equals(start);
  }
}

package dev.subterra.training;

import dev.subterra.synthesis.Dialogue;
import dev.subterra.synthesis.ToolInvocation;
import dev.subterra.synthesis.Turn;
import dev.subterra.workflow.paths.PathSplit;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

/** Small synthetic dialogues of a flight-booking procedure, shared by the training tests. */
public final class TestDialogues {

  /** The procedure's node ids, in file order. */
  public static final List<String> NODE_IDS =
      List.of("greet", "ask_city", "ask_date", "search", "offer", "book", "goodbye", "cancel");

  public static final String WORKFLOW_NAME = "Flight booking";

  private static final String[] CITIES = {"Paris", "Lisbon", "Oslo", "Zagreb", "Kyoto", "Lima", "Quito", "Tunis"};
  private static final String[] NAMES = {"Ana", "Bjørn", "Chen", "Dara", "Émile", "Farah", "Goran", "Hana"};

  private TestDialogues() {}

  /** {@code count} dialogues drawn with a seeded generator; every third one cancels instead of booking. */
  public static List<Dialogue> generate(int count, long seed) {
    Random random = new Random(seed);
    List<Dialogue> out = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      String city = CITIES[random.nextInt(CITIES.length)];
      String name = NAMES[random.nextInt(NAMES.length)];
      String date = String.format("2026-%02d-%02d", 1 + random.nextInt(12), 1 + random.nextInt(28));
      int price = 100 + random.nextInt(900);
      List<Turn> turns = new ArrayList<>();
      turns.add(Turn.user("greet", "Hi, I am " + name + "."));
      turns.add(Turn.agent("greet", "Hello " + name + ", where would you like to fly?"));
      turns.add(Turn.user("ask_city", "To " + city + " please."));
      turns.add(Turn.agent("ask_date", "On which date do you want to fly to " + city + "?"));
      turns.add(Turn.user("ask_date", "On " + date + "."));
      Map<String, String> args = new LinkedHashMap<>();
      args.put("city", city);
      args.put("date", date);
      turns.add(Turn.tool("search", new ToolInvocation("search_flights", args), "{\"flight\":\"SB" + price
          + "\",\"price\":" + price + "}"));
      turns.add(Turn.agent("offer", "Flight SB" + price + " to " + city + " on " + date + " costs " + price
          + " EUR. Shall I book it?"));
      if (i % 3 == 2) {
        turns.add(Turn.user("offer", "No, thanks."));
        turns.add(Turn.agent("cancel", "Alright, nothing was booked. Goodbye!"));
      } else {
        turns.add(Turn.user("offer", "Yes, book it."));
        turns.add(Turn.tool("book", new ToolInvocation("book_flight", Map.of("flight", "SB" + price)), "ok"));
        turns.add(Turn.agent("goodbye", "Booked SB" + price + ". Have a nice trip, " + name + "!"));
      }
      PathSplit split = i % 5 == 4 ? PathSplit.VALIDATION : PathSplit.TRAIN;
      out.add(new Dialogue("d" + i, "s" + i, "flights", i % 3 == 2 ? "p2" : "p1", "template", split, turns));
    }
    return out;
  }

  /** Every text a tokenizer should learn from: turn texts, calls and results. */
  public static List<String> corpus(List<Dialogue> dialogues) {
    List<String> out = new ArrayList<>();
    for (Dialogue d : dialogues) {
      out.add(WORKFLOW_NAME);
      for (Turn t : d.turns()) {
        out.add(t.text());
        if (t.call() != null) {
          out.add(t.call().name());
          t.call().arguments().forEach((k, v) -> out.add(k + "=" + v));
        }
        if (t.result() != null) {
          out.add(t.result());
        }
      }
    }
    return out;
  }
}

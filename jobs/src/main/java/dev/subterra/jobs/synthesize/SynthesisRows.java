package dev.subterra.jobs.synthesize;

import dev.subterra.synthesis.Dialogue;
import dev.subterra.synthesis.Role;
import dev.subterra.synthesis.Scenario;
import dev.subterra.synthesis.ToolInvocation;
import dev.subterra.synthesis.Turn;
import dev.subterra.workflow.paths.PathSplit;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;
import scala.collection.JavaConverters;

/**
 * The Parquet schemas of {@code scenarios/}, {@code dialogues/} and {@code rejected/}, and the conversions between
 * their rows and the synthesis records.
 */
public final class SynthesisRows {
  private static final DataType STRINGS = DataTypes.createArrayType(DataTypes.StringType, false);
  private static final DataType STRING_MAP =
      DataTypes.createMapType(DataTypes.StringType, DataTypes.StringType, false);
  /**
   * A call's arguments as a list of name and value, not a map: the order is the order the student learns to write
   * them in, and Spark's maps do not keep it.
   */
  private static final DataType ARGUMENTS = DataTypes.createArrayType(struct(
      field("name", DataTypes.StringType, false),
      field("value", DataTypes.StringType, false)), false);

  public static final StructType SCENARIO = struct(
      field("scenario_id", DataTypes.StringType, false),
      field("workflow_id", DataTypes.StringType, false),
      field("path_id", DataTypes.StringType, false),
      field("nodes", STRINGS, false),
      field("seed", DataTypes.LongType, false),
      field("persona", DataTypes.StringType, false),
      field("styles", STRINGS, false),
      field("slots", STRING_MAP, false),
      field("split", DataTypes.StringType, false),
      field("revisions", STRING_MAP, false),
      field("revised_at", DataTypes.IntegerType, false));

  public static final StructType TURN = struct(
      field("role", DataTypes.StringType, false),
      field("text", DataTypes.StringType, false),
      field("node_id", DataTypes.StringType, false),
      field("tool_name", DataTypes.StringType, true),
      field("tool_arguments", ARGUMENTS, true),
      field("tool_result", DataTypes.StringType, true));

  public static final StructType DIALOGUE = struct(
      field("dialogue_id", DataTypes.StringType, false),
      field("scenario_id", DataTypes.StringType, false),
      field("workflow_id", DataTypes.StringType, false),
      field("path_id", DataTypes.StringType, false),
      field("teacher", DataTypes.StringType, false),
      field("split", DataTypes.StringType, false),
      field("turns", DataTypes.createArrayType(TURN, false), false),
      field("turn_count", DataTypes.IntegerType, false),
      field("calls", DataTypes.IntegerType, false),
      field("cache_hits", DataTypes.IntegerType, false),
      field("input_tokens", DataTypes.LongType, false),
      field("output_tokens", DataTypes.LongType, false),
      field("cost_usd", DataTypes.DoubleType, false));

  public static final StructType REJECTED = struct(
      field("scenario_id", DataTypes.StringType, false),
      field("path_id", DataTypes.StringType, false),
      field("dialogue_id", DataTypes.StringType, true),
      field("split", DataTypes.StringType, false),
      field("stage", DataTypes.StringType, false),
      field("reason", DataTypes.StringType, false));

  private SynthesisRows() {}

  public static Row scenario(Scenario s) {
    // Scala collections, not Java arrays: these rows are also read back as they are, on executors, with getList.
    return RowFactory.create(s.scenarioId(), s.workflowId(), s.pathId(), seq(s.nodes()), s.seed(), s.persona(),
        seq(s.styles()), scalaMap(s.slots()), s.split().wireName(), scalaMap(s.revisions()), s.revisedAt());
  }

  public static Scenario scenario(Row row) {
    return new Scenario(row.getString(0), row.getString(1), row.getString(2), row.getList(3), row.getLong(4),
        row.getString(5), row.getList(6), new LinkedHashMap<>(row.getJavaMap(7)), split(row.getString(8)),
        new LinkedHashMap<>(row.getJavaMap(9)), row.getInt(10));
  }

  /** A dialogue row; the metering columns are zero for a teacher that makes no calls. */
  public static Row dialogue(Dialogue d, int calls, int cacheHits, long inputTokens, long outputTokens, double cost) {
    List<Row> turns = new ArrayList<>(d.turns().size());
    for (Turn t : d.turns()) {
      turns.add(RowFactory.create(t.role().wireName(), t.text() == null ? "" : t.text(), t.nodeId(),
          t.call() == null ? null : t.call().name(), t.call() == null ? null : arguments(t.call().arguments()),
          t.result()));
    }
    return RowFactory.create(d.dialogueId(), d.scenarioId(), d.workflowId(), d.pathId(), d.teacher(),
        d.split().wireName(), seq(turns), d.turns().size(), calls, cacheHits, inputTokens, outputTokens, cost);
  }

  public static Dialogue dialogue(Row row) {
    List<Turn> turns = new ArrayList<>();
    for (Row t : row.<Row>getList(row.fieldIndex("turns"))) {
      ToolInvocation call = t.isNullAt(3) ? null
          : new ToolInvocation(t.getString(3), t.isNullAt(4) ? Map.of() : arguments(t, 4));
      turns.add(new Turn(Role.valueOf(t.getString(0).toUpperCase(Locale.ROOT)), t.getString(1), t.getString(2), call,
          t.isNullAt(5) ? null : t.getString(5)));
    }
    return new Dialogue(row.getString(0), row.getString(1), row.getString(2), row.getString(3), row.getString(4),
        split(row.getString(5)), turns);
  }

  public static Row rejected(String scenarioId, String pathId, String dialogueId, PathSplit split, String stage,
      String reason) {
    return RowFactory.create(scenarioId, pathId, dialogueId, split.wireName(), stage, reason);
  }

  public static PathSplit split(String wire) {
    return PathSplit.valueOf(wire.toUpperCase(Locale.ROOT));
  }

  /** All the words a dialogue says, for near-duplicate detection. */
  public static String text(Dialogue d) {
    StringBuilder text = new StringBuilder();
    for (Turn t : d.turns()) {
      text.append(t.role().wireName()).append(": ").append(t.text() == null ? "" : t.text()).append('\n');
    }
    return text.toString();
  }

  private static <T> scala.collection.Seq<T> seq(List<T> list) {
    return JavaConverters.asScalaBuffer(new ArrayList<>(list)).toList();
  }

  private static scala.collection.Seq<Row> arguments(Map<String, String> arguments) {
    List<Row> out = new ArrayList<>(arguments.size());
    arguments.forEach((name, value) -> out.add(RowFactory.create(name, value)));
    return seq(out);
  }

  /**
   * A call's arguments in their order. Runs written before the arguments became a list hold a map, read in Spark's
   * order (which is not the call's): resynthesise those to train on calls in their declared order.
   */
  private static Map<String, String> arguments(Row turn, int field) {
    Object value = turn.get(field);
    Map<String, String> out = new LinkedHashMap<>();
    if (value instanceof scala.collection.Map<?, ?>) {
      out.putAll(turn.getJavaMap(field));
      return out;
    }
    for (Row argument : turn.<Row>getList(field)) {
      out.put(argument.getString(0), argument.getString(1));
    }
    return out;
  }

  private static scala.collection.Map<String, String> scalaMap(Map<String, String> map) {
    return JavaConverters.mapAsScalaMap(new LinkedHashMap<>(map));
  }

  private static StructType struct(StructField... fields) {
    return DataTypes.createStructType(fields);
  }

  private static StructField field(String name, DataType type, boolean nullable) {
    return DataTypes.createStructField(name, type, nullable);
  }
}

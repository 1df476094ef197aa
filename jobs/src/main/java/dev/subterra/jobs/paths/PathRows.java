package dev.subterra.jobs.paths;

import dev.subterra.workflow.paths.HubChoice;
import dev.subterra.workflow.paths.PathRecord;
import dev.subterra.workflow.paths.PathSplit;
import dev.subterra.workflow.paths.WorkflowPath;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;

/**
 * The Parquet schema of {@code paths/} and the conversion between its rows and {@link PathRecord}s.
 *
 * <pre>
 * path_id string, workflow_id string, workflow_hash string, ordinal long, nodes array&lt;string&gt;,
 * choices array&lt;struct&lt;node, to, label&gt;&gt;, length int, terminal string, weight double, split string
 * </pre>
 */
public final class PathRows {
  public static final StructType CHOICE = DataTypes.createStructType(List.of(
      field("node", DataTypes.StringType),
      field("to", DataTypes.StringType),
      field("label", DataTypes.StringType)));

  public static final StructType SCHEMA = DataTypes.createStructType(List.of(
      field("path_id", DataTypes.StringType),
      field("workflow_id", DataTypes.StringType),
      field("workflow_hash", DataTypes.StringType),
      field("ordinal", DataTypes.LongType),
      field("nodes", DataTypes.createArrayType(DataTypes.StringType, false)),
      field("choices", DataTypes.createArrayType(CHOICE, false)),
      field("length", DataTypes.IntegerType),
      field("terminal", DataTypes.StringType),
      field("weight", DataTypes.DoubleType),
      field("split", DataTypes.StringType)));

  private PathRows() {}

  /** The row of one path. */
  public static Row toRow(String workflowId, String workflowHash, PathRecord record) {
    WorkflowPath path = record.path();
    List<Row> choices = new ArrayList<>(path.choices().size());
    for (HubChoice choice : path.choices()) {
      choices.add(RowFactory.create(choice.node(), choice.to(), choice.label()));
    }
    return RowFactory.create(path.id(), workflowId, workflowHash, record.ordinal(),
        path.nodes().toArray(String[]::new), choices.toArray(Row[]::new), path.length(), path.terminal(),
        record.weight(), record.split().wireName());
  }

  /** The path record of a row read back from Parquet. */
  public static PathRecord fromRow(Row row) {
    List<String> nodes = row.getList(row.fieldIndex("nodes"));
    List<Row> choiceRows = row.getList(row.fieldIndex("choices"));
    List<HubChoice> choices = new ArrayList<>(choiceRows.size());
    for (Row choice : choiceRows) {
      choices.add(new HubChoice(choice.getString(0), choice.getString(1), choice.getString(2)));
    }
    WorkflowPath path = new WorkflowPath(row.getString(row.fieldIndex("path_id")), nodes, choices);
    return new PathRecord(path, row.getLong(row.fieldIndex("ordinal")), row.getDouble(row.fieldIndex("weight")),
        PathSplit.valueOf(row.getString(row.fieldIndex("split")).toUpperCase(Locale.ROOT)));
  }

  private static StructField field(String name, org.apache.spark.sql.types.DataType type) {
    return DataTypes.createStructField(name, type, false);
  }
}

package dev.subterra.evaluation.report;

import dev.subterra.evaluation.metrics.Estimate;
import dev.subterra.workflow.Edge;
import dev.subterra.workflow.Node;
import dev.subterra.workflow.NodeKind;
import dev.subterra.workflow.Workflow;
import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.Paint;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.jfree.chart.ChartUtils;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.annotations.XYLineAnnotation;
import org.jfree.chart.annotations.XYTextAnnotation;
import org.jfree.chart.axis.CategoryAxis;
import org.jfree.chart.axis.LogAxis;
import org.jfree.chart.axis.NumberAxis;
import org.jfree.chart.axis.NumberTickUnit;
import org.jfree.chart.plot.CategoryPlot;
import org.jfree.chart.plot.PlotOrientation;
import org.jfree.chart.plot.ValueMarker;
import org.jfree.chart.plot.XYPlot;
import org.jfree.chart.renderer.PaintScale;
import org.jfree.chart.renderer.category.BarRenderer;
import org.jfree.chart.renderer.xy.XYBlockRenderer;
import org.jfree.chart.renderer.xy.XYErrorRenderer;
import org.jfree.chart.title.PaintScaleLegend;
import org.jfree.chart.ui.Layer;
import org.jfree.chart.ui.RectangleAnchor;
import org.jfree.chart.ui.RectangleEdge;
import org.jfree.chart.ui.TextAnchor;
import org.jfree.data.category.DefaultCategoryDataset;
import org.jfree.data.xy.DefaultXYZDataset;
import org.jfree.data.xy.YIntervalSeries;
import org.jfree.data.xy.YIntervalSeriesCollection;

/**
 * The charts of {@code report.html}, drawn with JFreeChart and encoded as PNG: quality against cost per conversation,
 * node accuracy as a heat map laid out over the workflow, and where conversations first go wrong.
 *
 * <p>Rendering needs no display: the class sets {@code java.awt.headless} before AWT starts, unless the JVM was told
 * otherwise.
 */
public final class ReportCharts {
  /** Light grey for nodes no turn was scored at (decisions, terminals, nodes no scenario reached). */
  static final Color UNSCORED = new Color(0xDD, 0xDD, 0xDD);
  private static final Font SMALL = new Font(Font.SANS_SERIF, Font.PLAIN, 10);
  private static final Font TINY = new Font(Font.SANS_SERIF, Font.PLAIN, 9);

  static {
    if (System.getProperty("java.awt.headless") == null) {
      System.setProperty("java.awt.headless", "true");
    }
  }

  private ReportCharts() {}

  /** One policy's point: its quality with interval and its cost per conversation in dollars. */
  public record Point(String label, Estimate quality, double costUsd) {}

  /** One cost without a measured quality (a frontier baseline), drawn as a vertical line. */
  public record CostLine(String label, double costUsd) {}

  /**
   * Quality against cost per conversation, on a log cost axis: a point with its interval per measured policy, a
   * vertical line per priced baseline whose quality was not measured, and a horizontal line for the upper bound.
   */
  public static byte[] qualityVsCost(String qualityName, List<Point> points, List<CostLine> costs,
      Estimate upperBound, String upperBoundLabel) {
    YIntervalSeriesCollection data = new YIntervalSeriesCollection();
    double min = Double.MAX_VALUE;
    double max = 0;
    for (Point p : points) {
      if (!(p.costUsd() > 0) || !p.quality().isDefined()) {
        continue;
      }
      YIntervalSeries series = new YIntervalSeries(p.label());
      series.add(p.costUsd(), p.quality().value(), p.quality().low(), p.quality().high());
      data.addSeries(series);
      min = Math.min(min, p.costUsd());
      max = Math.max(max, p.costUsd());
    }
    for (CostLine c : costs) {
      if (c.costUsd() > 0) {
        min = Math.min(min, c.costUsd());
        max = Math.max(max, c.costUsd());
      }
    }
    LogAxis x = new LogAxis("cost per conversation (USD, log scale)");
    x.setBase(10);
    x.setSmallestValue(1e-12);
    if (max > 0) {
      x.setRange(min / 4, max * 4);
    }
    x.setNumberFormatOverride(new java.text.DecimalFormat("0.#E0"));
    NumberAxis y = new NumberAxis(qualityName);
    y.setRange(-0.02, 1.05);
    XYErrorRenderer renderer = new XYErrorRenderer();
    renderer.setDefaultShapesVisible(true);
    renderer.setDefaultLinesVisible(false);
    renderer.setErrorStroke(new BasicStroke(1.5f));
    renderer.setCapLength(8);
    XYPlot plot = new XYPlot(data, x, y, renderer);
    plot.setBackgroundPaint(Color.WHITE);
    plot.setRangeGridlinePaint(Color.LIGHT_GRAY);
    plot.setDomainGridlinePaint(Color.LIGHT_GRAY);
    for (CostLine c : costs) {
      if (c.costUsd() > 0) {
        ValueMarker marker = new ValueMarker(c.costUsd(), new Color(0x88, 0x44, 0xAA), new BasicStroke(1.5f,
            BasicStroke.CAP_BUTT, BasicStroke.JOIN_MITER, 1f, new float[] {6f, 4f}, 0f));
        marker.setLabel(c.label());
        marker.setLabelFont(SMALL);
        marker.setLabelAnchor(RectangleAnchor.TOP_LEFT);
        marker.setLabelTextAnchor(TextAnchor.TOP_RIGHT);
        plot.addDomainMarker(marker);
      }
    }
    if (upperBound != null && upperBound.isDefined()) {
      ValueMarker marker = new ValueMarker(upperBound.value(), new Color(0x22, 0x88, 0x22), new BasicStroke(1.5f,
          BasicStroke.CAP_BUTT, BasicStroke.JOIN_MITER, 1f, new float[] {2f, 3f}, 0f));
      marker.setLabel(upperBoundLabel);
      marker.setLabelFont(SMALL);
      marker.setLabelAnchor(RectangleAnchor.BOTTOM_LEFT);
      marker.setLabelTextAnchor(TextAnchor.TOP_LEFT);
      plot.addRangeMarker(marker);
    }
    JFreeChart chart = new JFreeChart("Quality against cost per conversation", JFreeChart.DEFAULT_TITLE_FONT, plot,
        true);
    chart.setBackgroundPaint(Color.WHITE);
    return png(chart, 860, 480);
  }

  /**
   * Node accuracy as a heat map over the workflow: each node at its depth (shortest distance from the start) in
   * columns, nodes of one depth stacked in workflow order, edges drawn behind; a node is coloured by its accuracy, red
   * (0) through yellow to green (1), and labelled with its id, accuracy and the turns counted. Nodes no turn was
   * scored at are grey.
   */
  public static byte[] nodeHeatMap(Workflow workflow, Map<String, Estimate> accuracy, String title) {
    Map<String, int[]> at = layout(workflow);
    int depths = 0;
    int rows = 0;
    for (int[] p : at.values()) {
      depths = Math.max(depths, p[0] + 1);
      rows = Math.max(rows, p[1] + 1);
    }
    int n = workflow.nodes().size();
    double[][] series = new double[3][n];
    for (int i = 0; i < n; i++) {
      Node node = workflow.nodes().get(i);
      int[] p = at.get(node.id());
      Estimate e = accuracy.get(node.id());
      series[0][i] = p[0];
      series[1][i] = -p[1];
      series[2][i] = e != null && e.isDefined() ? e.value() : Double.NaN;
    }
    DefaultXYZDataset data = new DefaultXYZDataset();
    data.addSeries("node accuracy", series);
    XYBlockRenderer renderer = new XYBlockRenderer();
    renderer.setBlockWidth(0.86);
    renderer.setBlockHeight(0.72);
    AccuracyScale scale = new AccuracyScale();
    renderer.setPaintScale(scale);
    NumberAxis x = new NumberAxis("depth from the start node");
    x.setRange(-0.55, depths - 0.45);
    x.setTickUnit(new NumberTickUnit(1));
    NumberAxis y = new NumberAxis();
    y.setRange(-(rows - 0.45), 0.55);
    y.setVisible(false);
    XYPlot plot = new XYPlot(data, x, y, renderer);
    plot.setBackgroundPaint(Color.WHITE);
    plot.setDomainGridlinesVisible(false);
    plot.setRangeGridlinesVisible(false);
    for (Node node : workflow.nodes()) {
      int[] from = at.get(node.id());
      for (Edge edge : node.next()) {
        int[] to = at.get(edge.to());
        if (to != null) {
          renderer.addAnnotation(new XYLineAnnotation(from[0], -from[1], to[0], -to[1], new BasicStroke(1f),
              new Color(0x99, 0x99, 0x99)), Layer.BACKGROUND);
        }
      }
      Estimate e = accuracy.get(node.id());
      String id = node.id().length() > 18 ? node.id().substring(0, 17) + "…" : node.id();
      XYTextAnnotation name = new XYTextAnnotation(id, from[0], -from[1] + 0.12);
      name.setFont(SMALL);
      renderer.addAnnotation(name, Layer.FOREGROUND);
      String detail = e != null && e.isDefined() ? String.format("%.2f (n=%d)", e.value(), e.count())
          : kindLabel(node.kind());
      XYTextAnnotation value = new XYTextAnnotation(detail, from[0], -from[1] - 0.16);
      value.setFont(TINY);
      renderer.addAnnotation(value, Layer.FOREGROUND);
    }
    JFreeChart chart = new JFreeChart(title, JFreeChart.DEFAULT_TITLE_FONT, plot, false);
    NumberAxis legendAxis = new NumberAxis("node accuracy");
    legendAxis.setRange(0, 1);
    PaintScaleLegend legend = new PaintScaleLegend(scale, legendAxis);
    legend.setPosition(RectangleEdge.BOTTOM);
    legend.setMargin(4, 60, 4, 60);
    chart.addSubtitle(legend);
    chart.setBackgroundPaint(Color.WHITE);
    return png(chart, Math.max(760, 120 * depths + 80), Math.max(360, 62 * rows + 170));
  }

  /** How many conversations first went wrong at each node, one bar per node and one colour per policy. */
  public static byte[] firstWrongNodes(Map<String, Map<String, Long>> byPolicy, int maxNodes) {
    Map<String, Long> total = new HashMap<>();
    byPolicy.values().forEach(m -> m.forEach((node, n) -> total.merge(node, n, Long::sum)));
    List<String> nodes = total.entrySet().stream()
        .sorted(Map.Entry.<String, Long>comparingByValue().reversed().thenComparing(Map.Entry.comparingByKey()))
        .limit(maxNodes).map(Map.Entry::getKey).toList();
    DefaultCategoryDataset data = new DefaultCategoryDataset();
    for (String node : nodes) {
      for (Map.Entry<String, Map<String, Long>> policy : byPolicy.entrySet()) {
        data.addValue(policy.getValue().getOrDefault(node, 0L), policy.getKey(), node);
      }
    }
    CategoryAxis x = new CategoryAxis("node where the conversation first went wrong");
    x.setTickLabelFont(SMALL);
    NumberAxis y = new NumberAxis("conversations");
    y.setStandardTickUnits(NumberAxis.createIntegerTickUnits());
    BarRenderer renderer = new BarRenderer();
    renderer.setShadowVisible(false);
    renderer.setBarPainter(new org.jfree.chart.renderer.category.StandardBarPainter());
    CategoryPlot plot = new CategoryPlot(data, x, y, renderer);
    plot.setOrientation(PlotOrientation.HORIZONTAL);
    plot.setBackgroundPaint(Color.WHITE);
    plot.setRangeGridlinePaint(Color.LIGHT_GRAY);
    plot.setNoDataMessage("No conversation went wrong");
    JFreeChart chart = new JFreeChart("Where conversations first go wrong", JFreeChart.DEFAULT_TITLE_FONT, plot,
        true);
    chart.setBackgroundPaint(Color.WHITE);
    return png(chart, 860, Math.max(300, 26 * nodes.size() * Math.max(1, byPolicy.size()) / 2 + 160));
  }

  /** Depth by breadth-first search from the start; nodes it does not reach go one column past the deepest. */
  static Map<String, int[]> layout(Workflow workflow) {
    Map<String, Integer> depth = new LinkedHashMap<>();
    ArrayDeque<String> queue = new ArrayDeque<>();
    depth.put(workflow.start(), 0);
    queue.add(workflow.start());
    while (!queue.isEmpty()) {
      String id = queue.poll();
      Node node = workflow.node(id).orElse(null);
      if (node == null) {
        continue;
      }
      for (Edge e : node.next()) {
        if (!depth.containsKey(e.to())) {
          depth.put(e.to(), depth.get(id) + 1);
          queue.add(e.to());
        }
      }
    }
    int deepest = depth.values().stream().mapToInt(Integer::intValue).max().orElse(0);
    Map<Integer, Integer> rowsUsed = new HashMap<>();
    Map<String, int[]> at = new LinkedHashMap<>();
    for (Node node : workflow.nodes()) {
      int d = depth.getOrDefault(node.id(), deepest + 1);
      int row = rowsUsed.merge(d, 1, Integer::sum) - 1;
      at.put(node.id(), new int[] {d, row});
    }
    return at;
  }

  private static String kindLabel(NodeKind kind) {
    return switch (kind) {
      case DECISION -> "decision";
      case TERMINAL -> "terminal";
      default -> "not reached";
    };
  }

  private static byte[] png(JFreeChart chart, int width, int height) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try {
      ChartUtils.writeChartAsPNG(out, chart, width, height);
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot render chart '" + chart.getTitle().getText() + "': " + e.getMessage(), e);
    }
    return out.toByteArray();
  }

  /** Red at 0, yellow at 0.5, green at 1; grey for a node with nothing scored. */
  static final class AccuracyScale implements PaintScale {
    @Override
    public double getLowerBound() {
      return 0;
    }

    @Override
    public double getUpperBound() {
      return 1;
    }

    @Override
    public Paint getPaint(double value) {
      if (Double.isNaN(value)) {
        return UNSCORED;
      }
      double v = Math.max(0, Math.min(1, value));
      Color low = new Color(0xD7, 0x30, 0x27);
      Color mid = new Color(0xFE, 0xE0, 0x8B);
      Color high = new Color(0x1A, 0x98, 0x50);
      return v < 0.5 ? blend(low, mid, v * 2) : blend(mid, high, (v - 0.5) * 2);
    }

    private static Color blend(Color a, Color b, double t) {
      return new Color((int) Math.round(a.getRed() + (b.getRed() - a.getRed()) * t),
          (int) Math.round(a.getGreen() + (b.getGreen() - a.getGreen()) * t),
          (int) Math.round(a.getBlue() + (b.getBlue() - a.getBlue()) * t));
    }
  }
}

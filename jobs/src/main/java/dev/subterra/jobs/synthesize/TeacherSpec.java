package dev.subterra.jobs.synthesize;

import dev.subterra.synthesis.Teacher;
import dev.subterra.synthesis.cost.Budget;
import dev.subterra.synthesis.cost.CostLedger;
import dev.subterra.synthesis.cost.PriceTable;
import dev.subterra.synthesis.openai.ApiKey;
import dev.subterra.synthesis.openai.ChatClientConfig;
import dev.subterra.synthesis.openai.LlmTeacher;
import dev.subterra.synthesis.openai.LlmTeacherConfig;
import dev.subterra.synthesis.openai.LocalDirectoryCacheStore;
import dev.subterra.synthesis.template.TemplateTeacher;
import java.io.Serializable;
import java.math.BigDecimal;
import java.net.URI;
import java.nio.file.Path;
import java.util.Locale;

/**
 * Which teacher a synthesize job uses, in a form that travels to executors: each partition builds its own teacher from
 * it. For the remote teacher, the API key is read on the executor from its environment and never travels.
 *
 * @param budgetUsd the whole run's budget, or null for none; each of the {@code partitions} teachers may spend an
 *     equal share, so that together they never pass it (a share left unspent in one is not lent to another)
 * @param cacheDir the teacher cache, a directory every executor can reach (local disk in local mode, a shared mount
 *     on a cluster)
 */
public record TeacherSpec(String kind, String url, String model, BigDecimal budgetUsd, int partitions, String cacheDir,
    long seed) implements Serializable {

  public static final String TEMPLATE = "template";
  public static final String OPENAI = "openai";

  public TeacherSpec {
    kind = kind == null ? "" : kind.toLowerCase(Locale.ROOT);
    if (!kind.equals(TEMPLATE) && !kind.equals(OPENAI)) {
      throw new IllegalArgumentException("Invalid teacher: " + kind + " (use template or openai)");
    }
    if (kind.equals(OPENAI) && (url == null || url.isBlank() || model == null || model.isBlank())) {
      throw new IllegalArgumentException("Invalid teacher: openai needs --teacher-url and --teacher-model");
    }
    if (budgetUsd != null && budgetUsd.signum() < 0) {
      throw new IllegalArgumentException("Invalid budget: " + budgetUsd + " (expected a non-negative amount in USD)");
    }
    if (partitions < 1) {
      throw new IllegalArgumentException("Invalid partitions: " + partitions);
    }
  }

  /** The offline template teacher, the embedded default. */
  public static TeacherSpec template() {
    return new TeacherSpec(TEMPLATE, null, null, null, 1, null, 0);
  }

  /** The name the teacher records in every dialogue. */
  public String teacherName() {
    return kind.equals(TEMPLATE) ? TemplateTeacher.NAME : "openai:" + model;
  }

  /** A new teacher for one partition. */
  public Teacher build() {
    if (kind.equals(TEMPLATE)) {
      return new TemplateTeacher();
    }
    // A partition may spend its share of the budget, so that partitions together never pass it.
    Budget budget = budgetUsd == null ? Budget.unlimited()
        : Budget.of(budgetUsd.divide(BigDecimal.valueOf(partitions), 6, java.math.RoundingMode.DOWN));
    CostLedger ledger = CostLedger.forModel(PriceTable.bundled(), model, budget);
    return LlmTeacher.connect(LlmTeacherConfig.defaults(model), ChatClientConfig.defaults(URI.create(url), seed),
        ApiKey.fromEnvironment(), new LocalDirectoryCacheStore(Path.of(cacheDir)), ledger);
  }
}

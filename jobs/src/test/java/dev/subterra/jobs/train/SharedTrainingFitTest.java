package dev.subterra.jobs.train;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.subterra.jobs.TestSpark;
import dev.subterra.jobs.paths.PathsJob;
import dev.subterra.jobs.synthesize.SynthesizeJob;
import dev.subterra.synthesis.ScenarioConfig;
import dev.subterra.training.StudentTrainer;
import dev.subterra.training.artefact.ModelArtefact;
import dev.subterra.training.decode.Decoder;
import dev.subterra.training.decode.DecodingConfig;
import dev.subterra.training.decode.Generation;
import dev.subterra.training.train.TrainerConfig;
import dev.subterra.workflow.Workflow;
import dev.subterra.workflow.WorkflowLoader;
import dev.subterra.workflow.paths.EnumerationConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SharedTrainingFitTest {
  private static final long SEED = 5;

  private static SparkSession spark;
  @TempDir static Path run;

  @BeforeAll
  static void synthesize() throws Exception {
    spark = TestSpark.start(SharedTrainingFitTest.class);
    Workflow travel = WorkflowLoader.load(TestSpark.WORKFLOWS.resolve("travel-booking.yaml"));
    PathsJob.on(spark).workflow(travel).enumeration(EnumerationConfig.withSeed(SEED)).output(run.toString())
        .execute();
    SynthesizeJob.on(spark).workflow(travel).paths(run.toString()).scenarios(ScenarioConfig.perPath(1, SEED))
        .output(run.toString()).execute();
  }

  @AfterAll
  static void stopSpark() {
    spark.stop();
  }

  @Test
  void trainsOnTwoWorkersWithSharedTrainingMasterIntoAnArtefactThatLoadsAndDecodes() throws Exception {
    TrainerConfig trainer = TrainerConfig.defaults(SEED).withEpochs(2).withBatchSize(8).withWarmupSteps(2);
    StudentTrainer.Config config = new StudentTrainer.Config("tiny", 400, trainer);
    ModelArtefact trained = TrainJob.on(spark).run(run.toString()).config(config).distributed(2).execute();

    List<JsonNode> epochs = Files.readAllLines(run.resolve("train").resolve("metrics.jsonl")).stream()
        .map(SharedTrainingFitTest::json).toList();
    // Epoch 0 is the initial weights: two epochs on two workers must have lowered the validation loss, each time.
    assertThat(epochs).hasSize(3);
    double initial = epochs.get(0).get("validationLoss").asDouble();
    double first = epochs.get(1).get("validationLoss").asDouble();
    double second = epochs.get(2).get("validationLoss").asDouble();
    assertThat(first).isLessThan(initial);
    assertThat(second).isLessThan(first);

    ModelArtefact loaded = ModelArtefact.load(run.resolve("model"));
    assertThat(loaded.provenance().weightsHash()).isEqualTo(trained.provenance().weightsHash());
    assertThat(loaded.provenance().trainingMethod()).startsWith("dl4j-spark SharedTrainingMaster on local[2], 2 workers");
    assertThat(loaded.provenance().bestValidationLoss()).isNotNull();
    // The artefact is the ordinary one: the decoder runs it as it runs any student.
    int[] prompt = loaded.serializer().prompt(List.of(), loaded.model().config().contextLength(), 16);
    Generation generation = new Decoder(loaded.model()).generate(prompt, DecodingConfig.greedy(16));
    assertThat(generation.tokens()).isNotEmpty();
    // Every agent turn of the training data opens with a node tag: even two epochs teach that much.
    assertThat(loaded.tokenizer().isNodeTag(generation.tokens()[0])).as("first token is a node tag").isTrue();
  }

  private static JsonNode json(String line) {
    try {
      return new ObjectMapper().readTree(line);
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }
}

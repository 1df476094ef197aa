package dev.subterra.training.train;

import dev.subterra.training.model.StudentConfig;
import dev.subterra.training.model.StudentModel;
import dev.subterra.training.model.TransformerGraph;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

@EnabledIfSystemProperty(named = "subterra.benchmark", matches = "true")
class StepOverheadBenchTest {
  @Test
  void step() {
    StudentConfig c = StudentConfig.tiny(2000);
    StudentModel m = StudentModel.initialise(c, 1);
    SameDiff sd = m.newStepGraph();
    Map<String, INDArray> in = new HashMap<>();
    int cached = 16;
    in.put(TransformerGraph.STEP_TOKEN, Nd4j.createFromArray(new int[] {5}));
    INDArray pos = Nd4j.zeros(DataType.FLOAT, 1, c.contextLength());
    pos.putScalar(0, cached, 1f);
    in.put(TransformerGraph.STEP_POSITION, pos);
    in.put(TransformerGraph.STEP_MASK, Nd4j.zeros(DataType.FLOAT, 1, 1, 1, cached + 1));
    for (int i = 0; i < c.layers(); i++) {
      in.put(TransformerGraph.keys(i), Nd4j.rand(DataType.FLOAT, 1, c.heads(), cached, c.headWidth()));
      in.put(TransformerGraph.values(i), Nd4j.rand(DataType.FLOAT, 1, c.heads(), cached, c.headWidth()));
    }
    List<String> outs = List.of(TransformerGraph.LOGITS, TransformerGraph.newKeys(0), TransformerGraph.newValues(0));
    for (int i = 0; i < 20; i++) sd.output(in, outs);
    long t0 = System.nanoTime();
    for (int i = 0; i < 100; i++) sd.output(in, outs);
    System.out.printf("BENCH step graph output: %.2f ms%n", (System.nanoTime() - t0) / 1e6 / 100);
    t0 = System.nanoTime();
    for (int i = 0; i < 100; i++) sd.output(in, List.of(TransformerGraph.LOGITS));
    System.out.printf("BENCH step graph logits only: %.2f ms%n", (System.nanoTime() - t0) / 1e6 / 100);
    System.out.println("ops=" + sd.getOps().size());
  }
}

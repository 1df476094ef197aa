package dev.subterra.training;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.nd4j.linalg.factory.Nd4j;

class BackendTest {

  @Test
  void loadsTheOneDnnBuildOfTheCpuBackend() {
    Backend.initialise();
    assertThat(System.getProperty(Backend.PLATFORM_EXTENSION)).isEqualTo("-onednn");
    assertThat(Backend.hasOneDnn()).isTrue();
    assertThat(Backend.describe()).isEqualTo("cpu+onednn");
    assertThat(Nd4j.ones(2, 2).sumNumber().doubleValue()).isEqualTo(4.0);
  }
}

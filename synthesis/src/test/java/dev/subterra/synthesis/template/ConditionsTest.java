package dev.subterra.synthesis.template;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class ConditionsTest {

  @Test
  void conditionsAboutTheUserAreSaidInTheFirstPerson() {
    assertThat(Conditions.firstPerson("the user wants a different offer")).isEqualTo("I want a different offer.");
    assertThat(Conditions.firstPerson("the user picks option 2")).isEqualTo("I pick option 2.");
    assertThat(Conditions.firstPerson("the customer likes the package and wants to book it"))
        .isEqualTo("I like the package and want to book it.");
    assertThat(Conditions.firstPerson("the patient only has a question and leaves"))
        .isEqualTo("I only have a question and leave.");
    assertThat(Conditions.firstPerson("the customer cannot hear others or others cannot hear them"))
        .isEqualTo("I cannot hear others or others cannot hear me.");
    assertThat(Conditions.firstPerson("the customer asks for a person")).isEqualTo("I ask for a person.");
  }

  @Test
  void otherConditionsAreStatedAsTheyAre() {
    assertThat(Conditions.firstPerson("the party is larger than four")).isEqualTo("The party is larger than four.");
    assertThat(Conditions.firstPerson("sharing still fails and other options remain"))
        .isEqualTo("Sharing still fails and other options remain.");
  }

  @Test
  void aTemplateExpressesABranchWhenItFitsItBetterThanEverySibling() {
    List<String> route = List.of("the user accepts", "the user wants a different offer", "the user asks for a human");

    assertThat(Conditions.expresses("Yes please.", route.get(0), List.of(route.get(1), route.get(2)))).isTrue();
    assertThat(Conditions.expresses("No, something else.", route.get(1), List.of(route.get(0), route.get(2))))
        .isTrue();
    assertThat(Conditions.expresses("Yes please.", route.get(2), List.of(route.get(0), route.get(1)))).isFalse();
    assertThat(Conditions.expresses("Put me through to a human, please.", route.get(2),
        List.of(route.get(0), route.get(1)))).isTrue();
  }

  @Test
  void verbsLoseTheirThirdPersonEnding() {
    assertThat(Conditions.baseForm("tries")).isEqualTo("try");
    assertThat(Conditions.baseForm("pushes")).isEqualTo("push");
    assertThat(Conditions.baseForm("wants")).isEqualTo("want");
    assertThat(Conditions.baseForm("is")).isEqualTo("am");
    assertThat(Conditions.baseForm("passes")).isEqualTo("pass");
  }
}

package dev.subterra.synthesis.values;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HashSet;
import java.util.Set;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class EmailAddressesTest {
  private static final long SEED = 9;

  @Test
  void anAddressIsMadeFromTheNameInVariedPatternsAndDomains() {
    SplittableRandom random = new SplittableRandom(SEED);
    Set<String> locals = new HashSet<>();
    Set<String> domains = new HashSet<>();
    for (int i = 0; i < 500; i++) {
      String email = EmailAddresses.derive("Ana Souza", random);
      assertThat(email).matches("[a-z0-9._-]+@[a-z0-9.-]+\\.[a-z]+");
      String local = email.substring(0, email.indexOf('@'));
      assertThat(local.contains("ana") || local.contains("souza")).as(email).isTrue();
      locals.add(local.replaceAll("\\d", "#"));
      domains.add(email.substring(email.indexOf('@') + 1));
    }

    assertThat(locals).contains("ana.souza", "asouza", "ana_souza", "anasouza", "ana##", "souza.ana", "a.souza",
        "ana.s", "ana-souza");
    assertThat(domains).containsAll(EmailAddresses.EXAMPLE_DOMAINS).hasSizeGreaterThan(10);
  }

  @Test
  void namesAreFoldedToAsciiLetters() {
    assertThat(EmailAddresses.fold("Zoë")).isEqualTo("zoe");
    assertThat(EmailAddresses.fold("O'Neill")).isEqualTo("oneill");
    assertThat(EmailAddresses.fold("Jean-Luc")).isEqualTo("jeanluc");
    assertThat(EmailAddresses.fold("Søren")).isEqualTo("soren");
    assertThat(EmailAddresses.fold("Łukasz")).isEqualTo("lukasz");
    assertThat(EmailAddresses.fold("Müller")).isEqualTo("muller");
  }

  @Test
  void theFirstAndLastWordsOfTheNameAreUsed() {
    SplittableRandom random = new SplittableRandom(SEED);
    for (int i = 0; i < 100; i++) {
      String local = EmailAddresses.derive("Jan van den Berg", random).split("@")[0];
      assertThat(local.contains("jan") || local.contains("berg")).as(local).isTrue();
      assertThat(local).doesNotContain("van", "den");
    }
  }
}

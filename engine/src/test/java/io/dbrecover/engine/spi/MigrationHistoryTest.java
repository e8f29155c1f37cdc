package io.dbrecover.engine.spi;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class MigrationHistoryTest {
  @Test
  void flywayName_versioned_isVersionAndDescriptionWithUnderscores() {
    assertThat(MigrationHistory.flywayName("2.1", "add user email", "V2.1__add_user_email.sql"))
        .isEqualTo("V2.1__add_user_email");
  }

  @Test
  void flywayName_repeatable_startsWithR() {
    assertThat(MigrationHistory.flywayName(null, "views", "R__views.sql")).isEqualTo("R__views");
  }

  @Test
  void flywayName_blankDescription_isTheScript() {
    assertThat(MigrationHistory.flywayName("3", " ", "com.example.V3")).isEqualTo("com.example.V3");
  }
}

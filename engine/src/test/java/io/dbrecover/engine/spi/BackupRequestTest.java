package io.dbrecover.engine.spi;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.dbrecover.engine.api.ConfigurationException;
import org.junit.jupiter.api.Test;

class BackupRequestTest {

  @Test
  void gitSha_commitHash_keptInLowerCase() {
    assertThat(new BackupRequest(null, false, null, false, "3F2A9C1D").gitSha())
        .isEqualTo("3f2a9c1d");
  }

  @Test
  void gitSha_notAHash_configurationErrorNamingIt() {
    assertThatThrownBy(() -> new BackupRequest(null, false, null, false, "main"))
        .isInstanceOf(ConfigurationException.class)
        .hasMessageContaining("git SHA 'main' is not a commit hash");
  }
}

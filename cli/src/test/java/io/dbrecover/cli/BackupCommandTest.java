package io.dbrecover.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import org.junit.jupiter.api.Test;

class BackupCommandTest {

  @Test
  void gitShaFrom_dbrecoverVariableFirst_thenTheCiSystems() {
    assertThat(
            BackupCommand.gitShaFrom(
                Map.of("GITHUB_SHA", "aaaaaaaaaaaa", "DBRECOVER_GIT_SHA", "bbbbbbbbbbbb")))
        .isEqualTo("bbbbbbbbbbbb");
    assertThat(BackupCommand.gitShaFrom(Map.of("CI_COMMIT_SHA", "cccccccc"))).isEqualTo("cccccccc");
  }

  @Test
  void gitShaFrom_notACommitHash_skipped() {
    assertThat(BackupCommand.gitShaFrom(Map.of("GITHUB_SHA", "main", "GIT_COMMIT", "0123abcd")))
        .isEqualTo("0123abcd");
    assertThat(BackupCommand.gitShaFrom(Map.of())).isNull();
  }
}

package io.dbrecover.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.dbrecover.postgres.EmbeddedCluster;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** README's first command, run as written: the launcher, the embedded default, the drill. */
class ReadmeIT {
  @TempDir Path work;

  @AfterEach
  void stopEmbedded() {
    EmbeddedCluster.at(work.resolve(".dbrecover").resolve("embedded")).stop();
    EmbeddedCluster.at(work.resolve(".dbrecover/drill-pitr/embedded")).stop();
  }

  @Test
  void drill_fromAnotherDirectory_recoversWithBothScenariosAndExits0()
      throws IOException, InterruptedException {
    // Under root the embedded server runs as an unprivileged user, who must reach the directory.
    Files.setPosixFilePermissions(work, PosixFilePermissions.fromString("rwxr-xr-x"));
    Process p =
        new ProcessBuilder(System.getProperty("dbrecover.launcher"), "drill")
            .directory(work.toFile())
            .redirectErrorStream(true)
            .start();
    p.getOutputStream().close();
    String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(p.waitFor(10, TimeUnit.MINUTES)).isTrue();

    assertThat(p.exitValue()).as(output).isZero();
    assertThat(output)
        .contains("Drill phases:")
        .contains("recovery time")
        .contains("status: **DONE**")
        .contains("pg_dump restore (--scenario dump):")
        .contains("point-in-time restore (--scenario pitr):")
        .contains("## Point-in-time proof")
        .contains("| orders written before the instant | 5 | 5 | pass |")
        .contains("| orders written after the instant | 0 | 0 | pass |")
        .contains("| original still holds the corruption (untouched) | yes | yes | pass |")
        .containsPattern(
            "\\| corrupted orders as before the corruption \\| (.+) \\| \\1 \\| pass \\|")
        .doesNotContain("| FAIL |")
        .contains("Drill passed");
    assertThat(work.resolve(".dbrecover/drill/app.env")).exists();
    // The drill stops what it started: its point-in-time cluster and the restored server.
    assertThat(EmbeddedCluster.at(work.resolve(".dbrecover/drill-pitr/embedded")).isRunning())
        .isFalse();
    assertThat(output).contains("stopped the restored server of run-");
  }
}

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
  }

  @Test
  void drill_fromAnotherDirectory_recoversAndExits0() throws IOException, InterruptedException {
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
        .contains("Drill passed");
    assertThat(work.resolve(".dbrecover/drill/app.env")).exists();
  }
}

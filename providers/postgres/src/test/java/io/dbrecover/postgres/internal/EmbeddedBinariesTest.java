package io.dbrecover.postgres.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Extraction of the zonky binaries on the class path into a fresh directory. */
class EmbeddedBinariesTest {
  @TempDir Path dir;

  @Test
  void extract_freshDirectory_unpacksARunnablePostgresAndLeavesNoTempTree() throws Exception {
    Path target = dir.resolve("bin-" + EmbeddedBinaries.VERSION);

    Path extracted = EmbeddedBinaries.extract(target);

    Path postgres = extracted.resolve("bin/postgres");
    assertThat(postgres).isExecutable();
    Process p = new ProcessBuilder(postgres.toString(), "--version").start();
    assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
    assertThat(new String(p.getInputStream().readAllBytes()))
        .startsWith("postgres (PostgreSQL) " + EmbeddedBinaries.VERSION.replaceAll("\\.0$", ""));
    try (var siblings = Files.list(dir)) {
      assertThat(siblings).containsExactly(target);
    }
  }

  @Test
  void extract_alreadyThere_keepsWhatIsThere() throws Exception {
    Path target = dir.resolve("bin");
    Files.createDirectories(target.resolve("bin"));
    Path postgres = Files.writeString(target.resolve("bin/postgres"), "#!/bin/sh\n");
    postgres.toFile().setExecutable(true);

    assertThat(EmbeddedBinaries.extract(target)).isEqualTo(target);
    assertThat(Files.readString(postgres)).isEqualTo("#!/bin/sh\n");
  }
}

package io.dbrecover.postgres.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.UserPrincipal;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RunAsTest {
  @TempDir Path tmp;

  @Test
  void ownerOf_asRootWithADirectoryOwnedByAServerUser_runsAsThatUser() throws Exception {
    assumeTrue("root".equals(System.getProperty("user.name")), "only root switches users");
    Path archive = Files.createDirectory(tmp.resolve("wal"));
    UserPrincipal nobody =
        archive.getFileSystem().getUserPrincipalLookupService().lookupPrincipalByName("nobody");
    Files.setOwner(archive, nobody);

    assertThat(RunAs.ownerOf(archive, Map.of()).command(List.of("pg_ctl")))
        .containsExactly("runuser", "-u", "nobody", "--", "pg_ctl");
    // an explicit choice wins
    assertThat(
            RunAs.ownerOf(archive, Map.of("DBRECOVER_EMBEDDED_USER", "daemon"))
                .command(List.of("pg_ctl")))
        .startsWith("runuser", "-u", "daemon");
  }

  @Test
  void ownerOf_asRootWithARootOwnedOrMissingDirectory_fallsBackToTheUsualUser() {
    assumeTrue("root".equals(System.getProperty("user.name")), "only root switches users");

    assertThat(RunAs.ownerOf(tmp, Map.of()).command(List.of("pg_ctl")))
        .isEqualTo(RunAs.detect(Map.of()).command(List.of("pg_ctl")));
    assertThat(RunAs.ownerOf(tmp.resolve("missing"), Map.of()).command(List.of("pg_ctl")))
        .isEqualTo(RunAs.detect(Map.of()).command(List.of("pg_ctl")));
  }
}

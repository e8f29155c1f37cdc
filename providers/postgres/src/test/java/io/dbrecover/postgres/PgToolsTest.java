package io.dbrecover.postgres;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.dbrecover.engine.api.ConfigurationException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PgToolsTest {
  @TempDir Path tmp;

  private Path fakeTools(String dir, String versionLine) throws IOException {
    Path bin = Files.createDirectories(tmp.resolve(dir));
    for (String tool : new String[] {"pg_dump", "pg_restore", "psql"}) {
      Path script = bin.resolve(tool);
      Files.writeString(script, "#!/bin/sh\necho '" + versionLine.replace("pg_dump", tool) + "'\n");
      Files.setPosixFilePermissions(script, PosixFilePermissions.fromString("rwxr-xr-x"));
    }
    return bin;
  }

  private PgTools discover(Map<String, String> env) {
    return PgTools.discover(env, tmp.resolve("versioned"));
  }

  @Test
  void discover_versionOutput_parsesVersionAndMajor() throws IOException {
    Path bin = fakeTools("a", "pg_dump (PostgreSQL) 15.18 (Debian 15.18-0+deb12u1)");

    PgTools tools = discover(Map.of("PATH", bin.toString()));

    assertThat(tools.installations())
        .singleElement()
        .satisfies(
            i -> {
              assertThat(i.version()).isEqualTo("15.18");
              assertThat(i.major()).isEqualTo(15);
              assertThat(i.pgDump()).isEqualTo(bin.resolve("pg_dump"));
              assertThat(i.psql()).contains(bin.resolve("psql"));
            });
  }

  @Test
  void forServer_severalVersions_picksNewest() throws IOException {
    Path old = fakeTools("versioned/14/bin", "pg_dump (PostgreSQL) 14.10");
    Path newer = fakeTools("versioned/16/bin", "pg_dump (PostgreSQL) 16.2");

    PgTools.Installation picked = discover(Map.of("PATH", "")).forServer(140005);

    assertThat(picked.binDir()).isEqualTo(newer);
    assertThat(old).isNotEqualTo(newer);
  }

  @Test
  void forServer_olderToolsOnly_throwsNamingFoundVersionsAndWhatToInstall() throws IOException {
    Path bin = fakeTools("a", "pg_dump (PostgreSQL) 15.18");
    PgTools tools = discover(Map.of("PATH", bin.toString()));

    assertThatThrownBy(() -> tools.forServer(160002))
        .isInstanceOf(ConfigurationException.class)
        .hasMessageContaining("PostgreSQL 16")
        .hasMessageContaining("pg_dump 15.18 (" + bin + ")")
        .hasMessageContaining("install postgresql-client-16 (apt) or set PG_BINDIR".substring(1));
  }

  @Test
  void forServer_noToolsAtAll_throwsNamingWhereItSearched() {
    PgTools tools = discover(Map.of("PATH", tmp.toString()));

    assertThatThrownBy(() -> tools.forServer(150000))
        .isInstanceOf(ConfigurationException.class)
        .hasMessageContaining("no pg_dump/pg_restore found")
        .hasMessageContaining("PATH");
  }

  @Test
  void discover_pgBindir_isPreferredOverPathForSameMajor() throws IOException {
    Path onPath = fakeTools("path", "pg_dump (PostgreSQL) 15.1");
    Path pinned = fakeTools("pinned", "pg_dump (PostgreSQL) 15.18");

    PgTools tools = discover(Map.of("PATH", onPath.toString(), "PG_BINDIR", pinned.toString()));

    assertThat(tools.forServer(150018).binDir()).isEqualTo(pinned);
  }

  @Test
  void forServer_oldStyleVersion_comparesMajorWithMinorDigit() throws IOException {
    Path bin = fakeTools("a", "pg_dump (PostgreSQL) 9.6.24");
    PgTools tools = discover(Map.of("PATH", bin.toString()));

    assertThat(tools.forServer(90624).major()).isEqualTo(906);
    assertThatThrownBy(() -> tools.forServer(100001)).hasMessageContaining("PostgreSQL 10");
  }

  @Test
  void discover_brokenTool_isSkipped() throws IOException {
    Path bin = fakeTools("a", "not a version");

    assertThat(discover(Map.of("PATH", bin.toString())).installations()).isEmpty();
  }

  @Test
  void discover_sameDirectoryThroughASymlink_asksItsVersionOnce() throws IOException {
    Path bin = fakeTools("a", "pg_dump (PostgreSQL) 15.18");
    Path counter = tmp.resolve("probes");
    Files.writeString(
        bin.resolve("pg_dump"),
        "#!/bin/sh\necho probe >> '" + counter + "'\necho 'pg_dump (PostgreSQL) 15.18'\n");
    Path link = Files.createSymbolicLink(tmp.resolve("link"), bin);

    PgTools tools = discover(Map.of("PATH", bin + java.io.File.pathSeparator + link));

    assertThat(tools.installations()).singleElement();
    assertThat(Files.readAllLines(counter)).hasSize(1);
  }

  @Test
  void discoverSoon_answersAsDiscoverDoes() throws IOException {
    Path bin = fakeTools("a", "pg_dump (PostgreSQL) 15.18");
    Map<String, String> env = Map.of("PATH", bin.toString(), "PG_BINDIR", bin.toString());

    PgTools soon = PgTools.discoverSoon(env);

    assertThat(soon.forServer(150018)).isEqualTo(PgTools.discover(env).forServer(150018));
    assertThat(soon.installations()).isEqualTo(PgTools.discover(env).installations());
  }
}

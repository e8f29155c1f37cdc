package io.dbrecover.forwardfix;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.dbrecover.engine.api.ConfigurationException;
import io.dbrecover.engine.api.MigrationTool;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class MigrationFilesTest {
  @TempDir Path dir;

  private void file(String path, String content) throws IOException {
    Path f = dir.resolve(path);
    Files.createDirectories(f.getParent());
    Files.writeString(f, content);
  }

  private List<String> names(MigrationTool tool, Path d) {
    return MigrationFiles.read(tool, d).stream().map(Migration::name).toList();
  }

  @Test
  void read_prisma_foldersInNameOrderWithTheirSql() throws IOException {
    file("migrations/20240201000000_b/migration.sql", "select 2;");
    file("migrations/20240101000000_a/migration.sql", "select 1;");
    file("migrations/migration_lock.toml", "provider = \"postgresql\"");
    file("migrations/notes/readme.md", "not a migration");

    List<Migration> m = MigrationFiles.read(MigrationTool.PRISMA, dir.resolve("migrations"));

    assertThat(m)
        .extracting(Migration::name)
        .containsExactly("20240101000000_a", "20240201000000_b");
    assertThat(m.get(0).sql()).isEqualTo("select 1;");
  }

  @Test
  void read_prismaGivenThePrismaFolder_findsMigrationsBelowIt() throws IOException {
    file("prisma/migrations/20240101000000_a/migration.sql", "select 1;");

    assertThat(names(MigrationTool.PRISMA, dir.resolve("prisma")))
        .containsExactly("20240101000000_a");
  }

  @Test
  void read_drizzle_journalOrderWithWhen() throws IOException {
    file("0000_first.sql", "select 1;");
    file("0001_second.sql", "select 2;");
    file(
        "meta/_journal.json",
        "{\"version\":\"7\",\"dialect\":\"postgresql\",\"entries\":["
            + "{\"idx\":1,\"version\":\"7\",\"when\":200,\"tag\":\"0001_second\",\"breakpoints\":true},"
            + "{\"idx\":0,\"version\":\"7\",\"when\":100,\"tag\":\"0000_first\",\"breakpoints\":true}]}");

    List<Migration> m = MigrationFiles.read(MigrationTool.DRIZZLE, dir);

    assertThat(m).extracting(Migration::name).containsExactly("0000_first", "0001_second");
    assertThat(m).extracting(Migration::journalWhen).containsExactly(100L, 200L);
  }

  @Test
  void read_drizzleJournalNamesMissingFile_saysWhichFile() throws IOException {
    file(
        "meta/_journal.json",
        "{\"entries\":[{\"idx\":0,\"when\":1,\"tag\":\"0000_gone\",\"breakpoints\":true}]}");

    assertThatThrownBy(() -> MigrationFiles.read(MigrationTool.DRIZZLE, dir))
        .isInstanceOf(ConfigurationException.class)
        .hasMessageContaining(
            "lists 0000_gone but " + dir.resolve("0000_gone.sql") + " does not exist");
  }

  @Test
  void read_drizzleWithoutJournal_pointsAtTheOutDirectory() {
    assertThatThrownBy(() -> MigrationFiles.read(MigrationTool.DRIZZLE, dir))
        .isInstanceOf(ConfigurationException.class)
        .hasMessageContaining("point migrations.dir at drizzle-kit's out directory");
  }

  @Test
  void read_flyway_versionsComparedAsNumbersAndRepeatablesLeftOut() throws IOException {
    file("V10__ten.sql", "");
    file("V2__two.sql", "");
    file("V1.1__one_one.sql", "");
    file("V1_2__one_two.sql", "");
    file("R__views.sql", "");
    file("U2__undo_two.sql", "");

    assertThat(names(MigrationTool.FLYWAY, dir))
        .containsExactly("V1.1__one_one", "V1_2__one_two", "V2__two", "V10__ten");
  }

  @Test
  void read_plainSql_digitRunsComparedAsNumbers() throws IOException {
    file("10_ten.sql", "");
    file("2_two.sql", "");
    file("1_one.sql", "");
    file("README.md", "");

    assertThat(names(MigrationTool.SQL, dir)).containsExactly("1_one", "2_two", "10_ten");
  }

  @Test
  void read_missingDirectory_namesTheSetting() {
    assertThatThrownBy(() -> MigrationFiles.read(MigrationTool.FLYWAY, dir.resolve("nope")))
        .isInstanceOf(ConfigurationException.class)
        .hasMessage(
            "migrations directory "
                + dir.resolve("nope")
                + " does not exist; set migrations.dir of the environment in dbrecover.yaml to the"
                + " Flyway migrations directory");
  }

  @Test
  void read_emptyDirectory_saysWhatWasExpected() {
    assertThatThrownBy(() -> MigrationFiles.read(MigrationTool.PRISMA, dir))
        .isInstanceOf(ConfigurationException.class)
        .hasMessage(
            "no Prisma migrations in "
                + dir
                + "; expected <timestamp>_<name>/migration.sql folders");
  }

  @Test
  void isNamed_acceptsFullNameOrNameWithoutPrefix() {
    Migration m = new Migration("20240101000000_add_tags", "", dir, 0);

    assertThat(m.isNamed("20240101000000_add_tags")).isTrue();
    assertThat(m.isNamed("add_tags")).isTrue();
    assertThat(m.isNamed("20240101000000")).isTrue();
    assertThat(m.isNamed("tags")).isTrue();
    assertThat(m.isNamed("add")).isFalse();
  }
}

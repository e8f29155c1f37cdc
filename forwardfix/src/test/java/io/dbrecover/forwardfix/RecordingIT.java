package io.dbrecover.forwardfix;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.dbrecover.engine.api.ConfigurationException;
import io.dbrecover.engine.api.DbUrl;
import io.dbrecover.engine.api.MigrationTool;
import io.dbrecover.engine.testing.TestPostgres;
import io.dbrecover.forwardfix.internal.AppliedHistory;
import io.dbrecover.forwardfix.testing.Scratch;
import io.dbrecover.forwardfix.testing.ToolHistory;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.stream.Stream;
import org.flywaydb.core.Flyway;
import org.flywaydb.core.api.output.MigrateResult;
import org.flywaydb.core.api.output.ValidateResult;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** An applied forward-fix is recorded in the tool's history table the way the tool expects. */
class RecordingIT {
  private static final Clock CLOCK =
      Clock.fixed(Instant.parse("2025-03-01T12:00:00Z"), ZoneOffset.UTC);

  @TempDir Path tmp;
  private final Scratch scratch = new Scratch();
  private final ForwardFix fix = new ForwardFix(scratch);

  private Path copy(String history) throws IOException {
    Path from = ToolHistory.dir(history);
    Path to = tmp.resolve(history);
    try (Stream<Path> files = Files.walk(from)) {
      for (Path f : files.toList()) {
        Path target = to.resolve(from.relativize(f).toString());
        if (Files.isDirectory(f)) {
          Files.createDirectories(target);
        } else {
          Files.copy(f, target);
        }
      }
    }
    return to;
  }

  private FixFile planWriteApply(DbUrl db, MigrationTool tool, Path dir, String to) {
    FixPlan plan = fix.plan(db, tool, dir, to);
    FixFile file = FixFiles.render(plan, dir, CLOCK);
    FixFiles.write(plan, file, dir);
    ForwardFix.apply(db, plan, file, true);
    return file;
  }

  private Flyway flyway(DbUrl db, Path dir) {
    return Flyway.configure()
        .dataSource(db.jdbcUrl(), "postgres", "")
        .locations("filesystem:" + dir)
        .load();
  }

  @Test
  void apply_flyway_newVersionRecordedSoFlywayValidatesAndHasNothingToRun() throws Exception {
    Path dir = copy("flyway-crm");
    DbUrl db = TestPostgres.createDatabase();
    Files.move(dir.resolve("V4__enterprise_tier.sql"), tmp.resolve("V4.sql"));
    assertThat(flyway(db, dir).migrate().migrationsExecuted).isEqualTo(3);
    Files.move(tmp.resolve("V4.sql"), dir.resolve("V4__enterprise_tier.sql"));
    flyway(db, dir).migrate();

    FixFile file = planWriteApply(db, MigrationTool.FLYWAY, dir, "V3");

    assertThat(file.path().getFileName().toString()).isEqualTo("V5__dbrecover_forward_fix.sql");
    ValidateResult validated = flyway(db, dir).validateWithResult();
    assertThat(validated.validationSuccessful).as(validated.getAllErrorMessages()).isTrue();
    assertThat(flyway(db, dir).info().current().getVersion().getVersion()).isEqualTo("5");
    assertThat(flyway(db, dir).info().current().getDescription())
        .isEqualTo("dbrecover forward fix");
    MigrateResult again = flyway(db, dir).migrate();
    assertThat(again.migrationsExecuted).isZero();
  }

  @Test
  void apply_prisma_revertedMarkedRolledBackAndFixRecordedAsFinished() throws Exception {
    Path dir = copy("prisma-blog");
    DbUrl db = ToolHistory.migrated(MigrationTool.PRISMA, dir, 4);

    FixFile file = planWriteApply(db, MigrationTool.PRISMA, dir, "feed_and_touch");

    assertThat(file.path())
        .isEqualTo(dir.resolve("migrations/20250301120000_dbrecover_forward_fix/migration.sql"));
    assertThat(
            RoundTripIT.one(
                db,
                "select string_agg(migration_name || ':' || (finished_at is not null) || ':'"
                    + " || (rolled_back_at is not null) || ':' || checksum, ',' order by"
                    + " started_at) from _prisma_migrations where migration_name like '%rework%'"
                    + " or migration_name like '%dbrecover%'"))
        .isEqualTo(
            "20240122170000_rework_posts:true:true:"
                + AppliedHistory.sha256(
                    Files.readString(
                        dir.resolve("migrations/20240122170000_rework_posts/migration.sql")))
                + ",20250301120000_dbrecover_forward_fix:true:false:"
                + AppliedHistory.sha256(Files.readString(file.path())));
  }

  @Test
  void plan_prismaAfterForwardFix_seesTheFixAsNewestAndTheRevertedOneAsNotApplied()
      throws Exception {
    Path dir = copy("prisma-blog");
    DbUrl db = ToolHistory.migrated(MigrationTool.PRISMA, dir, 4);
    planWriteApply(db, MigrationTool.PRISMA, dir, "feed_and_touch");

    assertThatThrownBy(() -> fix.plan(db, MigrationTool.PRISMA, dir, "dbrecover_forward_fix"))
        .isInstanceOf(ConfigurationException.class)
        .hasMessage(
            "migration 20250301120000_dbrecover_forward_fix is the newest applied one: there is"
                + " nothing to revert; give --to an older migration");
  }

  @Test
  void apply_drizzle_journalEntryAndHashRecordedSoTheMigratorSkipsIt() throws Exception {
    Path dir = copy("drizzle-shop");
    DbUrl db = ToolHistory.migrated(MigrationTool.DRIZZLE, dir, 4);

    FixFile file = planWriteApply(db, MigrationTool.DRIZZLE, dir, "0002_order_totals");

    assertThat(file.name()).isEqualTo("0004_dbrecover_forward_fix");
    assertThat(Files.readString(file.path())).contains(";\n--> statement-breakpoint\n");
    JsonNode last =
        new ObjectMapper()
            .readTree(dir.resolve("meta/_journal.json").toFile())
            .path("entries")
            .get(4);
    assertThat(last.path("idx").asInt()).isEqualTo(4);
    assertThat(last.path("tag").asText()).isEqualTo("0004_dbrecover_forward_fix");
    assertThat(last.path("when").asLong()).isEqualTo(CLOCK.millis());
    assertThat(last.path("breakpoints").asBoolean()).isTrue();
    // drizzle-orm's migrator runs the journal entries whose `when` is newer than the newest
    // created_at, and identifies them by the file's SHA-256.
    assertThat(
            RoundTripIT.one(
                db,
                "select hash || ':' || created_at from drizzle.__drizzle_migrations"
                    + " order by created_at desc limit 1"))
        .isEqualTo(AppliedHistory.sha256(Files.readString(file.path())) + ":" + CLOCK.millis());
    assertThatThrownBy(() -> fix.plan(db, MigrationTool.DRIZZLE, dir, file.name()))
        .hasMessageContaining("is the newest applied one");
  }

  @Test
  void plan_prismaMigrationFailedHalfWay_revertsTheAppliedPartAndMarksItRolledBack()
      throws Exception {
    Path dir = copy("prisma-blog");
    DbUrl db = ToolHistory.migrated(MigrationTool.PRISMA, dir, 3);
    List<Migration> files = MigrationFiles.read(MigrationTool.PRISMA, dir);
    // P3009: the first statements ran, then one failed; Prisma left the row unfinished.
    TestPostgres.sql(
        db,
        "ALTER TYPE \"Role\" ADD VALUE 'AUDITOR';"
            + "DROP VIEW \"RecentFeed\"; DROP VIEW \"PublishedFeed\";"
            + "ALTER TABLE \"Post\" ALTER COLUMN \"title\" TYPE TEXT, DROP COLUMN \"body\"");
    try (Connection c = TestPostgres.connect(db)) {
      ToolHistory.record(c, MigrationTool.PRISMA, files.get(3), false);
    }

    FixPlan plan = fix.plan(db, MigrationTool.PRISMA, dir, null);
    FixFile file = FixFiles.render(plan, dir, CLOCK);
    ForwardFix.apply(db, plan, file, true);

    assertThat(plan.failed().name()).isEqualTo("20240122170000_rework_posts");
    assertThat(plan.reverted()).isEmpty();
    assertThat(plan.target().name()).isEqualTo("20240115083000_feed_and_touch");
    assertThat(RoundTripIT.catalog(db))
        .isEqualTo(RoundTripIT.catalog(ToolHistory.migrated(MigrationTool.PRISMA, dir, 3)));
    assertThat(
            RoundTripIT.one(
                db,
                "select (rolled_back_at is not null) || ':' || (finished_at is null)"
                    + " from _prisma_migrations where migration_name = '20240122170000_rework_posts'"))
        .isEqualTo("true:true");
  }

  @Test
  void plan_shadowDatabase_droppedAfterwards() throws SQLException {
    DbUrl db = ToolHistory.migrated(MigrationTool.SQL, ToolHistory.dir("sql-inventory"), 4);

    fix.plan(db, MigrationTool.SQL, ToolHistory.dir("sql-inventory"), null);

    assertThat(scratch.created).hasSize(1).isEqualTo(scratch.dropped);
    assertThat(
            RoundTripIT.one(
                TestPostgres.url("postgres"),
                "select count(*) from pg_database where datname = '"
                    + scratch.created.get(0)
                    + "'"))
        .isEqualTo("0");
  }
}

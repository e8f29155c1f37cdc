package io.dbrecover.forwardfix;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.dbrecover.engine.api.ConfigurationException;
import io.dbrecover.engine.api.DbUrl;
import io.dbrecover.engine.api.MigrationTool;
import io.dbrecover.engine.testing.TestPostgres;
import io.dbrecover.forwardfix.testing.Scratch;
import io.dbrecover.forwardfix.testing.ToolHistory;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.SQLException;
import java.time.Clock;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What a forward-fix would destroy is counted on the live database before anything runs. */
class DataLossIT {
  @TempDir Path dir;

  private final ForwardFix fix = new ForwardFix(new Scratch());

  private DbUrl migrated(String... migrations) throws IOException {
    for (int i = 0; i < migrations.length; i++) {
      Files.writeString(dir.resolve(String.format("%03d_m%d.sql", i + 1, i + 1)), migrations[i]);
    }
    DbUrl db = TestPostgres.createDatabase();
    ToolHistory.migrate(db, MigrationTool.SQL, MigrationFiles.read(MigrationTool.SQL, dir));
    return db;
  }

  private FixPlan plan(DbUrl db) {
    return fix.plan(db, MigrationTool.SQL, dir, null);
  }

  private static String losses(FixPlan plan) {
    return plan.losses().stream().map(Loss::describe).collect(Collectors.joining("\n"));
  }

  @Test
  void plan_droppingNonEmptyTable_reportsItsRows() throws IOException {
    DbUrl db = migrated("create table keep (id int)", "create table notes (id int, body text)");
    TestPostgres.sql(db, "insert into notes values (1, 'a'), (2, 'b'), (3, null)");

    FixPlan plan = plan(db);

    assertThat(losses(plan)).isEqualTo("DROP TABLE public.notes destroys 3 rows of public.notes");
    assertThat(plan.destroysData()).isTrue();
    assertThat(plan.lossless()).isFalse();
  }

  @Test
  void plan_droppingEmptyTable_isLossless() throws IOException {
    DbUrl db = migrated("create table keep (id int)", "create table notes (id int, body text)");

    FixPlan plan = plan(db);

    assertThat(plan.changes()).extracting(Change::sql).containsExactly("DROP TABLE public.notes");
    assertThat(plan.lossless()).isTrue();
  }

  @Test
  void plan_droppingColumn_countsNonNullValuesOnly() throws IOException {
    DbUrl db = migrated("create table t (id int)", "alter table t add column note text");
    TestPostgres.sql(db, "insert into t values (1, 'x'), (2, null), (3, 'y')");

    assertThat(losses(plan(db)))
        .isEqualTo(
            "ALTER TABLE public.t DROP COLUMN note destroys 2 non-null values of public.t.note");
  }

  @Test
  void plan_narrowingVarchar_countsValuesTheConversionChanges() throws IOException {
    DbUrl db =
        migrated("create table t (name varchar(5))", "alter table t alter column name type text");
    TestPostgres.sql(db, "insert into t values ('short'), ('much too long'), ('tiny')");

    assertThat(losses(plan(db)))
        .isEqualTo(
            "ALTER TABLE public.t ALTER COLUMN name TYPE character varying(5) USING"
                + " name::character varying(5) destroys 1 values of public.t.name changed by the"
                + " conversion to character varying(5)");
  }

  @Test
  void plan_conversionThatFails_blocksWithTheServersReason() throws IOException {
    DbUrl db = migrated("create table t (n int)", "alter table t alter column n type bigint");
    TestPostgres.sql(db, "insert into t values (1), (9999999999)");

    FixPlan plan = plan(db);

    assertThat(plan.blocked()).isTrue();
    assertThat(losses(plan)).contains("cannot run: ERROR: integer out of range");
  }

  @Test
  void plan_removedEnumLabelInUse_blocks() throws IOException {
    DbUrl db =
        migrated(
            "create type s as enum ('a', 'b'); create table t (v s)", "alter type s add value 'c'");
    TestPostgres.sql(db, "insert into t values ('a'), ('c'), ('c')");

    assertThat(losses(plan(db))).endsWith("fails on 2 values of public.t.v removed from public.s");
  }

  @Test
  void plan_restoringNotNullOverNulls_blocks() throws IOException {
    DbUrl db =
        migrated("create table t (v int not null)", "alter table t alter column v drop not null");
    TestPostgres.sql(db, "insert into t values (1), (null)");

    assertThat(losses(plan(db)))
        .isEqualTo(
            "ALTER TABLE public.t ALTER COLUMN v SET NOT NULL fails on 1 rows of public.t with"
                + " NULL in v");
  }

  @Test
  void apply_destroyingWithoutFlag_refusedAndDatabaseUntouched() throws IOException, SQLException {
    DbUrl db = migrated("create table keep (id int)", "create table notes (id int)");
    TestPostgres.sql(db, "insert into notes values (1), (2)");
    FixPlan plan = plan(db);
    FixFile file = FixFiles.render(plan, dir, Clock.systemUTC());

    assertThatThrownBy(() -> ForwardFix.apply(db, plan, file, false))
        .isInstanceOf(ConfigurationException.class)
        .hasMessage(
            "the forward-fix would destroy data: DROP TABLE public.notes destroys 2 rows of"
                + " public.notes; nothing was changed; rerun with --allow-data-loss to accept the"
                + " loss, or restore instead (dbrecover rollback <env> --incident schema --to"
                + " <migration>)");
    assertThat(RoundTripIT.one(db, "select count(*) from notes")).isEqualTo("2");
  }

  @Test
  void apply_destroyingWithFlag_dropsTheTable() throws IOException, SQLException {
    DbUrl db = migrated("create table keep (id int)", "create table notes (id int)");
    TestPostgres.sql(db, "insert into notes values (1), (2)");
    FixPlan plan = plan(db);

    ForwardFix.apply(db, plan, FixFiles.render(plan, dir, Clock.systemUTC()), true);

    assertThat(RoundTripIT.one(db, "select to_regclass('public.notes') is null")).isEqualTo("t");
  }

  @Test
  void apply_blockedEvenWithFlag_refusedAndDatabaseUntouched() throws IOException, SQLException {
    DbUrl db =
        migrated(
            "create table t (v int not null)",
            "alter table t alter column v drop not null; create table extra (id int)");
    TestPostgres.sql(db, "insert into t values (null)");
    FixPlan plan = plan(db);

    assertThatThrownBy(
            () -> ForwardFix.apply(db, plan, FixFiles.render(plan, dir, Clock.systemUTC()), true))
        .isInstanceOf(ConfigurationException.class)
        .hasMessageStartingWith(
            "the forward-fix cannot run on the data in the database: ALTER TABLE public.t ALTER"
                + " COLUMN v SET NOT NULL fails on 1 rows of public.t with NULL in v;");
    assertThat(RoundTripIT.one(db, "select to_regclass('public.extra') is not null"))
        .isEqualTo("t");
  }

  @Test
  void apply_rowsWrittenAfterThePlan_countedAgainAndRefused() throws IOException, SQLException {
    DbUrl db = migrated("create table keep (id int)", "create table notes (id int)");
    FixPlan plan = plan(db);
    assertThat(plan.lossless()).isTrue();
    TestPostgres.sql(db, "insert into notes values (1)");

    assertThatThrownBy(
            () -> ForwardFix.apply(db, plan, FixFiles.render(plan, dir, Clock.systemUTC()), false))
        .isInstanceOf(ConfigurationException.class)
        .hasMessageContaining("DROP TABLE public.notes destroys 1 rows of public.notes");
    assertThat(RoundTripIT.one(db, "select count(*) from notes")).isEqualTo("1");
  }

  @Test
  void plan_restoringCheckThatRowsViolate_blocksWithTheCount() throws IOException {
    DbUrl db =
        migrated(
            "create table t (price int constraint t_price_positive check (price > 0))",
            "alter table t drop constraint t_price_positive");
    TestPostgres.sql(db, "insert into t values (5), (0), (-1), (null)");

    assertThat(losses(plan(db)))
        .isEqualTo(
            "ALTER TABLE public.t ADD CONSTRAINT t_price_positive CHECK ((price > 0)) fails on 2"
                + " rows of public.t violating t_price_positive");
  }
}

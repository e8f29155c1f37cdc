package io.dbrecover.engine.internal;

import static io.dbrecover.engine.testing.TestPostgres.createDatabase;
import static io.dbrecover.engine.testing.TestPostgres.sql;
import static org.assertj.core.api.Assertions.assertThat;

import io.dbrecover.engine.api.DbUrl;
import io.dbrecover.engine.api.EnvironmentConfig.SmokeQuery;
import io.dbrecover.engine.api.MigrationState;
import io.dbrecover.engine.api.Secret;
import io.dbrecover.engine.api.Verification;
import io.dbrecover.engine.api.Verification.Check;
import io.dbrecover.engine.internal.Verifier.Expectations;
import io.dbrecover.engine.spi.DatabaseInspector;
import io.dbrecover.engine.testing.TestPostgres;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class VerifierIT {
  private final Verifier verifier = new Verifier();
  private DbUrl db;
  private MigrationState state;
  private String fingerprint;
  private Map<String, Long> counts;

  @BeforeEach
  void createApp() throws SQLException {
    db = createDatabase();
    sql(
        db,
        "create table _prisma_migrations (id varchar(36) primary key, checksum varchar(64) not null,"
            + " finished_at timestamptz, migration_name varchar(255) not null, logs text,"
            + " rolled_back_at timestamptz, started_at timestamptz not null default now(),"
            + " applied_steps_count int not null default 0);"
            + "insert into _prisma_migrations (id, checksum, migration_name, finished_at)"
            + " values ('1', 'c', '0001_init', now());"
            + "create table users (id int primary key, email text);"
            + "insert into users values (1, 'a@x'), (2, 'b@x')");
    try (Connection c = DatabaseInspector.connect(db)) {
      state = DatabaseInspector.migrationState(c);
      fingerprint = DatabaseInspector.schemaFingerprint(c);
      counts = DatabaseInspector.rowCounts(c);
    }
  }

  @Test
  void verify_matchingDatabase_passesEveryCheckInOrder() {
    Verification v =
        verifier.verify(
            "restored",
            db,
            new Expectations(
                state,
                fingerprint,
                counts,
                List.of(
                    new SmokeQuery("users", "select count(*) from users", "2"),
                    new SmokeQuery("any user", "select email from users", null))));

    assertThat(v.passed()).isTrue();
    assertThat(v.subject()).isEqualTo("restored");
    assertThat(v.checks())
        .extracting(Check::name)
        .containsExactly(
            "connection",
            "migration state",
            "schema fingerprint",
            "smoke: users",
            "smoke: any user",
            "row counts");
    assertThat(v.checks().get(1).actual()).isEqualTo("prisma: 0001_init");
    assertThat(v.checks().get(5).actual()).isEqualTo("2 tables, 3 rows");
  }

  @Test
  void verify_wrongFingerprint_failsOnlyTheFingerprintCheck() {
    Verification v =
        verifier.verify("restored", db, new Expectations(null, "abc", null, List.of()));

    assertThat(v.failures())
        .containsExactly(new Check("schema fingerprint", "abc", fingerprint, false));
  }

  @Test
  void verify_smokeQueryErrors_failsWithTheErrorAndRunsTheNextCheck() {
    Verification v =
        verifier.verify(
            "restored",
            db,
            new Expectations(
                null,
                null,
                counts,
                List.of(new SmokeQuery("orders", "select count(*) from orders", "0"))));

    assertThat(v.failures())
        .singleElement()
        .satisfies(
            c -> {
              assertThat(c.name()).isEqualTo("smoke: orders");
              assertThat(c.actual()).contains("relation \"orders\" does not exist");
            });
    assertThat(v.checks()).last().extracting(Check::passed).isEqualTo(true);
  }

  @Test
  void verify_smokeQueryUnexpectedValue_failsWithActualValue() {
    Verification v =
        verifier.verify(
            "restored",
            db,
            new Expectations(
                null,
                null,
                null,
                List.of(new SmokeQuery("users", "select count(*) from users", "5"))));

    assertThat(v.checks()).last().isEqualTo(new Check("smoke: users", "5", "2", false));
  }

  @Test
  void verify_smokeQueryWrites_failsBecauseReadOnly() {
    Verification v =
        verifier.verify(
            "restored",
            db,
            new Expectations(
                null,
                null,
                null,
                List.of(new SmokeQuery("write", "delete from users returning id", null))));

    assertThat(v.checks().get(1).passed()).isFalse();
    assertThat(v.checks().get(1).actual()).contains("read-only transaction");
    assertThat(count("users")).isEqualTo(2);
  }

  @Test
  void verify_rowCountDiffers_listsTheTable() {
    sql(db, "delete from users where id = 2");

    Verification v =
        verifier.verify("restored", db, new Expectations(null, null, counts, List.of()));

    assertThat(v.failures())
        .containsExactly(
            new Check(
                "row counts", "2 tables, 3 rows", "1 differ: public.users 1 (expected 2)", false));
  }

  @Test
  void verify_otherMigrationApplied_failsMigrationState() {
    sql(
        db,
        "insert into _prisma_migrations (id, checksum, migration_name, finished_at)"
            + " values ('2', 'c', '0002_bad', now())");

    Verification v =
        verifier.verify("restored", db, new Expectations(state, null, null, List.of()));

    assertThat(v.failures())
        .containsExactly(
            new Check("migration state", "prisma: 0001_init", "prisma: 0002_bad", false));
  }

  @Test
  void verify_unreachablePort_failsConnectionAndSkipsTheRest() {
    DbUrl down = DbUrl.of("localhost", 1, "app", "app", Secret.of("pw-123456"));

    Verification v =
        verifier.verify("live", down, new Expectations(state, fingerprint, counts, List.of()));

    assertThat(v.passed()).isFalse();
    assertThat(v.checks().get(0).name()).isEqualTo("connection");
    assertThat(v.checks().get(0).actual())
        .contains("cannot connect to postgresql://app:****@localhost:1/app")
        .doesNotContain("pw-123456");
    assertThat(v.checks().subList(1, 4))
        .extracting(Check::name, Check::actual)
        .containsExactly(
            org.assertj.core.groups.Tuple.tuple("migration state", Verifier.SKIPPED),
            org.assertj.core.groups.Tuple.tuple("schema fingerprint", Verifier.SKIPPED),
            org.assertj.core.groups.Tuple.tuple("row counts", Verifier.SKIPPED));
  }

  private long count(String table) {
    try (Connection c = TestPostgres.connect(db);
        var rs = c.createStatement().executeQuery("select count(*) from " + table)) {
      rs.next();
      return rs.getLong(1);
    } catch (SQLException e) {
      throw new IllegalStateException(e);
    }
  }
}

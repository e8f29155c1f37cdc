package io.dbrecover.postgres;

import static org.assertj.core.api.Assertions.assertThat;

import io.dbrecover.engine.api.ArchivingStatus;
import io.dbrecover.engine.api.DbUrl;
import io.dbrecover.engine.api.Method;
import io.dbrecover.engine.api.Secret;
import io.dbrecover.engine.spi.Capabilities;
import io.dbrecover.engine.spi.ProviderContext;
import io.dbrecover.postgres.internal.EmbeddedBinaries;
import io.dbrecover.postgres.testing.SampleSchema;
import io.dbrecover.postgres.testing.TestEnvironments;
import io.dbrecover.postgres.testing.TestPostgres;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** WAL archiving on servers dbrecover does not manage (configured by URL). */
class UnmanagedArchivingIT {
  private final PostgresProvider provider = new PostgresProvider(System.getenv());
  private Path root;

  @BeforeEach
  void setUp() throws Exception {
    root = TestEnvironments.openTempDir("dbrecover-archiving-it-");
  }

  @AfterEach
  void tearDown() throws Exception {
    EmbeddedBinaries.deleteTree(root);
  }

  private ProviderContext context(DbUrl url) {
    return TestEnvironments.context(
        url, root.resolve("backups"), root.resolve("state"), Clock.systemUTC());
  }

  @Test
  void capabilities_archivingOff_offersDumpRestoreAndSaysHowToEnable() {
    Capabilities caps = provider.capabilities(context(TestPostgres.freshDatabase()));

    assertThat(caps.methods()).containsExactly(Method.DUMP_RESTORE);
    assertThat(caps.historyWindow()).isNull();
    assertThat(caps.notes())
        .containsExactly(
            "point-in-time restore needs WAL archiving: run `dbrecover pitr enable test`");
  }

  @Test
  void enableArchiving_dryRun_changesNothingAndListsProblems() {
    ProviderContext ctx = context(TestPostgres.freshDatabase());

    ArchivingStatus status = provider.enableArchiving(ctx, false);

    assertThat(status.archiveMode()).isEqualTo("off");
    assertThat(status.pendingRestart()).isFalse();
    assertThat(status.problems())
        .anySatisfy(p -> assertThat(p).contains("archive_mode = off"))
        .anySatisfy(p -> assertThat(p).contains("no base backup yet"));
    assertThat(provider.archivingStatus(ctx).archiveMode()).isEqualTo("off");
  }

  @Test
  void enableArchiving_userWithoutPrivilege_problemsSayWhatASuperuserMustSet() {
    DbUrl admin = TestPostgres.freshDatabase();
    String role = "plain_" + ProcessHandle.current().pid() + "_" + System.nanoTime() % 100000;
    SampleSchema.run(admin, "create role " + role + " login password 'pw-not-secret'");
    DbUrl plain =
        DbUrl.of(admin.host(), admin.port(), admin.database(), role, Secret.of("pw-not-secret"));

    ArchivingStatus status = provider.enableArchiving(context(plain), true);

    assertThat(status.problems())
        .anySatisfy(
            p ->
                assertThat(p)
                    .contains("may not change server settings; ask a superuser to set")
                    .contains("archive_mode = 'on'")
                    .contains("restart the server"));
    assertThat(status.archiveMode()).isEqualTo("off");
  }

  @Test
  void enableArchiving_superuser_altersSystemAndArchivesAfterTheOperatorRestarts()
      throws Exception {
    EmbeddedCluster server = EmbeddedCluster.at(root.resolve("server"));
    server.ensureRunning();
    try {
      ProviderContext ctx = context(server.url("postgres"));

      ArchivingStatus pending = provider.enableArchiving(ctx, true);
      server.restart();
      SampleSchema.run(
          server.url("postgres"), "create table t (x int)", "insert into t values (1)");
      String segment = query(server.url("postgres"), "select pg_walfile_name(pg_switch_wal())");
      Path archived = provider.archiveDir(ctx).resolve(segment);
      Instant deadline = Instant.now().plusSeconds(60);
      while (!Files.exists(archived) && Instant.now().isBefore(deadline)) {
        Thread.sleep(50);
      }

      assertThat(pending.pendingRestart()).isTrue();
      assertThat(pending.problems())
          .anySatisfy(p -> assertThat(p).contains("only after a server restart: archive_mode"))
          // archive_command reads "(disabled)" until the restart: not a problem to report
          .noneSatisfy(p -> assertThat(p).contains("archive_command does not copy"));
      assertThat(archived).exists();
      assertThat(provider.archivingStatus(ctx).archiveMode()).isEqualTo("on");
    } finally {
      server.stop();
    }
  }

  private static String query(DbUrl url, String sql) throws Exception {
    try (java.sql.Connection c = io.dbrecover.postgres.internal.Jdbc.connect(url);
        java.sql.Statement st = c.createStatement();
        java.sql.ResultSet rs = st.executeQuery(sql)) {
      rs.next();
      return rs.getString(1);
    }
  }
}

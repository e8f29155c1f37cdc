package io.dbrecover.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.dbrecover.engine.api.DbUrl;
import io.dbrecover.postgres.testing.TestPostgres;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.UUID;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code rollback <env> --method forward-fix} as an operator runs it, on a Prisma project. */
class ForwardFixCliIT {
  private static final String[] MIGRATIONS = {
    "20250101000000_init",
    "CREATE TABLE \"Post\" (\"id\" SERIAL PRIMARY KEY, \"title\" VARCHAR(200) NOT NULL,"
        + " \"published\" BOOLEAN NOT NULL DEFAULT false);\n"
        + "CREATE INDEX \"Post_title_idx\" ON \"Post\"(\"title\");\n",
    "20250102000000_rework",
    "DROP INDEX \"Post_title_idx\";\n"
        + "ALTER TABLE \"Post\" ALTER COLUMN \"title\" TYPE TEXT,"
        + " ALTER COLUMN \"published\" DROP DEFAULT;\n",
    "20250103000000_comments",
    "CREATE TABLE \"Comment\" (\"id\" SERIAL PRIMARY KEY, \"text\" TEXT NOT NULL);\n"
  };

  @TempDir Path work;
  DbUrl db;
  CliProcess cli;

  @BeforeEach
  void setUp() throws Exception {
    db = TestPostgres.freshDatabase();
    Files.writeString(
        work.resolve("dbrecover.yaml"),
        String.join(
            "\n",
            "environments:",
            "  prod:",
            "    tier: production",
            "    protection: strict",
            "    database:",
            "      provider: postgres",
            "      url: ${APP_DB_URL}",
            "    backup-store: backups",
            "    migrations: { tool: prisma, dir: prisma/migrations }",
            ""));
    cli = new CliProcess(work).env("APP_DB_URL", db.toSecretUri().reveal());
  }

  private void migrate(int count) throws IOException, SQLException {
    try (Connection c = DrillCommand.connect(db);
        Statement st = c.createStatement()) {
      st.execute(
          "CREATE TABLE IF NOT EXISTS \"_prisma_migrations\" (\"id\" VARCHAR(36) PRIMARY KEY NOT"
              + " NULL, \"checksum\" VARCHAR(64) NOT NULL, \"finished_at\" TIMESTAMPTZ,"
              + " \"migration_name\" VARCHAR(255) NOT NULL, \"logs\" TEXT, \"rolled_back_at\""
              + " TIMESTAMPTZ, \"started_at\" TIMESTAMPTZ NOT NULL DEFAULT now(),"
              + " \"applied_steps_count\" INTEGER NOT NULL DEFAULT 0)");
      for (int i = 0; i < count; i++) {
        Path folder = work.resolve("prisma/migrations").resolve(MIGRATIONS[2 * i]);
        Files.createDirectories(folder);
        Files.writeString(folder.resolve("migration.sql"), MIGRATIONS[2 * i + 1]);
        st.execute(MIGRATIONS[2 * i + 1]);
        try (PreparedStatement ps =
            c.prepareStatement(
                "insert into _prisma_migrations (id, checksum, finished_at, migration_name,"
                    + " started_at, applied_steps_count) values (?, 'x', clock_timestamp(), ?,"
                    + " clock_timestamp(), 1)")) {
          ps.setString(1, UUID.randomUUID().toString());
          ps.setString(2, MIGRATIONS[2 * i]);
          ps.executeUpdate();
        }
      }
    }
  }

  private String single(String sql) throws SQLException {
    try (Connection c = DrillCommand.connect(db);
        Statement st = c.createStatement();
        ResultSet rs = st.executeQuery(sql)) {
      rs.next();
      return rs.getString(1);
    }
  }

  private long folders() throws IOException {
    try (Stream<Path> s = Files.list(work.resolve("prisma/migrations"))) {
      return s.count();
    }
  }

  @Test
  void rollbackForwardFix_dryRun_printsTheSqlAndWritesNothing() throws Exception {
    migrate(2);

    CliProcess.Result r = cli.run("rollback", "prod", "--method", "forward-fix", "--dry-run");

    assertThat(r.exit()).as(r.all()).isZero();
    assertThat(r.out())
        .contains("restores the schema after: 20250101000000_init")
        .contains("reverts:                   20250102000000_rework")
        .contains("Data loss: none")
        .contains(
            "ALTER TABLE public.\"Post\" ALTER COLUMN title TYPE character varying(200) USING"
                + " title::character varying(200);")
        .contains("CREATE INDEX \"Post_title_idx\" ON public.\"Post\" USING btree (title);")
        .contains("Dry run: nothing was written or changed.");
    assertThat(folders()).isEqualTo(2);
    assertThat(r.all()).doesNotContain(db.password().orElseThrow().reveal());
  }

  @Test
  void rollbackForwardFix_apply_runsWritesAndRecordsTheRollback() throws Exception {
    migrate(2);
    try (Connection c = DrillCommand.connect(db);
        Statement st = c.createStatement()) {
      st.execute("insert into \"Post\" (title, published) values ('kept', true)");
    }

    CliProcess.Result r =
        cli.runWithInput(
            "rollback-prod\n", "rollback", "prod", "--method", "forward-fix", "--apply");

    assertThat(r.exit()).as(r.all()).isZero();
    assertThat(r.out())
        .contains("_dbrecover_forward_fix/migration.sql")
        .contains("Applied in one transaction")
        .contains("Recorded _prisma_migrations: 20250102000000_rework marked rolled back");
    assertThat(folders()).isEqualTo(3);
    assertThat(
            single(
                "select format_type(atttypid, atttypmod) from pg_attribute"
                    + " where attrelid = '\"Post\"'::regclass and attname = 'title'"))
        .isEqualTo("character varying(200)");
    assertThat(single("select title from \"Post\"")).isEqualTo("kept");
    assertThat(
            single(
                "select string_agg(migration_name || ':' || (rolled_back_at is not null), ','"
                    + " order by started_at) from _prisma_migrations"))
        .matches(
            "20250101000000_init:false,20250102000000_rework:true,"
                + "\\d{14}_dbrecover_forward_fix:false");
  }

  @Test
  void rollbackForwardFix_destroysRows_refusedWithCountsAndNothingWritten() throws Exception {
    migrate(3);
    try (Connection c = DrillCommand.connect(db);
        Statement st = c.createStatement()) {
      st.execute("insert into \"Comment\" (text) values ('a'), ('b')");
    }

    CliProcess.Result r =
        cli.run("rollback", "prod", "--method", "forward-fix", "--to", "rework", "--apply");

    assertThat(r.exit()).as(r.all()).isEqualTo(1);
    assertThat(r.err())
        .contains(
            "the forward-fix would destroy data: DROP TABLE public.\"Comment\" destroys 2 rows of"
                + " public.\"Comment\"; nothing was changed; rerun with --allow-data-loss");
    assertThat(folders()).isEqualTo(3);
    assertThat(single("select count(*) from \"Comment\"")).isEqualTo("2");
  }

  @Test
  void rollbackForwardFix_unknownTarget_listsTheAppliedMigrations() throws Exception {
    migrate(2);

    CliProcess.Result r = cli.run("rollback", "prod", "--method", "forward-fix", "--to", "nope");

    assertThat(r.exit()).isEqualTo(1);
    assertThat(r.err())
        .contains(
            "migration 'nope' is not applied to the database; applied prisma migrations:"
                + " 20250101000000_init, 20250102000000_rework");
  }

  @Test
  void rollbackMethod_otherThanForwardFix_rejected() {
    CliProcess.Result r = cli.run("rollback", "prod", "--method", "point-in-time");

    assertThat(r.exit()).isEqualTo(1);
    assertThat(r.err()).contains("--method accepts only forward-fix (got 'point-in-time')");
  }

  @Test
  void plan_schemaIncidentWithLosslessReverseMigration_decisionIsForwardFix() throws Exception {
    migrate(2);

    CliProcess.Result r = cli.run("plan", "prod", "--incident", "schema");

    assertThat(r.exit()).as(r.all()).isZero();
    assertThat(r.err())
        .contains("Forward-fix analysis: reverting 20250102000000_rework takes")
        .contains("loses no data");
    assertThat(r.out())
        .contains("Decision: forward-fix migration")
        .contains("a generated reverse migration undoes the schema change without losing data");
  }

  @Test
  void plan_schemaIncidentWithLossyReverseMigration_forwardFixRejectedForARestore()
      throws Exception {
    migrate(3);
    try (Connection c = DrillCommand.connect(db);
        Statement st = c.createStatement()) {
      st.execute("insert into \"Comment\" (text) values ('a')");
    }

    CliProcess.Result r = cli.run("plan", "prod", "--incident", "schema");

    assertThat(r.err()).contains("would lose data (1 statements)");
    assertThat(r.out())
        .contains(
            "a forward-fix cannot undo the schema change without loss: treating it as data damage"
                + " just before the migration")
        .contains("the generated reverse migration would lose data");
    assertThat(r.exit()).as(r.all()).isEqualTo(2);
  }

  @Test
  void rollback_schemaIncidentChoosingForwardFix_appliesItAfterConfirmation() throws Exception {
    migrate(2);

    CliProcess.Result r =
        cli.runWithInput("rollback-prod\n", "rollback", "prod", "--incident", "schema");

    assertThat(r.exit()).as(r.all()).isZero();
    assertThat(r.out()).contains("Applied in one transaction");
    assertThat(folders()).isEqualTo(3);
  }

  @Test
  void rollbackForwardFix_jsonDryRun_listsStatementsWithWhatTheyDestroy() throws Exception {
    migrate(3);
    try (Connection c = DrillCommand.connect(db);
        Statement st = c.createStatement()) {
      st.execute("insert into \"Comment\" (text) values ('a')");
    }

    CliProcess.Result r =
        cli.run("-o", "json", "rollback", "prod", "--method", "forward-fix", "--dry-run");

    assertThat(r.exit()).as(r.all()).isZero();
    var json = new com.fasterxml.jackson.databind.ObjectMapper().readTree(r.out());
    assertThat(json.path("target").asText()).isEqualTo("20250102000000_rework");
    assertThat(json.path("reverted").get(0).asText()).isEqualTo("20250103000000_comments");
    assertThat(json.path("statements").get(0).path("kind").asText()).isEqualTo("drop_table");
    assertThat(json.path("statements").get(0).path("destroys").asText())
        .isEqualTo("rows of public.\"Comment\"");
    assertThat(json.path("losses").get(0).path("count").asLong()).isEqualTo(1);
    assertThat(json.path("written").asBoolean()).isFalse();
    assertThat(r.all()).doesNotContain(db.password().orElseThrow().reveal());
  }
}

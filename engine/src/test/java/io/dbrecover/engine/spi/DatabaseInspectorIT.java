package io.dbrecover.engine.spi;

import static io.dbrecover.engine.testing.TestPostgres.createDatabase;
import static io.dbrecover.engine.testing.TestPostgres.sql;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.dbrecover.engine.api.ConfigurationException;
import io.dbrecover.engine.api.DbUrl;
import io.dbrecover.engine.api.ErrorCode;
import io.dbrecover.engine.api.MigrationState;
import io.dbrecover.engine.api.MigrationState.Applied;
import io.dbrecover.engine.api.Secret;
import io.dbrecover.engine.testing.TestPostgres;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.Test;

class DatabaseInspectorIT {
  private static final String SCHEMA =
      "create type mood as enum ('sad', 'ok', 'happy');"
          + "create table users (id bigserial primary key, email text not null unique,"
          + " mood mood default 'ok', created timestamptz not null default now());"
          + "create table orders (id int generated always as identity primary key,"
          + " user_id bigint not null references users(id), total numeric(10,2) check (total >= 0),"
          + " doubled numeric generated always as (total * 2) stored);"
          + "create index orders_user on orders (user_id);"
          + "create view big_orders as select * from orders where total > 100;"
          + "create function touch() returns trigger language plpgsql as"
          + " $$ begin new.created := now(); return new; end $$;"
          + "create trigger users_touch before update on users for each row execute function touch();"
          + "comment on table users is 'people';"
          + "create schema audit; create table audit.\"Log\" (line text);"
          + "insert into users (email) values ('a@x'), ('b@x');"
          + "insert into orders (user_id, total) values (1, 5), (1, 200), (2, 7);";

  private static final String RICH_SCHEMA =
      "alter table users add column gone int; alter table users drop column gone;"
          + "alter table users add column tags text[] collate \"C\";"
          + "create domain posint as int check (value > 0);"
          + "create table measures (at date not null, v posint, primary key (at))"
          + " partition by range (at);"
          + "create table measures_2024 partition of measures"
          + " for values from ('2024-01-01') to ('2025-01-01');"
          + "create materialized view totals as select user_id, sum(total) from orders group by 1;"
          + "create unique index totals_user on totals (user_id);"
          + "create unlogged table scratch (k text primary key) with (fillfactor = 70);"
          + "create sequence audit.seq increment 5 cache 10;"
          + "alter table orders enable row level security;"
          + "create policy mine on orders using (user_id = 1);"
          + "create aggregate audit.concat_all(text) (sfunc = textcat, stype = text, initcond = '');"
          + "create type audit.pair as (a int, b text);"
          + "create statistics orders_stats on user_id, total from orders;"
          + "comment on column users.email is 'login';"
          + "create rule no_delete as on delete to scratch do instead nothing;";

  @Test
  void connect_wrongPort_throwsConfigurationNamingRedactedUrl() {
    DbUrl url = DbUrl.of("localhost", 1, "app", "alice", Secret.of("s3cret-pw"));

    assertThatThrownBy(() -> DatabaseInspector.connect(url))
        .isInstanceOf(ConfigurationException.class)
        .hasMessageContaining("cannot connect to postgresql://alice:****@localhost:1/app")
        .hasMessageContaining("check that the server is running")
        .hasMessageNotContaining("s3cret-pw")
        .extracting(e -> ((ConfigurationException) e).code())
        .isEqualTo(ErrorCode.CONFIGURATION);
  }

  @Test
  void connect_unknownDatabase_saysToCheckTheDatabaseName() {
    DbUrl url = TestPostgres.url("no_such_db");

    assertThatThrownBy(() -> DatabaseInspector.connect(url))
        .isInstanceOf(ConfigurationException.class)
        .hasMessageContaining("no_such_db")
        .hasMessageContaining("check the database name");
  }

  @Test
  void serverVersionNum_embeddedServer_is15() throws SQLException {
    try (Connection c = DatabaseInspector.connect(createDatabase())) {
      assertThat(DatabaseInspector.serverVersionNum(c)).isBetween(150000, 159999);
    }
  }

  @Test
  void rowCounts_userTables_exactCountsSortedBySchemaQualifiedName() throws SQLException {
    DbUrl db = createDatabase();
    sql(db, SCHEMA);

    try (Connection c = DatabaseInspector.connect(db)) {
      assertThat(DatabaseInspector.rowCounts(c))
          .containsExactly(
              Map.entry("audit.Log", 0L),
              Map.entry("public.orders", 3L),
              Map.entry("public.users", 2L));
    }
  }

  @Test
  void schemaFingerprint_templateCopy_isEqual() {
    DbUrl db = createDatabase();
    sql(db, SCHEMA);
    DbUrl copy = createDatabase(db);

    assertThat(fingerprint(copy)).isEqualTo(fingerprint(db)).hasSize(64);
  }

  @Test
  void schemaFingerprint_pgDumpRestoreCopy_isEqual() throws Exception {
    DbUrl db = createDatabase();
    sql(db, SCHEMA + RICH_SCHEMA);
    DbUrl copy = createDatabase();

    pgDumpRestore(db, copy);

    assertThat(description(copy)).isEqualTo(description(db));
    assertThat(fingerprint(copy)).isEqualTo(fingerprint(db));
  }

  @Test
  void schemaFingerprint_columnAdded_differs() {
    DbUrl db = createDatabase();
    sql(db, SCHEMA);
    String before = fingerprint(db);

    sql(db, "alter table users add column nickname text");

    assertThat(fingerprint(db)).isNotEqualTo(before);
  }

  @Test
  void schemaFingerprint_indexAdded_differs() {
    DbUrl db = createDatabase();
    sql(db, SCHEMA);
    String before = fingerprint(db);

    sql(db, "create index users_mood on users (mood)");

    assertThat(fingerprint(db)).isNotEqualTo(before);
  }

  @Test
  void schemaFingerprint_constraintChanged_differs() {
    DbUrl db = createDatabase();
    sql(db, SCHEMA);
    String before = fingerprint(db);

    sql(db, "alter table users alter column mood set not null");

    assertThat(fingerprint(db)).isNotEqualTo(before);
  }

  @Test
  void schemaFingerprint_dataChanged_isEqual() {
    DbUrl db = createDatabase();
    sql(db, SCHEMA);
    String before = fingerprint(db);

    sql(db, "insert into users (email) values ('c@x'); delete from orders");

    assertThat(fingerprint(db)).isEqualTo(before);
  }

  @Test
  void schemaDescription_schema_describesColumnsConstraintsAndEnumLabelsInOrder()
      throws SQLException {
    DbUrl db = createDatabase();
    sql(db, SCHEMA);

    try (Connection c = DatabaseInspector.connect(db)) {
      assertThat(DatabaseInspector.schemaDescription(c))
          .contains(
              "enum public.mood {sad,ok,happy}",
              "constraint public.orders orders_total_check CHECK ((total >= (0)::numeric))",
              "index CREATE INDEX orders_user ON public.orders USING btree (user_id)",
              "comment table public.users people")
          .anySatisfy(l -> assertThat(l).startsWith("column public.users #2 email text not_null=t"))
          .noneMatch(l -> l.contains(db.database()));
    }
  }

  @Test
  void schemaDescription_callerSearchPath_isRestored() throws SQLException {
    DbUrl db = createDatabase();
    sql(db, SCHEMA);

    try (Connection c = DatabaseInspector.connect(db)) {
      DatabaseInspector.schemaDescription(c);

      assertThat(DatabaseInspector.rowCounts(c)).containsKey("public.users");
      try (var rs = c.createStatement().executeQuery("show search_path")) {
        rs.next();
        assertThat(rs.getString(1)).isEqualTo("\"$user\", public");
      }
    }
  }

  @Test
  void migrationState_noHistoryTable_isNone() throws SQLException {
    try (Connection c = DatabaseInspector.connect(createDatabase())) {
      assertThat(DatabaseInspector.migrationState(c)).isEqualTo(MigrationState.NONE);
    }
  }

  @Test
  void migrationState_prisma_listsFinishedNotRolledBackByStartTime() throws SQLException {
    DbUrl db = createDatabase();
    sql(
        db,
        "CREATE TABLE \"_prisma_migrations\" (\"id\" VARCHAR(36) NOT NULL,"
            + " \"checksum\" VARCHAR(64) NOT NULL, \"finished_at\" TIMESTAMPTZ,"
            + " \"migration_name\" VARCHAR(255) NOT NULL, \"logs\" TEXT,"
            + " \"rolled_back_at\" TIMESTAMPTZ,"
            + " \"started_at\" TIMESTAMPTZ NOT NULL DEFAULT now(),"
            + " \"applied_steps_count\" INTEGER NOT NULL DEFAULT 0,"
            + " CONSTRAINT \"_prisma_migrations_pkey\" PRIMARY KEY (\"id\"));"
            + "insert into _prisma_migrations (id, checksum, migration_name, started_at,"
            + " finished_at, rolled_back_at) values"
            + " ('b', 'c', '20240102000000_add_orders', '2024-01-02T00:00:00Z',"
            + " '2024-01-02T00:00:01Z', null),"
            + " ('a', 'c', '20240101000000_init', '2024-01-01T00:00:00Z',"
            + " '2024-01-01T00:00:01Z', null),"
            + " ('c', 'c', '20240103000000_failed', '2024-01-03T00:00:00Z', null, null),"
            + " ('d', 'c', '20240104000000_undone', '2024-01-04T00:00:00Z',"
            + " '2024-01-04T00:00:01Z', '2024-01-05T00:00:00Z')");

    try (Connection c = DatabaseInspector.connect(db)) {
      assertThat(DatabaseInspector.migrationState(c))
          .isEqualTo(
              new MigrationState(
                  "prisma",
                  java.util.List.of(
                      new Applied("20240101000000_init", Instant.parse("2024-01-01T00:00:00Z")),
                      new Applied(
                          "20240102000000_add_orders", Instant.parse("2024-01-02T00:00:00Z")))));
    }
  }

  @Test
  void migrationState_drizzle_listsHashesByCreatedAt() throws SQLException {
    DbUrl db = createDatabase();
    sql(
        db,
        "CREATE SCHEMA IF NOT EXISTS \"drizzle\";"
            + "CREATE TABLE IF NOT EXISTS \"drizzle\".\"__drizzle_migrations\""
            + " (id SERIAL PRIMARY KEY, hash text NOT NULL, created_at bigint);"
            + "insert into drizzle.__drizzle_migrations (hash, created_at) values"
            + " ('h2', 1700000002000), ('h1', 1700000001000)");

    try (Connection c = DatabaseInspector.connect(db)) {
      MigrationState state = DatabaseInspector.migrationState(c);

      assertThat(state.tool()).isEqualTo("drizzle");
      assertThat(state.applied()).extracting(Applied::name).containsExactly("h1", "h2");
    }
  }

  @Test
  void migrationState_flyway_listsSuccessfulByInstalledRank() throws SQLException {
    DbUrl db = createDatabase();
    sql(
        db,
        "CREATE TABLE \"public\".\"flyway_schema_history\" ("
            + " \"installed_rank\" INT NOT NULL, \"version\" VARCHAR(50),"
            + " \"description\" VARCHAR(200) NOT NULL, \"type\" VARCHAR(20) NOT NULL,"
            + " \"script\" VARCHAR(1000) NOT NULL, \"checksum\" INTEGER,"
            + " \"installed_by\" VARCHAR(100) NOT NULL,"
            + " \"installed_on\" TIMESTAMP NOT NULL DEFAULT now(),"
            + " \"execution_time\" INTEGER NOT NULL, \"success\" BOOLEAN NOT NULL);"
            + "ALTER TABLE \"public\".\"flyway_schema_history\" ADD CONSTRAINT"
            + " \"flyway_schema_history_pk\" PRIMARY KEY (\"installed_rank\");"
            + "set timezone = 'UTC';"
            + "insert into flyway_schema_history values"
            + " (2, '2', 'add orders', 'SQL', 'V2__add_orders.sql', 1, 'app',"
            + " '2024-01-02 00:00:00', 5, true),"
            + " (1, '1', 'init', 'SQL', 'V1__init.sql', 1, 'app', '2024-01-01 00:00:00', 5, true),"
            + " (3, null, 'views', 'SQL', 'R__views.sql', 1, 'app', '2024-01-03 00:00:00', 5, true),"
            + " (4, '3', 'broken', 'SQL', 'V3__broken.sql', 1, 'app', '2024-01-04 00:00:00', 5,"
            + " false)");

    try (Connection c = DatabaseInspector.connect(db)) {
      c.createStatement().execute("set timezone = 'UTC'");
      MigrationState state = DatabaseInspector.migrationState(c);

      assertThat(state.tool()).isEqualTo("flyway");
      assertThat(state.applied())
          .containsExactly(
              new Applied("V1__init", Instant.parse("2024-01-01T00:00:00Z")),
              new Applied("V2__add_orders", Instant.parse("2024-01-02T00:00:00Z")),
              new Applied("R__views", Instant.parse("2024-01-03T00:00:00Z")));
    }
  }

  private static void pgDumpRestore(DbUrl from, DbUrl to) throws Exception {
    java.nio.file.Path dump = java.nio.file.Files.createTempFile("inspector", ".dump");
    try {
      run("pg_dump", "-Fc", "-f", dump.toString(), from.toSecretUri().reveal());
      run("pg_restore", "--no-owner", "-d", to.toSecretUri().reveal(), dump.toString());
    } finally {
      java.nio.file.Files.deleteIfExists(dump);
    }
  }

  private static void run(String... command) throws Exception {
    Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
    String output = new String(p.getInputStream().readAllBytes());
    assertThat(p.waitFor()).as(String.join(" ", command) + ": " + output).isZero();
  }

  private static java.util.List<String> description(DbUrl url) throws SQLException {
    try (Connection c = DatabaseInspector.connect(url)) {
      return DatabaseInspector.schemaDescription(c);
    }
  }

  private static String fingerprint(DbUrl url) {
    try (Connection c = DatabaseInspector.connect(url)) {
      return DatabaseInspector.schemaFingerprint(c);
    } catch (SQLException e) {
      throw new IllegalStateException(e);
    }
  }
}

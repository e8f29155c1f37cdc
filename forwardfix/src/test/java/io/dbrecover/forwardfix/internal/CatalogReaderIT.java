package io.dbrecover.forwardfix.internal;

import static org.assertj.core.api.Assertions.assertThat;

import io.dbrecover.engine.api.DbUrl;
import io.dbrecover.engine.testing.TestPostgres;
import io.dbrecover.forwardfix.internal.Catalog.Column;
import java.sql.Connection;
import java.sql.SQLException;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The catalog reader sees every object kind the diff works on, fully qualified. */
class CatalogReaderIT {
  private static Catalog catalog;

  @BeforeAll
  static void read() throws SQLException {
    DbUrl db = TestPostgres.createDatabase();
    TestPostgres.sql(
        db,
        "create schema app; comment on schema app is 'the app';"
            + "create type app.mood as enum ('sad', 'ok', 'happy');"
            + "create sequence app.ticket_seq start 100 increment 5 cache 3;"
            + "create table app.person ("
            + " id int generated always as identity primary key,"
            + " email text not null collate \"C\","
            + " mood app.mood default 'ok',"
            + " ticket bigint default nextval('app.ticket_seq'),"
            + " height_cm int, height_m numeric generated always as (height_cm / 100.0) stored,"
            + " constraint person_email_at check (email like '%@%'),"
            + " constraint person_email_uq unique (email));"
            + "create table app.pet (id serial primary key,"
            + " owner int references app.person (id) on delete cascade);"
            + "create index pet_owner_partial on app.pet (owner) where owner is not null;"
            + "create index person_lower_email on app.person (lower(email));"
            + "comment on column app.person.email is 'login';"
            + "create view app.happy as select id, email from app.person where mood = 'happy';"
            + "create materialized view app.pet_count as select owner, count(*) n from app.pet"
            + " group by owner;"
            + "create unique index pet_count_owner on app.pet_count (owner);"
            + "create function app.touch() returns trigger language plpgsql as"
            + " $$ begin return new; end $$;"
            + "create trigger person_touch before update on app.person"
            + " for each row execute function app.touch();"
            + "create table _prisma_migrations (id text);"
            + "create table flyway_schema_history (installed_rank int);"
            + "create schema drizzle; create table drizzle.__drizzle_migrations (id int);"
            + "create extension if not exists plpgsql");
    try (Connection c = TestPostgres.connect(db)) {
      catalog = CatalogReader.read(c);
    }
  }

  @Test
  void read_columns_typeDefaultIdentityGeneratedCollation() {
    var cols = catalog.tables().get("app.person").columns();

    assertThat(cols.get("id")).isEqualTo(new Column("id", "integer", null, true, "a", null, null));
    assertThat(cols.get("email"))
        .isEqualTo(new Column("email", "text", null, true, "", null, "pg_catalog.\"C\""));
    assertThat(cols.get("mood").defaultExpr()).isEqualTo("'ok'::app.mood");
    assertThat(cols.get("ticket").defaultExpr()).isEqualTo("nextval('app.ticket_seq'::regclass)");
    assertThat(cols.get("height_m").generated()).isEqualTo("((height_cm)::numeric / 100.0)");
  }

  @Test
  void read_constraintsAndIndexes_withServerDefinitions() {
    var person = catalog.tables().get("app.person");
    var pet = catalog.tables().get("app.pet");

    assertThat(person.constraints().keySet())
        .containsExactlyInAnyOrder("person_email_at", "person_email_uq", "person_pkey");
    assertThat(pet.constraints().get("pet_owner_fkey").definition())
        .isEqualTo("FOREIGN KEY (owner) REFERENCES app.person(id) ON DELETE CASCADE");
    assertThat(pet.indexes().get("app.pet_owner_partial").definition())
        .isEqualTo(
            "CREATE INDEX pet_owner_partial ON app.pet USING btree (owner) WHERE (owner IS NOT"
                + " NULL)");
    assertThat(person.indexes()).containsOnlyKeys("app.person_lower_email");
  }

  @Test
  void read_enumsSequencesViewsFunctionsTriggers() {
    assertThat(catalog.enums().get("app.mood").labels()).containsExactly("sad", "ok", "happy");
    assertThat(catalog.sequences().get("app.ticket_seq"))
        .isEqualTo(
            new Catalog.Sequence(
                "app.ticket_seq", "bigint", 100, 5, 1, Long.MAX_VALUE, 3, false, null));
    assertThat(catalog.sequences().get("app.pet_id_seq").ownedBy()).isEqualTo("app.pet.id");
    assertThat(catalog.views().get("app.happy").dependsOn()).containsExactly("app.person");
    assertThat(catalog.views().get("app.pet_count").materialized()).isTrue();
    assertThat(catalog.views().get("app.pet_count").indexes())
        .containsOnlyKeys("app.pet_count_owner");
    assertThat(catalog.functions().get("app.touch()").definition())
        .startsWith("CREATE OR REPLACE FUNCTION app.touch()");
    assertThat(catalog.tables().get("app.person").triggers().get("person_touch").definition())
        .isEqualTo(
            "CREATE TRIGGER person_touch BEFORE UPDATE ON app.person FOR EACH ROW EXECUTE"
                + " FUNCTION app.touch()");
  }

  @Test
  void read_comments_keyedByTheirCommentOnClause() {
    assertThat(catalog.comments())
        .containsEntry("SCHEMA app", "the app")
        .containsEntry("COLUMN app.person.email", "login");
  }

  @Test
  void read_migrationToolTablesAndIdentitySequences_leftOut() {
    assertThat(catalog.tables()).containsOnlyKeys("app.person", "app.pet");
    assertThat(catalog.schemas()).containsExactly("app", "public");
    assertThat(catalog.sequences()).containsOnlyKeys("app.pet_id_seq", "app.ticket_seq");
    assertThat(catalog.functions().keySet()).isEqualTo(java.util.Set.of("app.touch()"));
  }

  @Test
  void diff_sameCatalog_noStatements() {
    assertThat(SchemaDiff.diff(catalog, catalog)).isEmpty();
  }
}

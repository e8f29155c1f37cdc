package io.dbrecover.forwardfix.internal;

import static org.assertj.core.api.Assertions.assertThat;

import io.dbrecover.engine.api.DbUrl;
import io.dbrecover.engine.testing.TestPostgres;
import io.dbrecover.forwardfix.Change;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * Statement order on real schemas: each case builds {@code from} and {@code to}, checks the order
 * of the statements that matter, then runs them on {@code from} in one transaction and compares the
 * catalogs.
 */
class SchemaDiffIT {
  private List<String> diffAndApply(String fromSql, String toSql) throws SQLException {
    DbUrl from = TestPostgres.createDatabase();
    DbUrl to = TestPostgres.createDatabase();
    TestPostgres.sql(from, fromSql);
    TestPostgres.sql(to, toSql);
    Catalog target;
    try (Connection c = TestPostgres.connect(to)) {
      target = CatalogReader.read(c);
    }
    try (Connection c = TestPostgres.connect(from)) {
      List<Change> changes = SchemaDiff.diff(CatalogReader.read(c), target);
      c.setAutoCommit(false);
      for (Change ch : changes) {
        try (Statement st = c.createStatement()) {
          st.execute(ch.sql());
        }
      }
      c.commit();
      assertThat(CatalogReader.read(c)).isEqualTo(target);
      return changes.stream().map(Change::sql).collect(Collectors.toList());
    }
  }

  private static int index(List<String> sql, String prefix) {
    for (int i = 0; i < sql.size(); i++) {
      if (sql.get(i).startsWith(prefix)) {
        return i;
      }
    }
    throw new AssertionError("no statement starts with " + prefix + " in " + sql);
  }

  @Test
  void diff_droppedTablesReferencedByForeignKeys_foreignKeysDroppedFirst() throws SQLException {
    List<String> sql =
        diffAndApply(
            "create table a (id int primary key); create table b (id int primary key,"
                + " a int references a); create table keep (b int references b)",
            "create table keep (b int)");

    assertThat(index(sql, "ALTER TABLE public.b DROP CONSTRAINT b_a_fkey"))
        .isLessThan(index(sql, "DROP TABLE public.a"));
    assertThat(index(sql, "ALTER TABLE public.keep DROP CONSTRAINT keep_b_fkey"))
        .isLessThan(index(sql, "DROP TABLE public.b"));
  }

  @Test
  void diff_newTableUsingNewTypeSequenceAndFunction_thoseCreatedFirst() throws SQLException {
    List<String> sql =
        diffAndApply(
            "select 1",
            "create type color as enum ('red', 'blue'); create sequence n_seq;"
                + " create function two() returns int language sql immutable as 'select 2';"
                + " create table paint (c color default 'red', n bigint default nextval('n_seq'),"
                + " t int default two())");

    int table = index(sql, "CREATE TABLE public.paint");
    assertThat(index(sql, "CREATE TYPE public.color")).isLessThan(table);
    assertThat(index(sql, "CREATE SEQUENCE public.n_seq")).isLessThan(table);
    assertThat(index(sql, "CREATE OR REPLACE FUNCTION public.two()")).isLessThan(table);
    assertThat(sql.get(0)).isEqualTo("SET check_function_bodies = false");
  }

  @Test
  void diff_columnTypeUnderViews_viewsDroppedAndRecreatedAroundIt() throws SQLException {
    List<String> sql =
        diffAndApply(
            "create table t (v text); create view v1 as select v from t;"
                + " create view v2 as select * from v1",
            "create table t (v varchar(10)); create view v1 as select v from t;"
                + " create view v2 as select * from v1");

    int alter = index(sql, "ALTER TABLE public.t ALTER COLUMN v TYPE character varying(10)");
    assertThat(index(sql, "DROP VIEW public.v2")).isLessThan(index(sql, "DROP VIEW public.v1"));
    assertThat(index(sql, "DROP VIEW public.v1")).isLessThan(alter);
    assertThat(alter).isLessThan(index(sql, "CREATE VIEW public.v1"));
    assertThat(index(sql, "CREATE VIEW public.v1")).isLessThan(index(sql, "CREATE VIEW public.v2"));
  }

  @Test
  void diff_enumLabelRenamedInPlace_renameValueOnly() throws SQLException {
    List<String> sql =
        diffAndApply(
            "create type s as enum ('a', 'x', 'c'); create table t (v s); insert into t values ('x')",
            "create type s as enum ('a', 'b', 'c'); create table t (v s)");

    assertThat(sql).containsExactly("ALTER TYPE public.s RENAME VALUE 'x' TO 'b'");
  }

  @Test
  void diff_enumLabelsRemoved_typeRecreatedAndColumnsConverted() throws SQLException {
    List<String> sql =
        diffAndApply(
            "create type s as enum ('a', 'b', 'c'); create table t (v s default 'a');"
                + " insert into t values ('a'), ('c')",
            "create type s as enum ('c', 'a'); create table t (v s default 'a')");

    assertThat(sql)
        .containsSubsequence(
            "ALTER TYPE public.s RENAME TO \"s__dbrecover_old\"",
            "CREATE TYPE public.s AS ENUM ('c', 'a')",
            "ALTER TABLE public.t ALTER COLUMN v DROP DEFAULT",
            "ALTER TABLE public.t ALTER COLUMN v TYPE public.s USING v::text::public.s",
            "ALTER TABLE public.t ALTER COLUMN v SET DEFAULT 'a'::public.s",
            "DROP TYPE public.\"s__dbrecover_old\"");
  }

  @Test
  void diff_primaryKeyReferencedByForeignKeyChanges_foreignKeyDroppedAndAddedAround()
      throws SQLException {
    List<String> sql =
        diffAndApply(
            "create table p (id int, k int, constraint p_pkey primary key (id, k));"
                + " create unique index p_id on p (id); create table c (p int references p (id))",
            "create table p (id int, k int, constraint p_pkey primary key (id));"
                + " create unique index p_id on p (id); create table c (p int references p (id))");

    assertThat(index(sql, "ALTER TABLE public.c DROP CONSTRAINT c_p_fkey"))
        .isLessThan(index(sql, "ALTER TABLE public.p DROP CONSTRAINT p_pkey"));
    assertThat(index(sql, "ALTER TABLE public.p ADD CONSTRAINT p_pkey"))
        .isLessThan(index(sql, "ALTER TABLE public.c ADD CONSTRAINT c_p_fkey"));
  }
}

package io.dbrecover.forwardfix;

import static org.assertj.core.api.Assertions.assertThat;

import io.dbrecover.engine.api.DbUrl;
import io.dbrecover.engine.api.MigrationTool;
import io.dbrecover.engine.testing.TestPostgres;
import io.dbrecover.forwardfix.internal.Catalog;
import io.dbrecover.forwardfix.internal.CatalogReader;
import io.dbrecover.forwardfix.internal.SchemaDiff;
import io.dbrecover.forwardfix.testing.Scratch;
import io.dbrecover.forwardfix.testing.ToolHistory;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * For every history and every earlier migration: migrate to the newest, write rows, generate the
 * forward-fix back to that migration, apply it, and compare the catalogs with a fresh database
 * migrated only that far. The rows written before survive.
 */
class RoundTripIT {
  private static final Clock CLOCK =
      Clock.fixed(Instant.parse("2025-03-01T12:00:00Z"), ZoneOffset.UTC);

  /** A history, the rows written at its newest migration, and a query that reads them back. */
  private record History(String dir, MigrationTool tool, String seed, String rows) {
    @Override
    public String toString() {
      return dir;
    }
  }

  private static final List<History> HISTORIES =
      List.of(
          new History(
              "prisma-blog",
              MigrationTool.PRISMA,
              "insert into \"User\" (email, name) values ('ada@example.com', 'Ada'),"
                  + " ('bob@example.com', 'Bob');"
                  + "insert into \"Post\" (title, \"authorId\", published)"
                  + " select 'Hello from ' || name, id, true from \"User\"",
              "select string_agg(u.email || '/' || u.name || '/' || p.title, ',' order by u.email)"
                  + " from \"User\" u join \"Post\" p on p.\"authorId\" = u.id"),
          new History(
              "drizzle-shop",
              MigrationTool.DRIZZLE,
              "insert into products (sku, name, price_cents) values ('A-1', 'Anvil', 1999),"
                  + " ('B-2', 'Bucket', 450);"
                  + "insert into orders (customer_email) values ('c@example.com');"
                  + "insert into order_lines (order_id, product_id, quantity)"
                  + " select o.id, p.id, 2 from orders o, products p",
              "select string_agg(p.sku || '/' || o.customer_email || '/' || l.quantity, ','"
                  + " order by p.sku) from order_lines l join orders o on o.id = l.order_id"
                  + " join products p on p.id = l.product_id"),
          new History(
              "flyway-crm",
              MigrationTool.FLYWAY,
              "insert into account (name) values ('Acme'), ('Globex');"
                  + "insert into contact (account_id, email)"
                  + " select id, lower(name) || '@example.com' from account",
              "select string_agg(a.id || '/' || a.name || '/' || c.email, ',' order by a.id)"
                  + " from account a join contact c on c.account_id = a.id"),
          new History(
              "sql-inventory",
              MigrationTool.SQL,
              "insert into inventory.warehouse (code, city, capacity) values ('BER', 'Berlin', 10),"
                  + " ('LYS', 'Lyon', 7)",
              "select string_agg(code || '/' || city || '/' || capacity, ',' order by code)"
                  + " from inventory.warehouse"));

  static Stream<Arguments> targets() {
    List<Arguments> out = new ArrayList<>();
    for (History h : HISTORIES) {
      int n = MigrationFiles.read(h.tool(), ToolHistory.dir(h.dir())).size();
      for (int keep = 1; keep < n; keep++) {
        out.add(Arguments.of(h, keep));
      }
    }
    return out.stream();
  }

  @ParameterizedTest(name = "{0}: newest back to migration {1}")
  @MethodSource("targets")
  void apply_toEarlierMigration_schemaEqualsFreshDatabaseAndRowsSurvive(History h, int keep)
      throws SQLException {
    Path dir = ToolHistory.dir(h.dir());
    List<Migration> files = MigrationFiles.read(h.tool(), dir);
    DbUrl live = ToolHistory.migrated(h.tool(), dir, files.size());
    TestPostgres.sql(live, h.seed());
    String rowsBefore = one(live, h.rows());
    ForwardFix fix = new ForwardFix(new Scratch());

    FixPlan plan = fix.plan(live, h.tool(), dir, files.get(keep - 1).name());
    ForwardFix.apply(live, plan, FixFiles.render(plan, dir, CLOCK), true);

    DbUrl fresh = ToolHistory.migrated(h.tool(), dir, keep);
    Catalog expected = catalog(fresh);
    Catalog actual = catalog(live);
    assertThat(actual)
        .as(
            "remaining differences:\n%s\nfix was:\n%s",
            SchemaDiff.diff(actual, expected).stream()
                .map(Change::sql)
                .collect(Collectors.joining(";\n")),
            plan.changes().stream().map(Change::sql).collect(Collectors.joining(";\n")))
        .isEqualTo(expected);
    assertThat(one(live, h.rows())).isNotNull().isEqualTo(rowsBefore);
  }

  static Catalog catalog(DbUrl db) throws SQLException {
    try (Connection c = TestPostgres.connect(db)) {
      return CatalogReader.read(c);
    }
  }

  static String one(DbUrl db, String sql) throws SQLException {
    try (Connection c = TestPostgres.connect(db);
        Statement st = c.createStatement();
        ResultSet rs = st.executeQuery(sql)) {
      rs.next();
      return rs.getString(1);
    }
  }
}

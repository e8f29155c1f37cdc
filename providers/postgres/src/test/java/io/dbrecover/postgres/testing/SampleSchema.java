package io.dbrecover.postgres.testing;

import io.dbrecover.engine.api.DbUrl;
import io.dbrecover.postgres.internal.Jdbc;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * A small sample schema: {@code customers} and {@code orders} (primary keys, a foreign key), and
 * {@code audit_log} without a primary key, with a few hundred rows.
 */
public final class SampleSchema {
  /** The tables and their row counts after {@link #create}. */
  public static final Map<String, Long> ROW_COUNTS =
      Map.of("public.customers", 50L, "public.orders", 400L, "public.audit_log", 120L);

  /** The tables, in dependency order. */
  public static final List<String> TABLES = List.of("customers", "orders", "audit_log");

  private SampleSchema() {}

  /** Creates the tables and rows in the (empty) database. */
  public static void create(DbUrl url) {
    run(
        url,
        "create table customers (id bigint primary key, name text not null, email text unique)",
        "create table orders (id bigint primary key, customer_id bigint not null references"
            + " customers(id), amount numeric(10,2) not null, note text)",
        "create table audit_log (at timestamptz not null, message text)",
        "insert into customers select g, 'customer ' || g, 'c' || g || '@example.com'"
            + " from generate_series(1, 50) g",
        "insert into orders select g, 1 + g % 50, (g * 7 % 1000) / 10.0,"
            + " repeat(md5(g::text), 3) from generate_series(1, 400) g",
        "insert into audit_log select timestamptz '2024-01-01' + g * interval '1 minute',"
            + " 'event ' || g from generate_series(1, 120) g");
  }

  /** Runs statements in one connection. */
  public static void run(DbUrl url, String... statements) {
    try (Connection c = Jdbc.connect(url);
        Statement st = c.createStatement()) {
      for (String sql : statements) {
        st.execute(sql);
      }
    } catch (SQLException e) {
      throw new IllegalStateException(e.getMessage(), e);
    }
  }

  /** A sha256 of every row of every sample table, in key order: equal hashes, equal content. */
  public static String contentHash(DbUrl url) {
    try (Connection c = Jdbc.connect(url);
        Statement st = c.createStatement()) {
      MessageDigest md = MessageDigest.getInstance("SHA-256");
      for (String table : TABLES) {
        try (ResultSet rs =
            st.executeQuery("select t::text from " + table + " t order by t::text")) {
          md.update(table.getBytes(StandardCharsets.UTF_8));
          while (rs.next()) {
            md.update(rs.getString(1).getBytes(StandardCharsets.UTF_8));
          }
        }
      }
      return HexFormat.of().formatHex(md.digest());
    } catch (SQLException | NoSuchAlgorithmException e) {
      throw new IllegalStateException(e.getMessage(), e);
    }
  }

  /** Exact row counts of the sample tables. */
  public static Map<String, Long> rowCounts(DbUrl url) {
    Map<String, Long> counts = new TreeMap<>();
    try (Connection c = Jdbc.connect(url);
        Statement st = c.createStatement()) {
      for (String table : TABLES) {
        try (ResultSet rs = st.executeQuery("select count(*) from " + table)) {
          rs.next();
          counts.put("public." + table, rs.getLong(1));
        }
      }
    } catch (SQLException e) {
      throw new IllegalStateException(e.getMessage(), e);
    }
    return counts;
  }
}

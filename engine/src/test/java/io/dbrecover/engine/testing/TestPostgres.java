package io.dbrecover.engine.testing;

import io.dbrecover.engine.api.DbUrl;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * One embedded PostgreSQL server per test JVM, started on first use and stopped at JVM exit. Tests
 * get a fresh database each from {@link #createDatabase()}.
 */
public final class TestPostgres {
  private static final AtomicInteger COUNTER = new AtomicInteger();
  private static EmbeddedPostgres server;

  private TestPostgres() {}

  /** The shared server, started if needed. */
  public static synchronized EmbeddedPostgres server() {
    if (server == null) {
      try {
        EmbeddedPostgres started = EmbeddedPostgres.builder().start();
        Runtime.getRuntime()
            .addShutdownHook(
                new Thread(
                    () -> {
                      try {
                        started.close();
                      } catch (IOException e) {
                        // the JVM is exiting; the data directory is a temp dir anyway
                      }
                    }));
        server = started;
      } catch (IOException e) {
        throw new UncheckedIOException("could not start embedded PostgreSQL", e);
      }
    }
    return server;
  }

  /** A URL for {@code database} on the shared server (user postgres, no password). */
  public static DbUrl url(String database) {
    return DbUrl.of("localhost", server().getPort(), database, "postgres", null);
  }

  /** Creates an empty database with a unique name and returns its URL. */
  public static DbUrl createDatabase() {
    return createDatabase(null);
  }

  /** Creates a database copied from {@code template} (no other session may use it). */
  public static DbUrl createDatabase(DbUrl template) {
    String name = "t" + ProcessHandle.current().pid() + "_" + COUNTER.incrementAndGet();
    admin(
        "create database "
            + name
            + (template == null ? "" : " template \"" + template.database() + "\""));
    return url(name);
  }

  /** Runs statements (separated by semicolons, as one simple query) in the given database. */
  public static void sql(DbUrl url, String statements) {
    try (Connection c = connect(url);
        Statement st = c.createStatement()) {
      st.execute(statements);
    } catch (SQLException e) {
      throw new IllegalStateException("test SQL failed: " + e.getMessage(), e);
    }
  }

  /** The first column of the first row of {@code query}, as text. */
  public static String query(DbUrl url, String query) {
    try (Connection c = connect(url);
        Statement st = c.createStatement();
        java.sql.ResultSet rs = st.executeQuery(query)) {
      rs.next();
      return rs.getString(1);
    } catch (SQLException e) {
      throw new IllegalStateException("test SQL failed: " + e.getMessage(), e);
    }
  }

  /** A plain JDBC connection for test setup. */
  public static Connection connect(DbUrl url) throws SQLException {
    return DriverManager.getConnection(url.jdbcUrl(), "postgres", "");
  }

  private static void admin(String statement) {
    sql(url("postgres"), statement);
  }
}

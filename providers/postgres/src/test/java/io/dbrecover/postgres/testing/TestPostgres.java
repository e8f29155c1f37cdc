package io.dbrecover.postgres.testing;

import io.dbrecover.engine.api.DbUrl;
import io.dbrecover.postgres.EmbeddedCluster;
import io.dbrecover.postgres.internal.EmbeddedBinaries;
import io.dbrecover.postgres.internal.Jdbc;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolver;

/**
 * One embedded PostgreSQL per test JVM, in a temporary directory removed at JVM exit, and a fresh
 * database per test. As an extension ({@code @ExtendWith(TestPostgres.class)}) it resolves test
 * method parameters: {@link DbUrl} to a new empty database, {@link EmbeddedCluster} to the shared
 * server.
 */
public final class TestPostgres implements ParameterResolver {
  private static final AtomicInteger COUNTER = new AtomicInteger();
  private static volatile EmbeddedCluster cluster;

  /** The shared server, started on first use. */
  public static synchronized EmbeddedCluster cluster() {
    if (cluster == null) {
      try {
        // Not @TempDir (0700): under root the server runs as another user that must reach it.
        Path dir = TestEnvironments.openTempDir("dbrecover-it-");
        EmbeddedCluster c = EmbeddedCluster.at(dir.resolve("embedded"));
        c.ensureRunning();
        Runtime.getRuntime()
            .addShutdownHook(
                new Thread(
                    () -> {
                      c.stop();
                      try {
                        EmbeddedBinaries.deleteTree(dir);
                      } catch (IOException ignored) {
                        // temp dir; the OS cleans it eventually
                      }
                    }));
        cluster = c;
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
    return cluster;
  }

  /** Creates a new empty database and returns its URL (superuser with password). */
  public static DbUrl freshDatabase() {
    String name = "t" + ProcessHandle.current().pid() + "_" + COUNTER.incrementAndGet();
    EmbeddedCluster c = cluster();
    try (Connection conn = Jdbc.connect(c.url("postgres"))) {
      Jdbc.execute(conn, "create database " + Jdbc.ident(name));
    } catch (SQLException e) {
      throw new IllegalStateException(e);
    }
    return c.url(name);
  }

  @Override
  public boolean supportsParameter(ParameterContext p, ExtensionContext e) {
    Class<?> type = p.getParameter().getType();
    return type == DbUrl.class || type == EmbeddedCluster.class;
  }

  @Override
  public Object resolveParameter(ParameterContext p, ExtensionContext e) {
    return p.getParameter().getType() == DbUrl.class ? freshDatabase() : cluster();
  }
}

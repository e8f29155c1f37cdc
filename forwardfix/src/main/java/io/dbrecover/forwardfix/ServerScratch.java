package io.dbrecover.forwardfix;

import io.dbrecover.engine.api.ConfigurationException;
import io.dbrecover.engine.api.DbUrl;
import io.dbrecover.engine.spi.DatabaseInspector;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Objects;

/**
 * Scratch databases on a server dbrecover owns (the embedded PostgreSQL), created and dropped over
 * a maintenance connection whose user may create databases.
 */
public final class ServerScratch implements ScratchDatabases {
  private final DbUrl maintenance;

  /** {@code maintenance}: a URL of the server's {@code postgres} database, as a superuser. */
  public ServerScratch(DbUrl maintenance) {
    this.maintenance = Objects.requireNonNull(maintenance, "maintenance");
  }

  @Override
  public DbUrl create(String name) {
    run("create database " + DatabaseInspector.quoteIdent(name) + " template template0");
    return maintenance.withDatabase(name);
  }

  @Override
  public void drop(DbUrl database) {
    run(
        "drop database if exists "
            + DatabaseInspector.quoteIdent(database.database())
            + " with (force)");
  }

  private void run(String sql) {
    try (Connection c = DatabaseInspector.connect(maintenance);
        Statement st = c.createStatement()) {
      st.execute(sql);
    } catch (SQLException e) {
      throw new ConfigurationException(
          "cannot run `"
              + sql
              + "` on the shadow server "
              + maintenance.redacted()
              + ": "
              + e.getMessage(),
          e);
    }
  }
}

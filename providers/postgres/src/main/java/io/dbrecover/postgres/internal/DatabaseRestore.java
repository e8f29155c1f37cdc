package io.dbrecover.postgres.internal;

import io.dbrecover.engine.api.DbRecoverException;
import io.dbrecover.engine.api.DbUrl;
import io.dbrecover.engine.api.ErrorCode;
import io.dbrecover.engine.api.Trace;
import io.dbrecover.engine.spi.Progress;
import io.dbrecover.postgres.PgTools;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.function.BooleanSupplier;

/** Creates a database from a pg_dump directory archive on a server. */
public final class DatabaseRestore {
  private final PgTools.Installation tools;
  private final int jobs;

  public DatabaseRestore(PgTools.Installation tools, int jobs) {
    this.tools = tools;
    this.jobs = jobs;
  }

  /**
   * Drops {@code target} if it exists (disconnecting its sessions), creates it empty from template0
   * and runs pg_restore into it, keeping the archive's owners and privileges (the roles exist: it
   * is the server the dump came from).
   *
   * @return the URL of the restored database
   * @throws DbRecoverException {@link ErrorCode#RESTORE_FAILED} with the redacted stderr tail
   */
  public DbUrl recreateAndRestore(DbUrl server, String target, Path dump, Progress progress) {
    return recreateAndRestore(server, target, dump, progress, null);
  }

  /**
   * As {@link #recreateAndRestore(DbUrl, String, Path, Progress)}, stopping pg_restore (and with it
   * the restore, which then fails) as soon as {@code stop} turns true; null: never.
   */
  public DbUrl recreateAndRestore(
      DbUrl server, String target, Path dump, Progress progress, BooleanSupplier stop) {
    DbUrl targetUrl = server.withDatabase(target);
    CompletableFuture<RestoreItems> items = PgRunner.itemsSoon(tools, dump);
    try (Trace.Span span = Trace.span("restore: create database");
        Connection c = Jdbc.connect(admin(server, target))) {
      if (Jdbc.databaseExists(c, target)) {
        progress.update("dropping database " + target + " to restore it anew");
        Jdbc.dropDatabase(c, target);
      }
      Jdbc.execute(c, "create database " + Jdbc.ident(target) + " template template0");
    } catch (SQLException e) {
      throw new DbRecoverException(
          ErrorCode.RESTORE_FAILED,
          "could not create database "
              + target
              + " on "
              + server.redacted()
              + ": "
              + Jdbc.safe(e, server));
    }
    progress.update("pg_restore " + tools.version() + " into " + target + " (" + jobs + " jobs)");
    Exec.Result r = PgRunner.restore(tools, targetUrl, dump, jobs, progress, stop, items);
    if (!r.ok()) {
      throw new DbRecoverException(
          ErrorCode.RESTORE_FAILED,
          "pg_restore into "
              + target
              + " on "
              + server.redacted()
              + " failed (exit "
              + r.exitCode()
              + "): "
              + r.stderr());
    }
    return targetUrl;
  }

  /** Sets the database comment (the completion marker of a restore). */
  public static void mark(DbUrl server, String target, String marker) {
    admin(
        server,
        target,
        ErrorCode.RESTORE_FAILED,
        "could not mark " + target + " restored",
        c -> {
          Jdbc.execute(
              c, "comment on database " + Jdbc.ident(target) + " is " + Jdbc.literal(marker));
          return null;
        });
  }

  /** The comment of {@code target}; empty when it has none or does not exist. */
  public static Optional<String> marker(DbUrl server, String target) {
    return admin(
        server,
        target,
        ErrorCode.PROVIDER_API,
        "could not read database " + target,
        c -> Jdbc.databaseComment(c, target));
  }

  /** Whether {@code target} exists on the server. */
  public static boolean exists(DbUrl server, String target) {
    return admin(
        server,
        target,
        ErrorCode.PROVIDER_API,
        "could not read database " + target,
        c -> Jdbc.databaseExists(c, target));
  }

  /** Drops {@code target} if it exists. */
  public static void drop(DbUrl server, String target) {
    admin(
        server,
        target,
        ErrorCode.PROVIDER_API,
        "could not drop database " + target,
        c -> {
          Jdbc.dropDatabase(c, target);
          return null;
        });
  }

  /** A statement about {@code target}, run from another database of the server. */
  @FunctionalInterface
  private interface AdminWork<T> {
    T run(Connection c) throws SQLException;
  }

  private static <T> T admin(
      DbUrl server, String target, ErrorCode code, String failure, AdminWork<T> work) {
    try (Connection c = Jdbc.connect(admin(server, target))) {
      return work.run(c);
    } catch (SQLException e) {
      throw new DbRecoverException(code, failure + ": " + Jdbc.safe(e, server));
    }
  }

  /**
   * Drops {@code original} and renames {@code restored} to its name. Runs from the maintenance
   * database, since neither statement may run inside the database it changes.
   */
  public static void replace(DbUrl server, String original, String restored) {
    try (Connection c = Jdbc.connect(server.withDatabase("postgres"))) {
      Jdbc.dropDatabase(c, original);
      Jdbc.execute(
          c,
          "select pg_terminate_backend(pid) from pg_stat_activity where datname = "
              + Jdbc.literal(restored));
      Jdbc.execute(
          c, "alter database " + Jdbc.ident(restored) + " rename to " + Jdbc.ident(original));
    } catch (SQLException e) {
      throw new DbRecoverException(
          ErrorCode.RESTORE_FAILED,
          "could not put "
              + restored
              + " in the place of "
              + original
              + ": "
              + Jdbc.safe(e, server));
    }
  }

  // Administrative statements cannot run from inside the database they drop.
  private static DbUrl admin(DbUrl server, String target) {
    return server.database().equals(target) ? server.withDatabase("postgres") : server;
  }
}

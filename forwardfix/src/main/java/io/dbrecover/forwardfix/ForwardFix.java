package io.dbrecover.forwardfix;

import io.dbrecover.engine.api.ConfigurationException;
import io.dbrecover.engine.api.DbRecoverException;
import io.dbrecover.engine.api.DbUrl;
import io.dbrecover.engine.api.ErrorCode;
import io.dbrecover.engine.api.MigrationTool;
import io.dbrecover.engine.spi.DatabaseInspector;
import io.dbrecover.forwardfix.internal.AppliedHistory;
import io.dbrecover.forwardfix.internal.Catalog;
import io.dbrecover.forwardfix.internal.CatalogReader;
import io.dbrecover.forwardfix.internal.HistoryRecorder;
import io.dbrecover.forwardfix.internal.LossProbe;
import io.dbrecover.forwardfix.internal.SchemaDiff;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.UUID;

/**
 * Generates the reverse migration of a schema change: the migration history up to the target is
 * applied to a shadow database on a scratch server, both schemas are read from the catalogs, and
 * the difference becomes ordered SQL whose data loss is counted on the live database. Generating
 * only reads the live database.
 */
public final class ForwardFix {
  private final ScratchDatabases scratch;

  public ForwardFix(ScratchDatabases scratch) {
    this.scratch = Objects.requireNonNull(scratch, "scratch");
  }

  /**
   * Plans the forward-fix of {@code live} back to the schema after {@code toMigration}.
   *
   * @param toMigration the last migration to keep (full name or the name without its prefix); null:
   *     revert the newest applied migration, or only the failed one when a migration failed
   *     half-way
   * @throws ConfigurationException when the directory or the history does not fit, the target is
   *     not applied, or there is nothing to revert
   */
  public FixPlan plan(DbUrl live, MigrationTool tool, Path migrationsDir, String toMigration) {
    List<Migration> files = MigrationFiles.read(tool, migrationsDir);
    try (Connection c = DatabaseInspector.connect(live)) {
      AppliedHistory history = AppliedHistory.read(c, tool, files);
      List<Migration> applied = history.applied();
      int keep = targetCount(applied, history.failed(), toMigration, tool);
      List<Migration> kept = applied.subList(0, keep);
      List<Migration> reverted = applied.subList(keep, applied.size());
      Catalog target = shadowCatalog(kept);
      Catalog current = CatalogReader.read(c);
      List<Change> changes = SchemaDiff.diff(current, target);
      List<Loss> losses = LossProbe.count(c, changes);
      return new FixPlan(
          tool,
          kept.get(kept.size() - 1),
          reverted,
          history.failed(),
          files,
          changes,
          losses,
          fingerprint(target));
    } catch (SQLException e) {
      throw new DbRecoverException(
          ErrorCode.CONFIGURATION,
          "cannot read the schema of "
              + live.redacted()
              + ": "
              + e.getMessage()
              + "; check that the user may read the catalogs and every table",
          e);
    }
  }

  private static int targetCount(
      List<Migration> applied, Migration failed, String toMigration, MigrationTool tool) {
    if (toMigration == null) {
      if (failed != null) {
        return applied.size();
      }
      if (applied.size() < 2) {
        throw new ConfigurationException(
            applied.isEmpty()
                ? "the database has applied no migrations: there is nothing to revert"
                : "only one migration is applied ("
                    + applied.get(0).name()
                    + "): a forward-fix keeps at least one; reset or restore the database"
                    + " instead");
      }
      return applied.size() - 1;
    }
    for (int i = 0; i < applied.size(); i++) {
      if (applied.get(i).isNamed(toMigration)) {
        if (i == applied.size() - 1 && failed == null) {
          throw new ConfigurationException(
              "migration "
                  + applied.get(i).name()
                  + " is the newest applied one: there is nothing to revert; give --to an older"
                  + " migration");
        }
        return i + 1;
      }
    }
    throw new ConfigurationException(
        "migration '"
            + toMigration
            + "' is not applied to the database; applied "
            + tool.name().toLowerCase(Locale.ROOT)
            + " migrations: "
            + (applied.isEmpty()
                ? "none"
                : applied.stream()
                    .map(Migration::name)
                    .collect(java.util.stream.Collectors.joining(", "))));
  }

  /**
   * Runs the forward-fix on {@code live} in one transaction and records it in the tool's history
   * table; on any failure nothing is changed. What it destroys is counted again inside the
   * transaction first, and the schema is compared with the target before committing.
   *
   * @return what was recorded in the history table, one line each
   * @throws ConfigurationException when the fix would destroy data and {@code allowDataLoss} is
   *     false, or would fail on data in the database
   * @throws DbRecoverException {@link ErrorCode#RESTORE_FAILED} when a statement fails, {@link
   *     ErrorCode#VERIFICATION_FAILED} when the schema afterwards is not the target's
   */
  public static List<String> apply(DbUrl live, FixPlan plan, FixFile file, boolean allowDataLoss) {
    try (Connection c = DatabaseInspector.connect(live)) {
      c.setAutoCommit(false);
      try {
        long started = System.nanoTime();
        List<Loss> losses = LossProbe.count(c, plan.changes());
        refuse(losses, allowDataLoss);
        for (Change change : plan.changes()) {
          try (Statement st = c.createStatement()) {
            st.execute(change.sql());
          } catch (SQLException e) {
            throw new DbRecoverException(
                ErrorCode.RESTORE_FAILED,
                "the forward-fix failed at `"
                    + firstLine(change.sql())
                    + "`: "
                    + e.getMessage()
                    + "; it ran in one transaction, so the database is unchanged",
                e);
          }
        }
        String after = fingerprint(CatalogReader.read(c));
        if (!after.equals(plan.targetFingerprint())) {
          throw new DbRecoverException(
              ErrorCode.VERIFICATION_FAILED,
              "after the forward-fix the schema still differs from the schema after "
                  + plan.target().name()
                  + "; rolled back, the database is unchanged; the live schema probably changed"
                  + " since the fix was generated: generate it again");
        }
        List<String> recorded =
            HistoryRecorder.record(c, plan, file, (System.nanoTime() - started) / 1_000_000);
        c.commit();
        return recorded;
      } catch (RuntimeException | SQLException e) {
        c.rollback();
        throw e;
      }
    } catch (SQLException e) {
      throw new DbRecoverException(
          ErrorCode.RESTORE_FAILED,
          "the forward-fix could not run on "
              + live.redacted()
              + ": "
              + e.getMessage()
              + "; the database is unchanged",
          e);
    }
  }

  /**
   * Refuses a fix that would fail on the live data, or destroy it without {@code allowDataLoss}.
   */
  public static void refuse(List<Loss> losses, boolean allowDataLoss) {
    List<String> blocking = new java.util.ArrayList<>();
    List<String> destroying = new java.util.ArrayList<>();
    for (Loss l : losses) {
      (l.blocks() ? blocking : destroying).add(l.describe());
    }
    if (!blocking.isEmpty()) {
      throw new ConfigurationException(
          "the forward-fix cannot run on the data in the database: "
              + String.join("; ", blocking)
              + "; nothing was changed; fix the data first, or restore instead (dbrecover"
              + " rollback <env> --incident schema --to <migration>)");
    }
    if (!destroying.isEmpty() && !allowDataLoss) {
      throw new ConfigurationException(
          "the forward-fix would destroy data: "
              + String.join("; ", destroying)
              + "; nothing was changed; rerun with --allow-data-loss to accept the loss, or"
              + " restore instead (dbrecover rollback <env> --incident schema --to <migration>)");
    }
  }

  private static String firstLine(String sql) {
    int nl = sql.indexOf('\n');
    return nl < 0 ? sql : sql.substring(0, nl) + " ...";
  }

  /** A hash of a schema: equal schemas have equal fingerprints. */
  static String fingerprint(Catalog catalog) {
    return AppliedHistory.sha256(catalog.toString());
  }

  /** Applies {@code migrations} to a new scratch database, reads its schema and drops it. */
  Catalog shadowCatalog(List<Migration> migrations) {
    String name = "dbrecover_shadow_" + UUID.randomUUID().toString().replace("-", "");
    DbUrl shadow = scratch.create(name);
    try (Connection c = DatabaseInspector.connect(shadow)) {
      for (Migration m : migrations) {
        try (Statement st = c.createStatement()) {
          st.execute(m.sql());
        } catch (SQLException e) {
          throw new ConfigurationException(
              "migration "
                  + m.name()
                  + " ("
                  + m.file()
                  + ") fails on an empty database: "
                  + e.getMessage()
                  + "; the target schema cannot be built from the migrations directory",
              e);
        }
      }
      return CatalogReader.read(c);
    } catch (SQLException e) {
      throw new DbRecoverException(
          ErrorCode.CONFIGURATION, "cannot read the shadow database: " + e.getMessage(), e);
    } finally {
      scratch.drop(shadow);
    }
  }
}

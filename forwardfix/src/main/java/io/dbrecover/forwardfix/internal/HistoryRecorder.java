package io.dbrecover.forwardfix.internal;

import io.dbrecover.forwardfix.FixFile;
import io.dbrecover.forwardfix.FixFiles;
import io.dbrecover.forwardfix.FixPlan;
import io.dbrecover.forwardfix.Migration;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

/**
 * Records an applied forward-fix in the tool's history table, inside the caller's transaction, the
 * way the tool itself would: Prisma gets the fix as a finished migration and the reverted ones (and
 * a failed one) marked rolled back; Drizzle and Flyway get the fix as their newest migration. Plain
 * SQL has no history table.
 */
public final class HistoryRecorder {
  private HistoryRecorder() {}

  /** Records {@code file} as applied; returns what was recorded, one line each. */
  public static List<String> record(Connection c, FixPlan plan, FixFile file, long executionMillis)
      throws SQLException {
    List<String> done = new ArrayList<>();
    switch (plan.tool()) {
      case PRISMA:
        update(
            c,
            "insert into _prisma_migrations (id, checksum, finished_at, migration_name, logs,"
                + " rolled_back_at, started_at, applied_steps_count)"
                + " values (?, ?, now(), ?, null, null, now(), 1)",
            UUID.randomUUID().toString(),
            AppliedHistory.sha256(file.sql()),
            file.name());
        done.add("_prisma_migrations: " + file.name() + " applied");
        List<Migration> rolledBack = new ArrayList<>(plan.reverted());
        if (plan.failed() != null) {
          rolledBack.add(plan.failed());
        }
        for (Migration m : rolledBack) {
          update(
              c,
              "update _prisma_migrations set rolled_back_at = now()"
                  + " where migration_name = ? and rolled_back_at is null",
              m.name());
          done.add("_prisma_migrations: " + m.name() + " marked rolled back");
        }
        break;
      case DRIZZLE:
        try (PreparedStatement ps =
            c.prepareStatement(
                "insert into drizzle.__drizzle_migrations (hash, created_at) values (?, ?)")) {
          ps.setString(1, AppliedHistory.sha256(file.sql()));
          ps.setLong(2, file.when());
          ps.executeUpdate();
        }
        done.add("drizzle.__drizzle_migrations: " + file.name() + " applied");
        break;
      case FLYWAY:
        String version = file.name().substring(1, file.name().indexOf("__"));
        String description = file.name().substring(file.name().indexOf("__") + 2).replace('_', ' ');
        try (PreparedStatement ps =
            c.prepareStatement(
                "insert into flyway_schema_history (installed_rank, version, description, type,"
                    + " script, checksum, installed_by, execution_time, success)"
                    + " select coalesce(max(installed_rank), 0) + 1, ?, ?, 'SQL', ?, ?,"
                    + " current_user, ?, true from flyway_schema_history")) {
          ps.setString(1, version);
          ps.setString(2, description);
          ps.setString(3, file.path().getFileName().toString());
          ps.setInt(4, FixFiles.flywayChecksum(file.sql()));
          ps.setInt(5, (int) Math.min(Integer.MAX_VALUE, executionMillis));
          ps.executeUpdate();
        }
        done.add("flyway_schema_history: version " + version + " applied");
        break;
      default:
        break;
    }
    return done;
  }

  private static void update(Connection c, String sql, String... args) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement(sql)) {
      for (int i = 0; i < args.length; i++) {
        ps.setString(i + 1, args[i]);
      }
      ps.executeUpdate();
    }
  }
}

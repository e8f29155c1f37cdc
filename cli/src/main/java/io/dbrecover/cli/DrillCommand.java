package io.dbrecover.cli;

import io.dbrecover.engine.api.ConfigLoader;
import io.dbrecover.engine.api.DbRecoverConfig;
import io.dbrecover.engine.api.DbRecoverException;
import io.dbrecover.engine.api.DbUrl;
import io.dbrecover.engine.api.EnvironmentConfig;
import io.dbrecover.engine.api.ErrorCode;
import io.dbrecover.engine.api.Incident;
import io.dbrecover.engine.api.MigrationTool;
import io.dbrecover.engine.api.Plan;
import io.dbrecover.engine.api.ProtectionLevel;
import io.dbrecover.engine.api.RecoveryEngine;
import io.dbrecover.engine.api.RecoveryPoint;
import io.dbrecover.engine.api.RunOptions;
import io.dbrecover.engine.api.Tier;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.stream.Stream;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * A recovery rehearsal on the embedded default: a sample application database with a Prisma
 * migration history is backed up, broken by a bad migration and corrupted rows, then recovered
 * through the decision tree, verified and swapped, with each phase timed.
 */
@Command(
    name = "drill",
    description = {
      "Rehearse a recovery on the embedded PostgreSQL: create a sample app database with a migration"
          + " history, back it up, apply a bad migration and corrupt rows, recover through the decision"
          + " tree, verify, swap a dotenv file, and print each phase's duration and the report.",
    })
final class DrillCommand extends BaseCommand {
  static final String ENV = "drill";
  static final String DATABASE = "drill_app";

  @Option(
      names = "--rows",
      paramLabel = "<n>",
      description = "Sample users to create (default: 2000).")
  int rows = 2000;

  private final Map<String, Duration> phases = new LinkedHashMap<>();

  @Override
  public Integer call() throws Exception {
    DbRecoverConfig base = ConfigLoader.embeddedDefault(stateDir());
    Path drillDir = base.stateDir().resolve("drill");
    DbRecoverConfig config = drillConfig(base, drillDir);
    RecoveryEngine engine = engine();
    ConsoleInteraction io = interaction();

    DbUrl app = phase("setup", io, () -> setUp(engine, config, drillDir));
    RecoveryPoint backup =
        phase(
            "backup",
            io,
            () -> engine.backup(config, ENV, "pre-deploy", m -> io.line("backup", m)));
    Map<String, Long> before = phase("incident", io, () -> breakIt(app));
    Plan plan =
        phase(
            "plan",
            io,
            () ->
                engine.plan(config, ENV, new Incident(Incident.Kind.DATA, null, null, null, null)));
    if (!json()) {
      err().print(Render.plan(plan));
      err().flush();
    }
    if (!plan.decision().pointOpt().map(p -> p.id().equals(backup.id())).orElse(false)) {
      throw new DbRecoverException(
          ErrorCode.VERIFICATION_FAILED,
          "drill: the decision tree did not pick the pre-deploy backup: " + plan.decision());
    }
    int exit =
        phase(
            "recover",
            io,
            () -> {
              RecoveryEngine.Lock lock = engine.lock(config, ENV, "drill");
              try (RecoveryEngine.RunSession session =
                  engine.start(
                      config,
                      plan,
                      new RunOptions(incident(), false, true, List.of(), null),
                      lock)) {
                return RunDriver.drive(this, session, io, engine.clock());
              }
            });
    phase("prove", io, () -> prove(drillDir, before));
    if (!json()) {
      StringBuilder sb = new StringBuilder("\nDrill phases:\n");
      Duration total = Duration.ZERO;
      for (Map.Entry<String, Duration> e : phases.entrySet()) {
        sb.append(String.format("  %-10s %8.2f s%n", e.getKey(), e.getValue().toMillis() / 1000.0));
        if (!e.getKey().equals("setup") && !e.getKey().equals("prove")) {
          total = total.plus(e.getValue());
        }
      }
      sb.append(
          String.format(
              "  recovery time (plan + recover): %.2f s%n",
              (phases.get("plan").toMillis() + phases.get("recover").toMillis()) / 1000.0));
      sb.append("Drill passed: the corrupted rows and the dropped column are back, ")
          .append(drillDir.resolve("app.env"))
          .append(" points to the recovered database.\n");
      out().print(sb);
      out().flush();
    }
    return exit;
  }

  private static Incident incident() {
    return new Incident(Incident.Kind.DATA, null, null, null, null);
  }

  private Path stateDir() {
    return root().stateDir != null
        ? root().stateDir.toAbsolutePath()
        : Path.of(".dbrecover").toAbsolutePath();
  }

  private static DbRecoverConfig drillConfig(DbRecoverConfig base, Path drillDir) {
    EnvironmentConfig embedded = base.environment("embedded");
    EnvironmentConfig drill =
        new EnvironmentConfig(
            ENV,
            Tier.STAGING,
            ProtectionLevel.NONE,
            new EnvironmentConfig.Database("postgres", null, true, Map.of("database", DATABASE)),
            drillDir.resolve("backups"),
            new EnvironmentConfig.UrlTarget(
                "dotenv", drillDir.resolve("app.env").toString(), "DATABASE_URL"),
            new EnvironmentConfig.Migrations(MigrationTool.PRISMA, null),
            embedded.allowedMethods(),
            embedded.retention(),
            List.of(
                new EnvironmentConfig.SmokeQuery(
                    "users readable", "select count(*) from users", null),
                new EnvironmentConfig.SmokeQuery(
                    "users.email present", "select count(email) > 0 from users", "t")),
            embedded.jobs());
    return new DbRecoverConfig(
        base.source(), base.stateDir(), Map.of(ENV, drill, "embedded", embedded));
  }

  // --- phases --------------------------------------------------------------------------------

  private DbUrl setUp(RecoveryEngine engine, DbRecoverConfig config, Path drillDir) {
    deleteTree(drillDir);
    DbUrl live = engine.liveUrl(config, ENV);
    try (Connection admin = connect(live.withDatabase("postgres"));
        Statement st = admin.createStatement()) {
      List<String> old = new ArrayList<>();
      try (ResultSet rs =
          st.executeQuery("select datname from pg_database where datname like 'drill_app%'")) {
        while (rs.next()) {
          old.add(rs.getString(1));
        }
      }
      for (String db : old) {
        st.execute("drop database \"" + db + "\" with (force)");
      }
      st.execute("create database " + DATABASE);
    } catch (SQLException e) {
      throw new DbRecoverException(
          ErrorCode.CONFIGURATION, "drill setup failed: " + e.getMessage(), e);
    }
    try (Connection c = connect(live.withDatabase(DATABASE))) {
      SampleApp.install(c, rows);
    } catch (SQLException e) {
      throw new DbRecoverException(
          ErrorCode.CONFIGURATION, "drill setup failed: " + e.getMessage(), e);
    }
    try {
      Files.createDirectories(drillDir);
      Files.writeString(
          drillDir.resolve("app.env"),
          "# written by dbrecover drill\nAPP_NAME=drill\nDATABASE_URL="
              + live.withDatabase(DATABASE).toSecretUri().reveal()
              + "\n");
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return live.withDatabase(DATABASE);
  }

  private Map<String, Long> breakIt(DbUrl app) {
    Map<String, Long> before = new LinkedHashMap<>();
    try (Connection c = connect(app);
        Statement st = c.createStatement()) {
      before.put("orders.total", single(st, "select sum(total_cents) from orders"));
      before.put("users.email", single(st, "select count(email) from users"));
      st.execute(SampleApp.BAD_MIGRATION[1]);
      st.execute(SampleApp.recordMigration(SampleApp.BAD_MIGRATION[0]));
      st.execute("update orders set total_cents = 0 where id % 7 = 0");
      st.execute("insert into audit_log(event) values ('order export ran against broken schema')");
    } catch (SQLException e) {
      throw new DbRecoverException(
          ErrorCode.CONFIGURATION, "drill incident failed: " + e.getMessage(), e);
    }
    return before;
  }

  private Void prove(Path drillDir, Map<String, Long> before) {
    String env;
    try {
      env = Files.readString(drillDir.resolve("app.env"));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    String line = env.lines().filter(l -> l.startsWith("DATABASE_URL=")).findFirst().orElseThrow();
    DbUrl now = DbUrl.parse(line.substring("DATABASE_URL=".length()).replace("\"", ""));
    if (now.database().equals(DATABASE)) {
      throw new DbRecoverException(
          ErrorCode.VERIFICATION_FAILED, "drill: DATABASE_URL was not swapped");
    }
    try (Connection c = connect(now);
        Statement st = c.createStatement()) {
      long total = single(st, "select sum(total_cents) from orders");
      long emails = single(st, "select count(email) from users");
      if (total != before.get("orders.total") || emails != before.get("users.email")) {
        throw new DbRecoverException(
            ErrorCode.VERIFICATION_FAILED,
            "drill: recovered data differs: orders total "
                + total
                + " vs "
                + before.get("orders.total")
                + ", emails "
                + emails
                + " vs "
                + before.get("users.email"));
      }
    } catch (SQLException e) {
      throw new DbRecoverException(ErrorCode.VERIFICATION_FAILED, "drill: " + e.getMessage(), e);
    }
    return null;
  }

  // --- helpers -------------------------------------------------------------------------------

  private interface Work<T> {
    T run() throws Exception;
  }

  private <T> T phase(String name, ConsoleInteraction io, Work<T> work) throws Exception {
    io.line(name, "...");
    Instant start = engine().clock().instant();
    try {
      return work.run();
    } finally {
      phases.put(name, Duration.between(start, engine().clock().instant()));
    }
  }

  private static long single(Statement st, String sql) throws SQLException {
    try (ResultSet rs = st.executeQuery(sql)) {
      rs.next();
      return rs.getLong(1);
    }
  }

  static Connection connect(DbUrl url) throws SQLException {
    Properties p = new Properties();
    url.user().ifPresent(u -> p.setProperty("user", u));
    url.password().ifPresent(s -> p.setProperty("password", s.reveal()));
    return DriverManager.getConnection(url.jdbcUrl(), p);
  }

  private static void deleteTree(Path dir) {
    if (!Files.exists(dir)) {
      return;
    }
    try (Stream<Path> walk = Files.walk(dir)) {
      for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
        Files.delete(p);
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}

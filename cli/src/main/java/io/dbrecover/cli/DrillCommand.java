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
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.stream.Stream;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;

/**
 * A recovery rehearsal on the embedded default, in two scenarios. pg_dump restore: a sample
 * application database with a Prisma migration history is backed up, broken by a bad migration and
 * corrupted rows, then recovered through the decision tree, verified and swapped. Point-in-time
 * restore ({@link PitrDrill}): the same application on a cluster of its own with WAL archiving,
 * restored to an instant between two writes. Each phase is timed.
 */
@Command(
    name = "drill",
    description = {
      "Rehearse recoveries on the embedded PostgreSQL, never touching your databases.",
      "dump: create a sample app database with a migration history, back it up (pg_dump), apply a"
          + " bad migration and corrupt rows, recover through the decision tree, verify, swap a"
          + " dotenv file.",
      "pitr: on a separate embedded cluster, turn WAL archiving on, take a base backup, write rows"
          + " before and after an instant read from the server clock, corrupt rows (bad UPDATE and"
          + " DELETE), restore to the instant with point-in-time restore, verify, swap, and prove"
          + " that rows from before the instant are there, rows from after it are not and the"
          + " corrupted rows are as they were; the servers it started are stopped at the end.",
      "Prints each phase's duration and the reports; exits 5 when a proof fails.",
    })
final class DrillCommand extends BaseCommand {
  static final String ENV = "drill";
  static final String DATABASE = "drill_app";

  /** Which recoveries to rehearse. */
  enum Scenario {
    DUMP,
    PITR,
    ALL
  }

  @Option(
      names = "--rows",
      paramLabel = "<n>",
      description = "Sample users to create (default: 2000).")
  int rows = 2000;

  @Option(
      names = "--scenario",
      paramLabel = "dump|pitr|all",
      description =
          "dump (pg_dump restore), pitr (point-in-time restore) or all (default: all, one after"
              + " the other).")
  Scenario scenario = Scenario.ALL;

  private Path dumpReport;

  @Override
  public Integer call() throws Exception {
    if (rows < 1) {
      throw new ParameterException(spec.commandLine(), "--rows must be at least 1, not " + rows);
    }
    DbRecoverConfig base = ConfigLoader.embeddedDefault(stateDir());
    RecoveryEngine engine = engine();
    ConsoleInteraction io = interaction();
    Instant start = engine.clock().instant();
    StringBuilder summary = new StringBuilder("\nDrill phases:\n");
    List<String> passed = new ArrayList<>();
    List<Map<String, Object>> scenarios = new ArrayList<>();
    int exit = 0;
    if (scenario != Scenario.PITR) {
      Path drillDir = base.stateDir().resolve("drill");
      DrillPhases phases = new DrillPhases("", io, engine.clock());
      exit = Math.max(exit, dump(engine, io, phases, base, drillDir));
      scenarios.add(scenarioJson("dump", phases, dumpReport, null));
      summary.append("  pg_dump restore (--scenario dump):\n").append(phases.render("    "));
      passed.add(
          "pg_dump restore: the corrupted rows and the dropped column are back, "
              + drillDir.resolve("app.env")
              + " points to the recovered database");
    }
    if (scenario != Scenario.DUMP) {
      PitrDrill pitr = new PitrDrill(this, engine, io, base);
      exit = Math.max(exit, pitr.run());
      scenarios.add(scenarioJson("pitr", pitr.phases, pitr.report, pitr.proof));
      summary
          .append("  point-in-time restore (--scenario pitr):\n")
          .append(pitr.phases.render("    "));
      passed.add(
          "point-in-time restore: rows from before the instant are there, rows from after it are"
              + " not, the corrupted rows are as they were, "
              + pitr.appEnv()
              + " pointed to the restored server (now stopped)");
    }
    double total = DrillPhases.seconds(Duration.between(start, engine.clock().instant()));
    if (json()) {
      Map<String, Object> doc = new LinkedHashMap<>();
      doc.put("passed", passed);
      doc.put("totalSeconds", total);
      doc.put("scenarios", scenarios);
      out().println(json(doc));
      out().flush();
    } else {
      summary.append(String.format(Locale.ROOT, "  total: %.2f s%n", total));
      summary.append("Drill passed:\n");
      passed.forEach(p -> summary.append("  ").append(p).append(".\n"));
      out().print(summary);
      out().flush();
    }
    return exit;
  }

  private int dump(
      RecoveryEngine engine,
      ConsoleInteraction io,
      DrillPhases phases,
      DbRecoverConfig base,
      Path drillDir)
      throws Exception {
    DbRecoverConfig config =
        drillConfig(base, base.stateDir(), drillDir, ENV, Map.of("database", DATABASE));
    DbUrl app = phases.run("setup", () -> setUp(engine, config, drillDir));
    RecoveryPoint backup =
        phases.run(
            "backup", () -> engine.backup(config, ENV, "pre-deploy", m -> io.line("backup", m)));
    Map<String, Long> before = phases.run("incident", () -> breakIt(app));
    Plan plan = phases.run("plan", () -> engine.plan(config, ENV, incident()));
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
        phases.run(
            "recover",
            () ->
                RunDriver.startAndDrive(
                    this, engine, config, plan, incident(), io, id -> {}, r -> dumpReport = r));
    phases.run("prove", () -> prove(drillDir, before));
    return exit;
  }

  /** One scenario of the JSON document: its phases, the run's own JSON report, the proof. */
  private static Map<String, Object> scenarioJson(
      String name, DrillPhases phases, Path report, DrillProof proof) throws IOException {
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("scenario", name);
    out.put("phaseSeconds", phases.seconds());
    out.put("run", report == null ? null : readJson(report));
    if (proof != null) {
      out.put("proof", proof.checks());
    }
    return out;
  }

  private static Incident incident() {
    return new Incident(Incident.Kind.DATA, null, null, null, null);
  }

  private Path stateDir() {
    return root().stateDir != null
        ? root().stateDir.toAbsolutePath()
        : Path.of(".dbrecover").toAbsolutePath();
  }

  /**
   * A staging environment on the embedded default of {@code stateDir}, its backups and dotenv file
   * in {@code drillDir}.
   */
  static DbRecoverConfig drillConfig(
      DbRecoverConfig base,
      Path stateDir,
      Path drillDir,
      String name,
      Map<String, String> options) {
    EnvironmentConfig embedded = base.environment("embedded");
    EnvironmentConfig drill =
        new EnvironmentConfig(
            name,
            Tier.STAGING,
            ProtectionLevel.NONE,
            new EnvironmentConfig.Database("postgres", null, true, options),
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
    return new DbRecoverConfig(base.source(), stateDir, Map.of(name, drill, "embedded", embedded));
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
    writeAppEnv(drillDir, live.withDatabase(DATABASE));
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
    DbUrl now = swappedUrl(drillDir.resolve("app.env"));
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

  /** Writes the drill application's dotenv file, DATABASE_URL naming {@code app}. */
  static void writeAppEnv(Path drillDir, DbUrl app) {
    try {
      Files.createDirectories(drillDir);
      Files.writeString(
          drillDir.resolve("app.env"),
          "# written by dbrecover drill\nAPP_NAME=drill\nDATABASE_URL="
              + app.toSecretUri().reveal()
              + "\n");
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The DATABASE_URL in the drill application's dotenv file. */
  static DbUrl swappedUrl(Path appEnv) {
    String env;
    try {
      env = Files.readString(appEnv);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    String line = env.lines().filter(l -> l.startsWith("DATABASE_URL=")).findFirst().orElseThrow();
    return DbUrl.parse(line.substring("DATABASE_URL=".length()).replace("\"", ""));
  }

  static void deleteTree(Path dir) {
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

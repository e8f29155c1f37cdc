package io.dbrecover.cli;

import io.dbrecover.engine.api.DbRecoverConfig;
import io.dbrecover.engine.api.DbRecoverException;
import io.dbrecover.engine.api.DbUrl;
import io.dbrecover.engine.api.EnvironmentConfig;
import io.dbrecover.engine.api.ErrorCode;
import io.dbrecover.engine.api.Incident;
import io.dbrecover.engine.api.Method;
import io.dbrecover.engine.api.Plan;
import io.dbrecover.engine.api.RecoveryEngine;
import io.dbrecover.postgres.EmbeddedCluster;
import io.dbrecover.postgres.PostgresProvider;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.Map;
import java.util.stream.Stream;

/**
 * The drill's point-in-time scenario, on an embedded cluster of its own ({@code
 * <state-dir>/drill-pitr/}, never the user's): WAL archiving on, a base backup, writes before and
 * after an instant read from the server clock, then a bad UPDATE and DELETE; a point-in-time
 * restore to the instant, verified and swapped like any run, and proof that what was written before
 * the instant is there, what was written after it is not, and the corrupted rows are as they were.
 * Every server it starts is stopped when it ends.
 */
final class PitrDrill {
  static final String ENV = "drill-pitr";
  static final String DIR = "drill-pitr";
  private static final int MARKED = 5;
  private static final Duration ARCHIVE_TIMEOUT = Duration.ofSeconds(60);
  // The rows the corruption hits: seed orders only, so the rows written around the instant stay
  // out of it.
  private static final String CORRUPTED = "(id %% 7 = 0 or id %% 11 = 0) and id <= %d";
  private static final String DIGEST =
      "select count(*) || ' rows, md5 ' || left(md5(coalesce(string_agg(id || ':' || total_cents"
          + " || ':' || status, ',' order by id), '')), 12) from orders where ";

  private final DrillCommand cmd;
  private final RecoveryEngine engine;
  private final ConsoleInteraction io;
  private final DbRecoverConfig config;
  private final Path dir;
  private final int rows;
  // Stops the restored server; the provider's own (not the engine's) because only the drill
  // stops a restored server: after a real run it serves the application.
  private final PostgresProvider provider = new PostgresProvider(System.getenv());
  final DrillPhases phases;
  private String runId;

  /** The run's JSON report (JSON mode), and the proof, once the drill has come that far. */
  Path report;

  DrillProof proof;

  PitrDrill(DrillCommand cmd, RecoveryEngine engine, ConsoleInteraction io, DbRecoverConfig base) {
    this.cmd = cmd;
    this.engine = engine;
    this.io = io;
    this.rows = cmd.rows;
    this.dir = base.stateDir().resolve(DIR);
    this.phases = new DrillPhases("pitr ", io, engine.clock());
    EmbeddedCluster cluster = EmbeddedCluster.at(dir.resolve("embedded"));
    // The archive lives beside the cluster's data (where its server user can write, also when
    // the state directory is not reachable for it), so a fresh cluster gets a fresh archive.
    this.config =
        DrillCommand.drillConfig(
            base,
            dir,
            dir,
            ENV,
            Map.of(
                "database",
                DrillCommand.DATABASE,
                PostgresProvider.WAL_ARCHIVE_OPTION,
                cluster.directory().resolve("wal-archive").toString()));
  }

  Path appEnv() {
    return dir.resolve("app.env");
  }

  int run() throws Exception {
    try {
      return drill();
    } finally {
      stopServers();
    }
  }

  private int drill() throws Exception {
    DbUrl app = phases.run("setup", this::setUp);
    phases.run("archive", () -> engine.enableArchiving(config, ENV, true, m -> io.line("pitr", m)));
    phases.run(
        "base backup",
        () -> engine.backup(config, ENV, "drill-base", true, m -> io.line("pitr backup", m)));
    Instant instant = phases.run("writes", () -> writeAroundInstant(app));
    String before = phases.run("incident", () -> corrupt(app));
    Incident incident = new Incident(Incident.Kind.DATA, null, null, null, null, instant, null);
    Plan plan = phases.run("plan", () -> engine.plan(config, ENV, incident));
    if (!cmd.json()) {
      cmd.err().print(Render.plan(plan));
      cmd.err().flush();
    }
    if (plan.decision().method() != Method.POINT_IN_TIME) {
      throw new DbRecoverException(
          ErrorCode.VERIFICATION_FAILED,
          "drill: the decision tree did not pick point-in-time restore to "
              + instant
              + ": "
              + plan.decision());
    }
    int exit =
        phases.run(
            "recover",
            () ->
                RunDriver.startAndDrive(
                    cmd, engine, config, plan, incident, io, id -> runId = id, r -> report = r));
    proof = phases.run("prove", () -> prove(app, instant, before));
    if (!cmd.json()) {
      cmd.out().print(proof.render());
      cmd.out().flush();
    }
    proof.requirePassed();
    return exit;
  }

  private DbUrl setUp() throws Exception {
    stopServers(); // an earlier drill that did not end
    // A new cluster each time (keeping the unpacked binaries): a fresh archive, no old state.
    EmbeddedCluster.at(dir.resolve("embedded")).reset();
    try (Stream<Path> children = Files.list(dir)) {
      for (Path p : children.toList()) {
        if (!p.getFileName().toString().equals("embedded")) {
          DrillCommand.deleteTree(p);
        }
      }
    } catch (java.nio.file.NoSuchFileException e) {
      // the first drill
    }
    DbUrl live = engine.liveUrl(config, ENV);
    try (Connection c = DrillCommand.connect(live)) {
      SampleApp.install(c, rows);
    }
    DrillCommand.writeAppEnv(dir, live);
    return live;
  }

  /**
   * Marked orders before and after an instant taken from the server clock after the first ones
   * committed; returns the instant.
   */
  private Instant writeAroundInstant(DbUrl app) throws SQLException {
    try (Connection c = DrillCommand.connect(app);
        Statement st = c.createStatement()) {
      st.execute(markedOrders("before-instant"));
      // Read after the first insert committed, before the second one starts: commits up to it
      // are in the restore, later ones are not.
      Instant instant = serverNow(st);
      st.execute(markedOrders("after-instant"));
      io.line("pitr writes", MARKED + " orders before and " + MARKED + " after " + instant);
      return instant;
    }
  }

  /** A bad UPDATE and a bad DELETE of seed orders; returns their digest from before. */
  private String corrupt(DbUrl app) throws Exception {
    String before;
    try (Connection c = DrillCommand.connect(app);
        Statement st = c.createStatement()) {
      before = string(st, DIGEST + corrupted());
      st.execute("update orders set total_cents = 0 where id % 7 = 0 and id <= " + seedOrders());
      st.execute("delete from orders where id % 11 = 0 and id <= " + seedOrders());
      st.execute(
          "insert into audit_log(event) values ('bulk repricing job ran with a bad filter')");
      awaitArchived(st);
    }
    return before;
  }

  /** Switches to a new WAL segment and waits until the archiver has copied the full one. */
  private void awaitArchived(Statement st) throws Exception {
    String segment = string(st, "select pg_walfile_name(pg_switch_wal())");
    Instant deadline = engine.clock().instant().plus(ARCHIVE_TIMEOUT);
    while (true) {
      String last = string(st, "select coalesce(last_archived_wal, '') from pg_stat_archiver");
      // Same timeline: WAL file names order as strings.
      if (last.compareTo(segment) >= 0) {
        io.line("pitr incident", "WAL up to " + segment + " archived");
        return;
      }
      if (engine.clock().instant().isAfter(deadline)) {
        throw new DbRecoverException(
            ErrorCode.CONFIGURATION,
            "drill: the archiver did not archive "
                + segment
                + " within "
                + ARCHIVE_TIMEOUT.toSeconds()
                + " s (last archived: "
                + last
                + ")");
      }
      Thread.sleep(50);
    }
  }

  private DrillProof prove(DbUrl live, Instant instant, String before) throws Exception {
    DbUrl now = DrillCommand.swappedUrl(appEnv());
    DrillProof proof = new DrillProof("Point-in-time proof (target " + instant + ")");
    proof.check(
        "DATABASE_URL points to the restored server",
        "yes",
        now.port() != live.port() ? "yes" : "no");
    try (Connection c = DrillCommand.connect(now);
        Statement st = c.createStatement()) {
      proof.check("orders written before the instant", MARKED, marked(st, "before-instant"));
      proof.check("orders written after the instant", 0, marked(st, "after-instant"));
      proof.check(
          "corrupted orders as before the corruption", before, string(st, DIGEST + corrupted()));
    }
    try (Connection c = DrillCommand.connect(live);
        Statement st = c.createStatement()) {
      proof.check(
          "original still holds the corruption (untouched)",
          "yes",
          string(st, DIGEST + corrupted()).equals(before) ? "no" : "yes");
    }
    return proof;
  }

  /** Stops the restored server of this (or an earlier) drill run and the drill's cluster. */
  private void stopServers() {
    EnvironmentConfig env = config.environment(ENV);
    Path runs = dir.resolve("runs");
    if (Files.isDirectory(runs)) {
      try (Stream<Path> list = Files.list(runs)) {
        for (Path run : list.toList()) {
          if (provider.stopRestoredServer(env, dir, run.getFileName().toString())) {
            io.line("pitr", "stopped the restored server of " + run.getFileName());
          }
        }
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
    EmbeddedCluster cluster = EmbeddedCluster.at(dir.resolve("embedded"));
    if (Files.isDirectory(cluster.directory()) && cluster.isRunning()) {
      cluster.stop();
      io.line("pitr", "stopped the drill's cluster in " + cluster.directory());
    }
  }

  private String corrupted() {
    return String.format(CORRUPTED, seedOrders());
  }

  private long seedOrders() {
    return rows * 5L;
  }

  private static String markedOrders(String status) {
    return "insert into orders(user_id, total_cents, status) select g, 4242, '"
        + status
        + "' from generate_series(1, "
        + MARKED
        + ") g";
  }

  private static long marked(Statement st, String status) throws SQLException {
    return Long.parseLong(
        string(st, "select count(*) from orders where status = '" + status + "'"));
  }

  private static Instant serverNow(Statement st) throws SQLException {
    try (ResultSet rs = st.executeQuery("select clock_timestamp()")) {
      rs.next();
      return rs.getObject(1, OffsetDateTime.class).toInstant();
    }
  }

  private static String string(Statement st, String sql) throws SQLException {
    try (ResultSet rs = st.executeQuery(sql)) {
      rs.next();
      return rs.getString(1);
    }
  }
}

package io.dbrecover.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.dbrecover.engine.api.DbUrl;
import io.dbrecover.postgres.testing.TestPostgres;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The CLI as an operator runs it: the packaged command in a subprocess, against a real PostgreSQL
 * with real pg_dump / pg_restore, configured by a dbrecover.yaml with a password in the URL.
 */
class CliIT {
  private static final Pattern RUN_ID = Pattern.compile("run-\\d{8}-\\d{6}-[0-9a-f]{4}");
  private static final Pattern BACKUP_ID =
      Pattern.compile("backup-\\d{8}-\\d{6}(-[A-Za-z0-9_.-]+)?");

  @TempDir Path work;
  DbUrl db;
  CliProcess cli;
  final List<CliProcess.Result> outputs = new ArrayList<>();

  @BeforeEach
  void setUp() throws Exception {
    db = TestPostgres.freshDatabase();
    try (Connection c = DrillCommand.connect(db)) {
      SampleApp.install(c, 200);
    }
    writeConfig("strict");
    Files.writeString(
        work.resolve("app.env"), "APP=shop\nDATABASE_URL=" + db.toSecretUri().reveal() + "\n");
    cli = new CliProcess(work).env("APP_DB_URL", db.toSecretUri().reveal());
  }

  private void writeConfig(String protection) throws IOException {
    Files.writeString(
        work.resolve("dbrecover.yaml"),
        String.join(
            "\n",
            "environments:",
            "  prod:",
            "    tier: production",
            "    protection: " + protection,
            "    database:",
            "      provider: postgres",
            "      url: ${APP_DB_URL}",
            "    backup-store: backups",
            "    url-target: { type: dotenv, path: app.env }",
            "    migrations: { tool: prisma }",
            "    jobs: 2",
            ""));
  }

  private CliProcess.Result dbrecoverWithInput(String stdin, String... args) {
    CliProcess.Result r = cli.runWithInput(stdin, args);
    outputs.add(r);
    return r;
  }

  private CliProcess.Result dbrecover(String... args) {
    return dbrecoverWithInput(null, args);
  }

  private String backup(String label) {
    CliProcess.Result r = dbrecover("backup", "prod", "--label", label);
    assertThat(r.exit()).as(r.all()).isZero();
    Matcher m = BACKUP_ID.matcher(r.out());
    assertThat(m.find()).as(r.out()).isTrue();
    return m.group();
  }

  private void breakTheDatabase() throws SQLException {
    try (Connection c = DrillCommand.connect(db);
        Statement st = c.createStatement()) {
      st.execute(SampleApp.BAD_MIGRATION[1]);
      st.execute(SampleApp.recordMigration(SampleApp.BAD_MIGRATION[0]));
      st.execute("update orders set total_cents = 0 where id % 7 = 0");
    }
  }

  private static long single(DbUrl url, String sql) throws SQLException {
    try (Connection c = DrillCommand.connect(url);
        Statement st = c.createStatement();
        ResultSet rs = st.executeQuery(sql)) {
      rs.next();
      return rs.getLong(1);
    }
  }

  private DbUrl urlInDotenv() throws IOException {
    String line =
        Files.readAllLines(work.resolve("app.env")).stream()
            .filter(l -> l.startsWith("DATABASE_URL="))
            .findFirst()
            .orElseThrow();
    return DbUrl.parse(line.substring("DATABASE_URL=".length()).replace("\"", "").replace("'", ""));
  }

  private static String runId(String text) {
    Matcher m = RUN_ID.matcher(text);
    assertThat(m.find()).as(text).isTrue();
    return m.group();
  }

  /** Every file dbrecover wrote except the dotenv target, whose job is to hold the URL. */
  private String everythingWritten() throws IOException {
    StringBuilder sb = new StringBuilder();
    try (Stream<Path> files = Files.walk(work)) {
      for (Path f : files.filter(Files::isRegularFile).toList()) {
        String name = f.getFileName().toString();
        if (name.startsWith("app.env") || f.toString().contains("/dump/") || name.endsWith(".gz")) {
          continue;
        }
        sb.append(Files.readString(f, StandardCharsets.ISO_8859_1));
      }
    }
    outputs.forEach(r -> sb.append(r.all()));
    return sb.toString();
  }

  @Test
  void rollback_typedConfirmation_restoresVerifiesSwapsAndSwapsBack() throws Exception {
    long goodTotal = single(db, "select sum(total_cents) from orders");
    String backupId = backup("good");
    assertThat(dbrecover("list-backups", "prod").out()).contains(backupId);
    assertThat(dbrecover("verify-backup", "prod", backupId).exit()).isZero();
    breakTheDatabase();

    CliProcess.Result r = dbrecoverWithInput("rollback-prod\n", "rollback", "prod");

    assertThat(r.exit()).as(r.all()).isZero();
    assertThat(r.err()).contains("Type rollback-prod");
    assertThat(r.out()).contains("status: **DONE**").contains("20250401000000_drop_user_email");
    DbUrl swapped = urlInDotenv();
    assertThat(swapped.database()).startsWith(db.database() + "_rb_");
    assertThat(single(swapped, "select sum(total_cents) from orders")).isEqualTo(goodTotal);
    assertThat(single(swapped, "select count(email) from users")).isEqualTo(200);
    assertThat(single(db, "select count(*) from orders where total_cents = 0"))
        .as("the original is kept as it was, for forensics and swap-back")
        .isPositive();
    assertThat(Files.readString(work.resolve("app.env"))).startsWith("APP=shop\n");

    String runId = runId(r.all());
    assertThat(dbrecover("status", "prod").out()).contains(runId).contains("done");
    CliProcess.Result back = dbrecover("swap-back", runId);
    assertThat(back.exit()).as(back.all()).isZero();
    assertThat(urlInDotenv().database()).isEqualTo(db.database());

    // The report files go (as with a Lambda's /tmp); `report` rebuilds them from the journal.
    Path runDir = work.resolve(".dbrecover/runs").resolve(runId);
    String written = Files.readString(runDir.resolve("report.md"));
    Files.delete(runDir.resolve("report.md"));
    Files.delete(runDir.resolve("report.json"));
    CliProcess.Result report = dbrecover("report", runId, "--write", "incident-42");
    assertThat(report.exit()).as(report.all()).isZero();
    assertThat(report.out()).isEqualTo(written);
    assertThat(Files.readString(work.resolve("incident-42/report.md"))).isEqualTo(written);
    com.fasterxml.jackson.databind.JsonNode json =
        new com.fasterxml.jackson.databind.ObjectMapper()
            .readTree(dbrecover("report", runId, "--output=json").out());
    assertThat(json.path("status").asText()).isEqualTo("DONE");
    assertThat(json.path("swapBack").asText()).isEqualTo("dbrecover swap-back " + runId);
    assertThat(json.path("dataLoss").path("tables").size()).isPositive();
    // Only the rows written after the backup's snapshot were read on the live side.
    assertThat(json.path("dataLoss").path("method").asText())
        .startsWith("narrowed to the rows the live database wrote after the backup's snapshot");
    com.fasterxml.jackson.databind.JsonNode orders = null;
    for (com.fasterxml.jackson.databind.JsonNode t : json.path("dataLoss").path("tables")) {
      if (t.path("name").asText().equals("public.orders")) {
        orders = t;
      }
    }
    assertThat(orders).as(json.path("dataLoss").toString()).isNotNull();
    assertThat(orders.path("changedRows").asLong())
        .as("the corrupted orders differ from the backup: %s", json.path("dataLoss"))
        .isEqualTo(single(db, "select count(*) from orders where id % 7 = 0"));
    assertThat(
            new com.fasterxml.jackson.databind.ObjectMapper()
                .readTree(work.resolve("incident-42/report.json").toFile()))
        .isEqualTo(json);

    assertThat(everythingWritten())
        .as("the password appears in no output, journal, report or metadata")
        .doesNotContain(db.password().orElseThrow().reveal());
  }

  @Test
  void rollback_wrongPhrase_cancelsWithExit6AndLeavesUrl() throws Exception {
    backup("good");
    breakTheDatabase();

    CliProcess.Result r = dbrecoverWithInput("yes\n", "rollback", "prod");

    assertThat(r.exit()).as(r.all()).isEqualTo(6);
    assertThat(r.err()).contains("cancelled");
    assertThat(urlInDotenv().database()).isEqualTo(db.database());
  }

  @Test
  void rollback_toMigration_picksNewestBackupEndingThere() throws Exception {
    try (Connection c = DrillCommand.connect(db);
        Statement st = c.createStatement()) {
      st.execute(
          "delete from _prisma_migrations where migration_name = '20250301000000_audit_log'");
    }
    String atTwo = backup("at-two");
    try (Connection c = DrillCommand.connect(db);
        Statement st = c.createStatement()) {
      st.execute(SampleApp.recordMigration("20250301000000_audit_log"));
    }
    backup("at-three");

    CliProcess.Result r =
        dbrecover("rollback", "prod", "--to", "20250201000000_order_status", "--force");

    assertThat(r.exit()).as(r.all()).isZero();
    assertThat(r.out()).contains(atTwo).contains("Migrations removed: 20250301000000_audit_log");
  }

  @Test
  void rollback_dryRun_changesNothing() throws Exception {
    backup("good");
    breakTheDatabase();
    String before = contentHash(db);
    String envBefore = Files.readString(work.resolve("app.env"));

    CliProcess.Result r = dbrecover("rollback", "prod", "--dry-run");

    assertThat(r.exit()).as(r.all()).isZero();
    assertThat(r.out()).contains("Dry run: nothing was changed").contains("pg_dump restore");
    assertThat(contentHash(db)).isEqualTo(before);
    assertThat(Files.readString(work.resolve("app.env"))).isEqualTo(envBefore);
    assertThat(work.resolve(".dbrecover/runs")).doesNotExist();
  }

  @Test
  void corruptBackup_failsVerifyAndRestoreWithExit4_originalUnchanged() throws Exception {
    String id = backup("good");
    Path largest;
    try (Stream<Path> files = Files.walk(work.resolve("backups").resolve(id).resolve("dump"))) {
      largest =
          files
              .filter(f -> f.toString().endsWith(".dat.gz"))
              .max((a, b) -> Long.compare(a.toFile().length(), b.toFile().length()))
              .orElseThrow();
    }
    byte[] bytes = Files.readAllBytes(largest);
    bytes[bytes.length / 2] ^= 0x01;
    Files.write(largest, bytes);
    String before = contentHash(db);

    CliProcess.Result verify = dbrecover("verify-backup", "prod", id);
    CliProcess.Result restore = dbrecover("restore", "prod", "--from", id, "--force");

    assertThat(verify.exit()).as(verify.all()).isEqualTo(4);
    assertThat(verify.out()).contains("FAIL").contains("checksum");
    assertThat(restore.exit()).as(restore.all()).isEqualTo(4);
    assertThat(contentHash(db)).isEqualTo(before);
    assertThat(urlInDotenv().database()).isEqualTo(db.database());
  }

  @Test
  void secondConcurrentRollback_exits7() throws Exception {
    backup("good");
    Process first = cli.start("rollback", "prod");
    StringBuilder firstErr = new StringBuilder();
    Thread pump =
        new Thread(
            () -> {
              try {
                int ch;
                while ((ch = first.getErrorStream().read()) >= 0) {
                  synchronized (firstErr) {
                    firstErr.append((char) ch);
                  }
                }
              } catch (IOException ignored) {
                // process ended
              }
            });
    pump.start();
    CliProcess.drain(first.getInputStream());
    long deadline = System.currentTimeMillis() + 120_000;
    while (System.currentTimeMillis() < deadline) {
      synchronized (firstErr) {
        if (firstErr.toString().contains("Type rollback-prod")) {
          break;
        }
      }
      Thread.sleep(100);
    }
    assertThat(firstErr.toString()).contains("Type rollback-prod");

    CliProcess.Result second = dbrecover("rollback", "prod", "--force");

    CliProcess.writeStdin(first, "no\n");
    first.waitFor();
    pump.join();
    assertThat(second.exit()).as(second.all()).isEqualTo(7);
    assertThat(second.err()).contains("is locked by rollback").contains("pid");
    assertThat(first.exitValue()).isEqualTo(6);
  }

  @Test
  void unknownEnvironment_exit1ListingKnownOnes() {
    CliProcess.Result r = dbrecover("plan", "staging");

    assertThat(r.exit()).isEqualTo(1);
    assertThat(r.err()).contains("unknown environment 'staging'").contains("prod");
  }

  @Test
  void unknownBackupId_exit3ListingAvailable() {
    String id = backup("good");

    CliProcess.Result r =
        dbrecover("restore", "prod", "--from", "backup-20200101-000000", "--force");

    assertThat(r.exit()).as(r.all()).isEqualTo(3);
    assertThat(r.err()).contains("backup-20200101-000000").contains(id);
  }

  @Test
  void noBackups_exit2() {
    CliProcess.Result r = dbrecover("rollback", "prod", "--force");

    assertThat(r.exit()).as(r.all()).isEqualTo(2);
    assertThat(r.err()).contains("no recovery point");
  }

  @Test
  void badConfig_exit1NamingFileLineAndKey() throws Exception {
    writeConfig("stric");

    CliProcess.Result r = dbrecover("plan", "prod");

    assertThat(r.exit()).isEqualTo(1);
    assertThat(r.err()).contains("dbrecover.yaml:4").contains("protection").contains("stric");
  }

  @Test
  void outputJson_listBackupsIsParseableJson() throws Exception {
    String id = backup("good");

    CliProcess.Result r = dbrecover("list-backups", "prod", "--output", "json");

    assertThat(r.exit()).isZero();
    assertThat(
            new com.fasterxml.jackson.databind.ObjectMapper()
                .readTree(r.out())
                .get(0)
                .get("id")
                .asText())
        .isEqualTo(id);
  }

  @Test
  void restoreInPlace_replacesOriginalAfterVerifiedSafetyBackup() throws Exception {
    long goodTotal = single(db, "select sum(total_cents) from orders");
    String id = backup("good");
    breakTheDatabase();
    long brokenTotal = single(db, "select sum(total_cents) from orders");

    CliProcess.Result r = dbrecover("restore", "prod", "--from", id, "--in-place", "--force");

    assertThat(r.exit()).as(r.all()).isZero();
    assertThat(single(db, "select sum(total_cents) from orders")).isEqualTo(goodTotal);
    assertThat(urlInDotenv().database()).as("in place keeps DATABASE_URL").isEqualTo(db.database());
    CliProcess.Result list = dbrecover("list-backups", "prod", "--output", "json");
    com.fasterxml.jackson.databind.JsonNode safety = null;
    for (com.fasterxml.jackson.databind.JsonNode b :
        new com.fasterxml.jackson.databind.ObjectMapper().readTree(list.out())) {
      if (b.get("safety").asBoolean()) {
        safety = b;
      }
    }
    assertThat(safety).as("a safety backup of the broken original exists").isNotNull();
    assertThat(r.out()).contains(safety.get("id").asText());
    String safetyRestore =
        dbrecover("restore", "prod", "--from", safety.get("id").asText(), "--in-place", "--force")
            .all();
    assertThat(single(db, "select sum(total_cents) from orders"))
        .as(safetyRestore)
        .isEqualTo(brokenTotal);
  }

  @Test
  void rollback_failingSmokeQuery_exit5AndNoSwap() throws Exception {
    backup("good");
    breakTheDatabase();

    CliProcess.Result r =
        dbrecover(
            "rollback", "prod", "--force", "--verify", "select * from table_that_does_not_exist");

    assertThat(r.exit()).as(r.all()).isEqualTo(5);
    assertThat(r.err()).contains("failed verification").contains("DATABASE_URL was not changed");
    assertThat(urlInDotenv().database()).isEqualTo(db.database());
    assertThat(r.out()).contains("status: **FAILED**").contains("**FAIL**");
    CliProcess.Result report = dbrecover("report", runId(r.all()));
    assertThat(report.exit()).as(report.all()).isZero();
    assertThat(report.out())
        .contains("status: **FAILED** (VERIFICATION_FAILED: ")
        .contains("DATABASE_URL: not changed");
  }

  @Test
  void report_unknownOrMalformedRunId_exit1SayingWhereToLook() {
    CliProcess.Result unknown = dbrecover("report", "run-20250101-000000-abcd");
    assertThat(unknown.exit()).as(unknown.all()).isEqualTo(1);
    assertThat(unknown.err()).contains("no run 'run-20250101-000000-abcd'").contains("status");
    CliProcess.Result malformed = dbrecover("report", "yesterday");
    assertThat(malformed.exit()).as(malformed.all()).isEqualTo(1);
    assertThat(malformed.err()).contains("'yesterday' is not a run id");
  }

  @Test
  void prune_keepsNewestAndDeletesExpired() throws Exception {
    Files.writeString(
        work.resolve("dbrecover.yaml"),
        Files.readString(work.resolve("dbrecover.yaml"))
            + "    retention: { keep-last: 1, max-age: 0s, safety-max-age: 90d }\n");
    String older = backup("first");
    String newer = backup("second");

    CliProcess.Result dry = dbrecover("prune", "prod", "--dry-run");
    assertThat(dry.exit()).as(dry.all()).isZero();
    assertThat(dry.out()).contains("Would delete: " + older);
    assertThat(dbrecover("list-backups", "prod").out()).contains(older);

    CliProcess.Result r = dbrecover("prune", "prod");

    assertThat(r.exit()).as(r.all()).isZero();
    assertThat(r.out()).contains("Deleted: " + older);
    assertThat(dbrecover("list-backups", "prod").out()).contains(newer).doesNotContain(older);
    assertThat(work.resolve("backups").resolve(older)).doesNotExist();
  }

  @Test
  void planAppIncident_noDatabaseActionExit0() {
    backup("good");

    CliProcess.Result r = dbrecover("plan", "prod", "--incident", "app");

    assertThat(r.exit()).as(r.all()).isZero();
    assertThat(r.out()).contains("no database action").contains("roll back the application");
  }

  @Test
  void outputJson_everyReadCommandPrintsOneJsonDocument() throws Exception {
    String id = backup("good");
    com.fasterxml.jackson.databind.ObjectMapper json =
        new com.fasterxml.jackson.databind.ObjectMapper();

    for (String[] args :
        List.of(
            new String[] {"status", "prod"},
            new String[] {"plan", "prod"},
            new String[] {"list-backups", "prod"},
            new String[] {"verify-backup", "prod", id},
            new String[] {"prune", "prod", "--dry-run"},
            new String[] {"rollback", "prod", "--dry-run"},
            new String[] {"backup", "prod"})) {
      List<String> withJson = new ArrayList<>(List.of(args));
      withJson.add("--output=json");
      CliProcess.Result r = dbrecover(withJson.toArray(String[]::new));
      assertThat(r.exit()).as(String.join(" ", args) + ": " + r.all()).isZero();
      assertThat(json.readTree(r.out()).isContainerNode()).as(r.out()).isTrue();
    }
  }

  static String contentHash(DbUrl url) throws SQLException {
    StringBuilder sb = new StringBuilder();
    try (Connection c = DrillCommand.connect(url);
        Statement st = c.createStatement()) {
      List<String> tables = new ArrayList<>();
      try (ResultSet rs =
          st.executeQuery(
              "select quote_ident(table_schema) || '.' || quote_ident(table_name) from information_schema.tables"
                  + " where table_schema = 'public' and table_type = 'BASE TABLE' order by 1")) {
        while (rs.next()) {
          tables.add(rs.getString(1));
        }
      }
      for (String t : tables) {
        try (ResultSet rs =
            st.executeQuery(
                "select md5(coalesce(string_agg(x::text, '|' order by x::text), '')) from "
                    + t
                    + " x")) {
          rs.next();
          sb.append(t).append('=').append(rs.getString(1)).append(';');
        }
      }
    }
    return sb.toString();
  }
}

package io.dbrecover.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.dbrecover.engine.api.DbUrl;
import io.dbrecover.postgres.testing.TestPostgres;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.Statement;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A run killed in the middle of its restore resumes from its journal and ends as if uninterrupted.
 */
class ResumeIT {
  @TempDir Path work;

  @Test
  void resume_afterKillMidRestore_endsInSameStateAsUninterruptedRun() throws Exception {
    DbUrl db = TestPostgres.freshDatabase();
    try (Connection c = DrillCommand.connect(db)) {
      SampleApp.install(c, 300_000);
    }
    Files.writeString(
        work.resolve("dbrecover.yaml"),
        "environments:\n  prod:\n    protection: none\n    database: { provider: postgres, url: '${APP_DB_URL}' }\n"
            + "    backup-store: backups\n    url-target: { type: dotenv, path: app.env }\n    jobs: 2\n");
    Files.writeString(work.resolve("app.env"), "DATABASE_URL=" + db.toSecretUri().reveal() + "\n");
    CliProcess cli = new CliProcess(work).env("APP_DB_URL", db.toSecretUri().reveal());
    assertThat(cli.run("backup", "prod").exit()).isZero();
    String atBackup = CliIT.contentHash(db);
    try (Connection c = DrillCommand.connect(db);
        Statement st = c.createStatement()) {
      st.execute("update orders set total_cents = 0 where id % 3 = 0");
    }

    Process first = cli.start("rollback", "prod", "--force");
    CliProcess.drain(first.getInputStream());
    CliProcess.drain(first.getErrorStream());
    Path journal = waitForRestoreToStart(work.resolve(".dbrecover/runs"));
    Thread.sleep(700);
    first.destroyForcibly().waitFor();
    String atKill = Files.readString(journal);
    assertThat(atKill).contains("\"step\":\"START_RESTORE\",\"status\":\"started\"");
    assertThat(atKill).doesNotContain("\"step\":\"START_RESTORE\",\"status\":\"done\"");
    String runId = journal.getParent().getFileName().toString();

    CliProcess.Result resumed = cli.run("resume", runId);

    assertThat(resumed.exit()).as(resumed.all()).isZero();
    assertThat(resumed.out()).contains("status: **DONE**");
    String line = Files.readAllLines(work.resolve("app.env")).get(0);
    DbUrl swapped = DbUrl.parse(line.substring("DATABASE_URL=".length()));
    assertThat(swapped.database()).startsWith(db.database() + "_rb_");
    assertThat(CliIT.contentHash(swapped)).isEqualTo(atBackup);
    assertThat(Files.readString(journal)).contains("\"step\":\"REPORT\",\"status\":\"done\"");
  }

  private static Path waitForRestoreToStart(Path runs) throws Exception {
    Pattern started = Pattern.compile("\"step\":\"START_RESTORE\",\"status\":\"started\"");
    long deadline = System.currentTimeMillis() + 120_000;
    while (System.currentTimeMillis() < deadline) {
      if (Files.isDirectory(runs)) {
        try (Stream<Path> dirs = Files.list(runs)) {
          for (Path dir : dirs.toList()) {
            Path journal = dir.resolve("journal.jsonl");
            if (Files.exists(journal)) {
              Matcher m = started.matcher(Files.readString(journal));
              if (m.find()) {
                return journal;
              }
            }
          }
        }
      }
      Thread.sleep(50);
    }
    throw new AssertionError("the restore never started");
  }
}

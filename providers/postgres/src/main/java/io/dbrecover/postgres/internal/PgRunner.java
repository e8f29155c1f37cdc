package io.dbrecover.postgres.internal;

import io.dbrecover.engine.api.DbUrl;
import io.dbrecover.engine.api.Secret;
import io.dbrecover.engine.spi.Progress;
import io.dbrecover.postgres.PgTools;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Runs pg_dump and pg_restore against a {@link DbUrl}. The password goes to the child's {@code
 * PGPASSWORD} only, never onto the command line; stderr comes back redacted.
 */
public final class PgRunner {
  private static final Duration TIMEOUT = Duration.ofHours(12);

  /**
   * Session settings for pg_restore into a database nobody uses yet: index builds sort in memory
   * instead of spilling to disk, and commits do not wait for the WAL flush (a crash mid-restore
   * only means the restore is redone; the result is verified before anything points to it).
   */
  static final String RESTORE_SETTINGS = "-c maintenance_work_mem=512MB -c synchronous_commit=off";

  private PgRunner() {}

  /** {@code pg_dump -Fd -j N} of {@code source} into {@code out} (which must not exist). */
  public static Exec.Result dump(
      PgTools.Installation tools,
      DbUrl source,
      Path out,
      int jobs,
      String snapshot,
      Progress progress) {
    List<String> cmd = new ArrayList<>();
    cmd.add(tools.pgDump().toString());
    cmd.addAll(List.of("-Fd", "-j", Integer.toString(jobs), "-f", out.toString(), "--no-password"));
    if (snapshot != null) {
      cmd.add("--snapshot=" + snapshot);
    }
    cmd.addAll(connection(source));
    return scrubbed(Exec.run(cmd, env(source), TIMEOUT, progress), source);
  }

  /**
   * {@code pg_restore -j N --exit-on-error} of {@code dump} into the database of {@code target}.
   */
  public static Exec.Result restore(
      PgTools.Installation tools, DbUrl target, Path dump, int jobs, Progress progress) {
    List<String> cmd = new ArrayList<>();
    cmd.add(tools.pgRestore().toString());
    cmd.addAll(List.of("-j", Integer.toString(jobs), "--exit-on-error", "--no-password"));
    cmd.addAll(connection(target));
    cmd.add(dump.toString());
    Map<String, String> env = env(target);
    env.put(
        "PGOPTIONS",
        (System.getenv().getOrDefault("PGOPTIONS", "") + " " + RESTORE_SETTINGS).strip());
    return scrubbed(Exec.run(cmd, env, TIMEOUT, progress), target);
  }

  /** {@code pg_restore --list}: reads the archive's table of contents without a server. */
  public static Exec.Result list(PgTools.Installation tools, Path dump) {
    return Exec.run(
        List.of(tools.pgRestore().toString(), "--list", dump.toString()),
        Map.of(),
        Duration.ofMinutes(5));
  }

  private static List<String> connection(DbUrl url) {
    List<String> args =
        new ArrayList<>(List.of("-h", url.host(), "-p", Integer.toString(url.port())));
    url.user().ifPresent(u -> args.addAll(List.of("-U", u)));
    args.addAll(List.of("-d", url.database()));
    return args;
  }

  private static Map<String, String> env(DbUrl url) {
    Map<String, String> env = new HashMap<>();
    url.password().map(Secret::reveal).ifPresent(p -> env.put("PGPASSWORD", p));
    String sslmode = url.params().get("sslmode");
    if (sslmode != null) {
      env.put("PGSSLMODE", sslmode);
    }
    env.put("PGAPPNAME", "dbrecover");
    env.put("PGCONNECT_TIMEOUT", "30");
    return env;
  }

  private static Exec.Result scrubbed(Exec.Result r, DbUrl url) {
    String pw = url.password().map(Secret::reveal).orElse("");
    return pw.isEmpty()
        ? r
        : new Exec.Result(r.exitCode(), r.stdout(), r.stderr().replace(pw, "****"));
  }
}

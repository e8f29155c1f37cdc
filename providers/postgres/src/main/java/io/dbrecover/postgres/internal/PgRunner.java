package io.dbrecover.postgres.internal;

import io.dbrecover.engine.api.DbUrl;
import io.dbrecover.engine.api.Secret;
import io.dbrecover.engine.api.Trace;
import io.dbrecover.engine.spi.Progress;
import io.dbrecover.postgres.PgTools;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.function.BooleanSupplier;
import java.util.regex.Pattern;

/**
 * Runs pg_dump and pg_restore against a {@link DbUrl}. The password goes to the child's {@code
 * PGPASSWORD} only, never onto the command line; stderr comes back redacted.
 */
public final class PgRunner {
  private static final Duration TIMEOUT = Duration.ofHours(12);

  /**
   * Session settings for pg_restore into a database nobody uses yet: commits do not wait for the
   * WAL flush (a crash mid-restore only means the restore is redone; the result is verified before
   * anything points to it). Index builds keep the server's {@code maintenance_work_mem}: 512 MB
   * instead of the default 64 MB made the primary key of 15 million pgbench rows 0.5-0.7 s slower
   * and random bigint and text keys no faster (bench/README), and each of the restore's jobs may
   * build an index at once.
   */
  static final String RESTORE_SETTINGS = "-c synchronous_commit=off";

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
    Trace.mark("pg_dump starts");
    Exec.Result r = Exec.run(cmd, env(source), TIMEOUT, progress);
    Trace.mark("pg_dump finished (exit " + r.exitCode() + ")");
    return scrubbed(r, source);
  }

  /**
   * Starts reading the archive's table of contents ({@link RestoreItems}) on another thread, so
   * that it overlaps creating the target database and pg_restore's start instead of preceding them.
   */
  static CompletableFuture<RestoreItems> itemsSoon(PgTools.Installation tools, Path dump) {
    CompletableFuture<RestoreItems> items = new CompletableFuture<>();
    Thread t =
        new Thread(
            () -> {
              try (Trace.Span s = Trace.span("pg_restore --list")) {
                Exec.Result list = list(tools, dump);
                items.complete(list.ok() ? RestoreItems.parse(list.stdout()) : RestoreItems.none());
              } catch (RuntimeException e) {
                items.complete(RestoreItems.none()); // tables are then read after the restore
              }
            },
            "dbrecover-pg-restore-list");
    t.setDaemon(true);
    t.start();
    return items;
  }

  /**
   * {@code pg_restore -j N --exit-on-error} of {@code dump} into the database of {@code target}.
   * Runs it verbose to tell {@link Progress#tableLoaded} as each table can be read beside it and
   * {@link Progress#heavyWorkDone} when its heavy work is over (see {@link RestoreItems}, from
   * {@link #itemsSoon}); the result's stderr keeps only errors, warnings and their details. Stops
   * pg_restore and its workers as soon as {@code stop} turns true (null: never); the result then
   * has exit code -1.
   */
  static Exec.Result restore(
      PgTools.Installation tools,
      DbUrl target,
      Path dump,
      int jobs,
      Progress progress,
      BooleanSupplier stop,
      CompletableFuture<RestoreItems> items) {
    Trace.mark("pg_restore starts");
    List<String> cmd = new ArrayList<>();
    cmd.add(tools.pgRestore().toString());
    cmd.addAll(List.of("-v", "-j", Integer.toString(jobs), "--exit-on-error", "--no-password"));
    cmd.addAll(connection(target));
    cmd.add(dump.toString());
    Map<String, String> env = env(target);
    env.put(
        "PGOPTIONS",
        (System.getenv().getOrDefault("PGOPTIONS", "") + " " + RESTORE_SETTINGS).strip());
    StringBuilder problems = new StringBuilder();
    Exec.Result r =
        Exec.run(
            cmd,
            env,
            TIMEOUT,
            progress,
            line -> {
              if (line.startsWith("pg_restore: finished item ")) {
                RestoreItems.Change change = items.join().follow(line);
                if (change.heavyWorkDone()) {
                  Trace.mark("pg_restore: heavy work done");
                  progress.heavyWorkDone(target);
                }
                for (String table : change.readable()) {
                  Trace.mark("pg_restore: " + table + " readable");
                  progress.tableLoaded(target, table);
                }
              } else if (isProblem(line)) {
                problems.append(line).append('\n');
              }
            },
            stop);
    Trace.mark("pg_restore finished (exit " + r.exitCode() + ")");
    if (r.exitCode() == -1) {
      // stopped or timed out: Exec's own last line says which
      String why = r.stderr();
      problems.append(why.substring(why.lastIndexOf('\n') + 1));
    }
    return scrubbed(
        new Exec.Result(r.exitCode(), r.stdout(), Exec.tail(problems.toString())), target);
  }

  // What the message keeps of pg_restore's stderr: errors, warnings and their details, hints and
  // failing commands. Everything else is verbose progress, whose lines the parallel workers may
  // also write into each other ("pg_restore:pg_restore:  processing data ..."), so it is not
  // recognised by its prefix.
  private static final Pattern PROBLEM_LINE =
      Pattern.compile(
          "(error|warning|detail|hint|fatal|context):|Command was:|^LINE \\d+:",
          Pattern.CASE_INSENSITIVE);

  /** Whether a line of pg_restore's stderr belongs in an error message (see PROBLEM_LINE). */
  static boolean isProblem(String line) {
    return PROBLEM_LINE.matcher(line).find();
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
    return new Exec.Result(r.exitCode(), r.stdout(), url.scrub(r.stderr()));
  }
}

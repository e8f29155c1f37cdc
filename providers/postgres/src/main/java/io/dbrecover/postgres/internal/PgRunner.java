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
import java.util.regex.Matcher;
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
   * Starts reading the archive's table data items ({@link #tableData}) on another thread, so that
   * it overlaps creating the target database and pg_restore's start instead of preceding them.
   */
  public static CompletableFuture<Map<Integer, String>> tableDataSoon(
      PgTools.Installation tools, Path dump) {
    CompletableFuture<Map<Integer, String>> tables = new CompletableFuture<>();
    Thread t =
        new Thread(
            () -> {
              try (Trace.Span s = Trace.span("pg_restore --list")) {
                tables.complete(tableData(tools, dump));
              } catch (RuntimeException e) {
                tables.complete(Map.of()); // tables are then read after the restore instead
              }
            },
            "dbrecover-pg-restore-list");
    t.setDaemon(true);
    t.start();
    return tables;
  }

  /**
   * {@code pg_restore -j N --exit-on-error} of {@code dump} into the database of {@code target}.
   * Runs it verbose to tell {@link Progress#tableLoaded} as each table's rows are complete (their
   * names from {@code tableData}, see {@link #tableDataSoon}); the result's stderr keeps only
   * errors, warnings and their details. Stops pg_restore and its workers as soon as {@code stop}
   * turns true (null: never); the result then has exit code -1.
   */
  public static Exec.Result restore(
      PgTools.Installation tools,
      DbUrl target,
      Path dump,
      int jobs,
      Progress progress,
      BooleanSupplier stop,
      CompletableFuture<Map<Integer, String>> tableData) {
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
              Matcher finished = FINISHED_TABLE_DATA.matcher(line);
              if (finished.matches()) {
                String table = tableData.join().get(Integer.parseInt(finished.group(1)));
                if (table != null) {
                  Trace.mark("pg_restore: rows of " + table + " complete");
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

  // "pg_restore: finished item 3358 TABLE DATA accounts", printed by -v with -j 2 or more
  private static final Pattern FINISHED_TABLE_DATA =
      Pattern.compile("pg_restore: finished item (\\d+) TABLE DATA .*");
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

  // "3358; 0 16391 TABLE DATA public accounts owner" in pg_restore --list
  private static final Pattern LIST_TABLE_DATA =
      Pattern.compile("(\\d+); \\d+ \\d+ TABLE DATA (\\S+) (\\S+) \\S+");

  /**
   * The archive's table data items by dump id, as {@code schema.table}. Names with spaces are
   * ambiguous in the listing and left out (those tables are read after the restore instead).
   */
  private static Map<Integer, String> tableData(PgTools.Installation tools, Path dump) {
    Map<Integer, String> tables = new HashMap<>();
    Exec.Result list = list(tools, dump);
    if (list.ok()) {
      for (String line : list.stdout().split("\n")) {
        Matcher m = LIST_TABLE_DATA.matcher(line);
        if (m.matches()) {
          tables.put(Integer.parseInt(m.group(1)), m.group(2) + "." + m.group(3));
        }
      }
    }
    return tables;
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

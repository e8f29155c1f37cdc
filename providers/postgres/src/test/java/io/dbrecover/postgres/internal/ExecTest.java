package io.dbrecover.postgres.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ExecTest {

  @Test
  void run_failingCommand_exitCodeStdoutAndStderrLinesAsWritten() {
    List<String> lines = new ArrayList<>();

    Exec.Result r =
        Exec.run(
            List.of("sh", "-c", "echo out; echo first >&2; echo second >&2; exit 3"),
            Map.of(),
            Duration.ofSeconds(30),
            io.dbrecover.engine.spi.Progress.NONE,
            lines::add);

    assertThat(r.exitCode()).isEqualTo(3);
    assertThat(r.ok()).isFalse();
    assertThat(r.stdout()).isEqualTo("out\n");
    assertThat(r.stderr()).isEqualTo("first\nsecond");
    assertThat(lines).containsExactly("first", "second");
  }

  @Test
  void run_whileTheChildRuns_itsOutputFilesHaveNoNameLeftToLeaveBehind() {
    Exec.Result r =
        Exec.run(
            List.of("sh", "-c", "sleep 0.5; readlink /proc/$$/fd/1; readlink /proc/$$/fd/2"),
            Map.of(),
            Duration.ofSeconds(30));

    assertThat(r.ok()).as(r.stderr()).isTrue();
    assertThat(r.stdout().lines())
        .hasSize(2)
        .allSatisfy(l -> assertThat(l).contains("dbrecover-").endsWith("(deleted)"));
  }

  @Test
  void background_runsTheCommandAtTheLowestPriority() {
    // field 19 of /proc/<pid>/stat, the 17th after the parenthesised name, is the nice value
    Exec.Result r =
        Exec.run(
            Exec.background(List.of("sh", "-c", "cut -d')' -f2 /proc/$$/stat")),
            Map.of(),
            Duration.ofSeconds(30));
    Exec.Result plain =
        Exec.run(
            List.of("sh", "-c", "cut -d')' -f2 /proc/$$/stat"), Map.of(), Duration.ofSeconds(30));

    assertThat(r.ok()).as(r.stderr()).isTrue();
    assertThat(r.stdout().strip().split(" ")[16]).isEqualTo("19");
    assertThat(plain.stdout().strip().split(" ")[16]).isNotEqualTo("19");
    if (java.nio.file.Files.exists(java.nio.file.Path.of("/proc/self/autogroup"))) {
      // scheduled by session: its own session, whose group is at nice 19 as well
      Exec.Result group =
          Exec.run(
              Exec.background(List.of("cat", "/proc/self/autogroup")),
              Map.of(),
              Duration.ofSeconds(30));
      assertThat(group.stdout()).contains("nice 19");
    }
  }

  @Test
  void run_overTimeout_killedAndSaysSo() {
    Exec.Result r = Exec.run(List.of("sleep", "30"), Map.of(), Duration.ofMillis(300));

    assertThat(r.exitCode()).isEqualTo(-1);
    assertThat(r.stderr()).contains("(killed after 0s)");
  }

  @Test
  void run_stopConditionTurnsTrue_stopsTheProcessAndItsChildrenAtOnce() throws Exception {
    java.nio.file.Path pidFile = java.nio.file.Files.createTempFile("exec-test", ".pid");
    long started = System.nanoTime();

    Exec.Result r =
        Exec.run(
            List.of("sh", "-c", "sleep 30 & echo $! > " + pidFile + "; wait"),
            Map.of(),
            Duration.ofSeconds(60),
            io.dbrecover.engine.spi.Progress.NONE,
            null,
            () -> System.nanoTime() - started > Duration.ofMillis(300).toNanos());

    assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofSeconds(10));
    assertThat(r.exitCode()).isEqualTo(-1);
    assertThat(r.stderr()).contains("(stopped)");
    long child = Long.parseLong(java.nio.file.Files.readString(pidFile).strip());
    java.nio.file.Files.delete(pidFile);
    // the child of the stopped process went with it (it would otherwise sleep on for 30 s)
    java.util.Optional<ProcessHandle> left = ProcessHandle.of(child);
    if (left.isPresent()) {
      left.get().onExit().get(5, java.util.concurrent.TimeUnit.SECONDS);
    }
  }
}

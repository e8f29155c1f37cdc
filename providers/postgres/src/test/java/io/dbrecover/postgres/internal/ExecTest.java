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
  void run_overTimeout_killedAndSaysSo() {
    Exec.Result r = Exec.run(List.of("sleep", "30"), Map.of(), Duration.ofMillis(300));

    assertThat(r.exitCode()).isEqualTo(-1);
    assertThat(r.stderr()).contains("(killed after 0s)");
  }
}

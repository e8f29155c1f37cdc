package io.dbrecover.engine.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import org.junit.jupiter.api.Test;

class RunIdsTest {
  @Test
  void next_formatsUtcTimeAndRandomSuffix() {
    String id = RunIds.next(Instant.parse("2026-11-27T21:45:01Z"));

    assertThat(id).matches("run-20261127-214501-[0-9a-f]{4}");
    assertThat(RunIds.isRunId(id)).isTrue();
  }

  @Test
  void shortId_fitsDatabaseNames() {
    assertThat(RunIds.shortId("run-20261127-214501-3f9a")).isEqualTo("1127_2145_3f9a");
  }

  @Test
  void isRunId_rejectsOtherStrings() {
    assertThat(RunIds.isRunId("backup-20261127-214501")).isFalse();
    assertThat(RunIds.isRunId("run-2026-1")).isFalse();
  }
}

package io.dbrecover.postgres.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

class BackupIdsTest {
  private static final Instant T = Instant.parse("2026-03-04T05:06:07.890Z");

  @Test
  void next_noLabel_formatsUtcSecond() {
    assertThat(BackupIds.next(T, null, List.of())).isEqualTo("backup-20260304-050607");
  }

  @Test
  void next_label_isAppended() {
    assertThat(BackupIds.next(T, "pre-deploy", List.of()))
        .isEqualTo("backup-20260304-050607-pre-deploy");
  }

  @Test
  void next_secondTakenWithOtherLabel_bumpsOneSecond() {
    assertThat(BackupIds.next(T, "b", List.of("backup-20260304-050607-a")))
        .isEqualTo("backup-20260304-050608-b");
  }

  @Test
  void valid_pathTraversal_isRejected() {
    assertThat(BackupIds.valid("../etc")).isFalse();
    assertThat(BackupIds.valid("backup-20260304-050607-x/../../y")).isFalse();
    assertThat(BackupIds.valid("backup-20260304-050607-x")).isTrue();
  }
}

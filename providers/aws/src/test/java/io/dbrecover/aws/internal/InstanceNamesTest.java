package io.dbrecover.aws.internal;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class InstanceNamesTest {
  @Test
  void restored_runId_appendsTheRunsDateTimeAndSuffix() {
    assertThat(InstanceNames.restored("orders", "run-20250115-104000-ab12"))
        .isEqualTo("orders-rb-0115-1040-ab12");
  }

  @Test
  void restored_longSource_isShortenedToFit63WithoutTrailingHyphen() {
    String source = "a".repeat(40) + "-" + "b".repeat(30);

    String name = InstanceNames.restored(source, "run-20250115-104000-ab12");

    assertThat(name).hasSizeLessThanOrEqualTo(63).endsWith("-rb-0115-1040-ab12");
    assertThat(InstanceNames.isValid(name)).isTrue();
  }

  @Test
  void restored_shorteningAtAHyphen_leavesNoDoubleHyphen() {
    String source = "a".repeat(44) + "-bbbb";

    String name = InstanceNames.restored(source, "run-20250115-104000-ab12");

    assertThat(name).doesNotContain("--");
    assertThat(InstanceNames.isValid(name)).isTrue();
  }

  @Test
  void restored_otherRunIds_areSanitized() {
    String name = InstanceNames.restored("Orders_DB", "Test__Run.1");

    assertThat(name).isEqualTo("orders-db-rb-test-run-1");
    assertThat(InstanceNames.isValid(name)).isTrue();
  }

  @Test
  void isValid_rejectsWhatRdsRejects() {
    assertThat(InstanceNames.isValid("1orders")).isFalse();
    assertThat(InstanceNames.isValid("orders-")).isFalse();
    assertThat(InstanceNames.isValid("or--ders")).isFalse();
    assertThat(InstanceNames.isValid("a".repeat(64))).isFalse();
    assertThat(InstanceNames.isValid("orders-2")).isTrue();
  }

  @Test
  void snapshot_operatorBackup_isInstanceTimeAndLabel() {
    assertThat(
            InstanceNames.snapshot(
                "orders", null, java.time.Instant.parse("2025-01-15T10:45:00Z"), "Pre_deploy.42"))
        .isEqualTo("orders-dbr-20250115-104500-pre-deploy-42");
  }

  @Test
  void snapshot_safetyCopy_isDerivedFromTheRunOnly() {
    assertThat(
            InstanceNames.snapshot(
                "orders", "run-20250115-104000-ab12", java.time.Instant.EPOCH, "ignored"))
        .isEqualTo("orders-dbr-safety-0115-1040-ab12");
  }
}

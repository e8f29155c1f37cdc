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
}

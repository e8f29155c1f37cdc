package io.dbrecover.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.dbrecover.engine.api.DbRecoverException;
import io.dbrecover.engine.api.ErrorCode;
import org.junit.jupiter.api.Test;

class DrillProofTest {
  @Test
  void requirePassed_allChecksPass_returnsAndRendersPass() {
    DrillProof proof =
        new DrillProof("Point-in-time proof").check("rows before", 5, 5L).check("rows after", 0, 0);

    proof.requirePassed();

    assertThat(proof.passed()).isTrue();
    assertThat(proof.render())
        .contains("## Point-in-time proof")
        .contains("| rows before | 5 | 5 | pass |")
        .doesNotContain("FAIL");
  }

  @Test
  void requirePassed_aCheckFails_exit5NamingEachFailedCheck() {
    DrillProof proof =
        new DrillProof("Point-in-time proof")
            .check("rows before", 5, 5)
            .check("rows after", 0, 3)
            .check("corrupted rows", "12 rows, md5 ab", "12 rows, md5 cd");

    assertThat(proof.render()).contains("| rows after | 0 | 3 | FAIL |");
    assertThatThrownBy(proof::requirePassed)
        .isInstanceOf(DbRecoverException.class)
        .hasMessage(
            "drill (Point-in-time proof) failed: rows after: expected 0, got 3; corrupted rows:"
                + " expected 12 rows, md5 ab, got 12 rows, md5 cd")
        .extracting(e -> ((DbRecoverException) e).code())
        .isEqualTo(ErrorCode.VERIFICATION_FAILED);
  }
}

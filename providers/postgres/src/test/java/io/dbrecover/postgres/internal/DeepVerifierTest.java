package io.dbrecover.postgres.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import org.junit.jupiter.api.Test;

class DeepVerifierTest {
  @Test
  void rowCounts_mismatch_namesTableWithBothCounts() {
    assertThat(DeepVerifier.rowCounts(Map.of("public.a", 3L), Map.of("public.a", 2L)).detail())
        .isEqualTo("public.a: expected 3 rows, restored 2 rows");
  }

  @Test
  void rowCounts_tableMissingFromRestore_fails() {
    assertThat(DeepVerifier.rowCounts(Map.of("public.a", 3L), Map.of()).passed()).isFalse();
  }
}

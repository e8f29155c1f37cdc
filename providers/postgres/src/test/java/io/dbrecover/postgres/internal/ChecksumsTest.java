package io.dbrecover.postgres.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import org.junit.jupiter.api.Test;

class ChecksumsTest {
  @Test
  void firstDifference_equal_isEmpty() {
    assertThat(Checksums.firstDifference(Map.of("dump/a", "1"), Map.of("dump/a", "1"))).isEmpty();
  }

  @Test
  void firstDifference_changedFile_namesIt() {
    assertThat(
            Checksums.firstDifference(
                Map.of("dump/a", "1", "dump/b", "2"), Map.of("dump/a", "1", "dump/b", "X")))
        .hasValueSatisfying(d -> assertThat(d).startsWith("dump/b has a different sha256"));
  }

  @Test
  void firstDifference_missingFile_namesIt() {
    assertThat(Checksums.firstDifference(Map.of("dump/a", "1"), Map.of()))
        .hasValue("dump/a is missing");
  }

  @Test
  void firstDifference_extraFile_namesIt() {
    assertThat(Checksums.firstDifference(Map.of(), Map.of("dump/x", "1")))
        .hasValueSatisfying(d -> assertThat(d).startsWith("dump/x is not part of the backup"));
  }
}

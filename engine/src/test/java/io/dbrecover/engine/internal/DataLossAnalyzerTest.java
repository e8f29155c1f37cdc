package io.dbrecover.engine.internal;

import static org.assertj.core.api.Assertions.assertThat;

import io.dbrecover.engine.api.DataLossReport;
import io.dbrecover.engine.api.DataLossReport.Table;
import java.util.Map;
import org.junit.jupiter.api.Test;

class DataLossAnalyzerTest {
  private final DataLossAnalyzer analyzer = new DataLossAnalyzer();

  @Test
  void estimate_tableGrewSinceBackup_losesTheNewRows() {
    DataLossReport r = analyzer.estimate(Map.of("public.users", 10L), Map.of("public.users", 13L));

    assertThat(r.estimate()).isTrue();
    assertThat(r.tables()).containsExactly(new Table("public.users", false, 13, 10, 3, 0, 0));
  }

  @Test
  void estimate_tableShrankSinceBackup_losesNothingAndAddsTheDifference() {
    DataLossReport r = analyzer.estimate(Map.of("public.users", 10L), Map.of("public.users", 4L));

    assertThat(r.tables()).containsExactly(new Table("public.users", false, 4, 10, 0, 0, 6));
    assertThat(r.losesData()).isFalse();
  }

  @Test
  void estimate_tableCreatedSinceBackup_losesAllItsRows() {
    DataLossReport r = analyzer.estimate(Map.of(), Map.of("public.audit", 7L));

    assertThat(r.tables()).containsExactly(new Table("public.audit", false, 7, -1, 7, 0, 0));
    assertThat(r.losesData()).isTrue();
  }

  @Test
  void estimate_tableDroppedSinceBackup_comesBackAsAdded() {
    DataLossReport r = analyzer.estimate(Map.of("public.old", 5L), Map.of());

    assertThat(r.tables()).containsExactly(new Table("public.old", false, -1, 5, 0, 0, 5));
  }

  @Test
  void estimate_severalTables_sortedByName() {
    DataLossReport r =
        analyzer.estimate(
            Map.of("public.b", 1L, "public.a", 1L), Map.of("public.c", 1L, "public.a", 1L));

    assertThat(r.tables())
        .extracting(Table::name)
        .containsExactly("public.a", "public.b", "public.c");
  }
}

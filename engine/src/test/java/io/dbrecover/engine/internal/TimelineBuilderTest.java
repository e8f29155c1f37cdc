package io.dbrecover.engine.internal;

import static org.assertj.core.api.Assertions.assertThat;

import io.dbrecover.engine.api.EnvironmentStatus;
import io.dbrecover.engine.api.MigrationState;
import io.dbrecover.engine.api.RecoveryPoint;
import io.dbrecover.engine.api.RestoreWindow;
import io.dbrecover.engine.api.Timeline;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

class TimelineBuilderTest {
  private static Instant t(String s) {
    return Instant.parse("2025-06-10T" + s + "Z");
  }

  @Test
  void build_everything_oneListInTimeOrder() {
    RestoreWindow window = new RestoreWindow(t("01:00:00"), t("11:00:00"));
    List<RecoveryPoint> points =
        List.of(
            point("backup-b", RecoveryPoint.Kind.LOGICAL_BACKUP, t("09:00:00"), false),
            point("base-a", RecoveryPoint.Kind.BASE_BACKUP, t("01:00:00"), false),
            point("safety-c", RecoveryPoint.Kind.LOGICAL_BACKUP, t("10:30:00"), true));
    MigrationState migrations =
        new MigrationState(
            "prisma",
            List.of(
                new MigrationState.Applied("20250610_init", t("00:30:00")),
                new MigrationState.Applied("20250610_orders", t("10:00:00"))));
    List<EnvironmentStatus.RunSummary> runs =
        List.of(
            new EnvironmentStatus.RunSummary(
                "run-20250610-103000-abcd",
                t("10:30:00"),
                "point-in-time restore",
                t("09:59:59.999999"),
                "done",
                "report done"));

    Timeline tl = TimelineBuilder.build("prod", window, points, migrations, runs, List.of());

    assertThat(tl.entries())
        .extracting(e -> e.at() + " " + e.kind().label() + " " + e.name())
        .containsExactly(
            t("00:30:00") + " migration 20250610_init",
            t("01:00:00") + " window start earliest restorable",
            t("01:00:00") + " base backup base-a",
            t("09:00:00") + " backup backup-b",
            t("10:00:00") + " migration 20250610_orders",
            t("10:30:00") + " safety backup safety-c",
            t("10:30:00") + " run run-20250610-103000-abcd",
            t("11:00:00") + " window end latest restorable");
    assertThat(tl.entries().get(6).detail())
        .isEqualTo("point-in-time restore to 2025-06-10T09:59:59.999999Z, done");
    assertThat(tl.notes()).isEmpty();
  }

  @Test
  void build_noWindowAndUndatedMigrations_leavesThemOutWithANote() {
    MigrationState migrations =
        new MigrationState("sql", List.of(new MigrationState.Applied("001_init", null)));

    Timeline tl =
        TimelineBuilder.build("prod", null, List.of(), migrations, List.of(), List.of("note"));

    assertThat(tl.entries()).isEmpty();
    assertThat(tl.historyWindow()).isNull();
    assertThat(tl.notes())
        .containsExactly(
            "note", "1 applied migration(s) have no recorded start time (sql) and are not shown");
  }

  private static RecoveryPoint point(
      String id, RecoveryPoint.Kind kind, Instant at, boolean safety) {
    return new RecoveryPoint(id, kind, at, null, safety, 0, null, null, null, null);
  }
}

package io.dbrecover.postgres.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class RestoreItemsTest {
  // as `pg_restore --list` prints a pgbench archive, plus an index, a foreign key and a policy
  private static final String LIST =
      String.join(
          "\n",
          ";",
          "; Archive created at 2026-11-29 08:40:34 UTC",
          ";     dbname: benchdb",
          ";",
          "216; 1259 16391 TABLE public pgbench_accounts bench",
          "217; 1259 16394 TABLE public pgbench_branches bench",
          "214; 1259 16385 TABLE public pgbench_history bench",
          "215; 1259 16388 TABLE public pgbench_tellers bench",
          "3358; 0 16391 TABLE DATA public pgbench_accounts bench",
          "3359; 0 16394 TABLE DATA public pgbench_branches bench",
          "3356; 0 16385 TABLE DATA public pgbench_history bench",
          "3357; 0 16388 TABLE DATA public pgbench_tellers bench",
          "3211; 2606 16406 CONSTRAINT public pgbench_accounts pgbench_accounts_pkey bench",
          "3213; 2606 16402 CONSTRAINT public pgbench_branches pgbench_branches_pkey bench",
          "3209; 2606 16404 CONSTRAINT public pgbench_tellers pgbench_tellers_pkey bench",
          "3220; 1259 16410 INDEX public pgbench_history_aid bench",
          "3230; 2606 16420 FK CONSTRAINT public pgbench_history pgbench_history_aid_fkey bench",
          "3240; 3256 16430 POLICY public pgbench_tellers own_rows bench",
          "");

  @Test
  void follow_tellsATableReadableOnceItsRowsAndEveryExclusiveItemOnItAreDone() {
    RestoreItems items = RestoreItems.parse(LIST);

    assertThat(readable(items, "pg_restore: finished item 3359 TABLE DATA pgbench_branches"))
        .as("its primary key is still to be added")
        .isEmpty();
    assertThat(
            readable(
                items,
                "pg_restore: finished item 3213 CONSTRAINT pgbench_branches pgbench_branches_pkey"))
        .containsExactly("public.pgbench_branches");
    // an index and a foreign key take locks a read does not conflict with
    assertThat(readable(items, "pg_restore: finished item 3356 TABLE DATA pgbench_history"))
        .containsExactly("public.pgbench_history");
    assertThat(readable(items, "pg_restore: finished item 3357 TABLE DATA pgbench_tellers"))
        .isEmpty();
    assertThat(
            readable(
                items,
                "pg_restore: finished item 3209 CONSTRAINT pgbench_tellers pgbench_tellers_pkey"))
        .as("its policy is still to come")
        .isEmpty();
    assertThat(readable(items, "pg_restore: finished item 3240 POLICY pgbench_tellers own_rows"))
        .containsExactly("public.pgbench_tellers");
    // told once: later items do not tell a table again
    assertThat(readable(items, "pg_restore: finished item 3220 INDEX pgbench_history_aid"))
        .isEmpty();
  }

  @Test
  void follow_tellsTheHeavyWorkDoneWithTheLastRowsIndexOrKey_once() {
    RestoreItems items = RestoreItems.parse(LIST);
    List<String> heavyEndedAt = new ArrayList<>();
    for (String id :
        List.of("3359", "3356", "3357", "3213", "3209", "3240", "3220", "3358", "3230", "3211")) {
      if (items.follow("pg_restore: finished item " + id + " X").heavyWorkDone()) {
        heavyEndedAt.add(id);
      }
    }
    // the policy (3240) is light; the accounts' primary key (3211) is the last heavy item
    assertThat(heavyEndedAt).containsExactly("3211");
    assertThat(items.follow("pg_restore: finished item 3211 X").heavyWorkDone()).isFalse();
  }

  @Test
  void follow_anExclusiveItemWhoseTableIsAmbiguous_holdsBackEveryTableUntilItIsDone() {
    RestoreItems items =
        RestoreItems.parse(
            String.join(
                "\n",
                "3358; 0 16391 TABLE DATA public accounts bench",
                "3359; 0 16394 TABLE DATA public events bench",
                "3211; 2606 16406 CONSTRAINT public order lines order lines_pkey bench"));

    assertThat(readable(items, "pg_restore: finished item 3358 TABLE DATA accounts")).isEmpty();
    assertThat(readable(items, "pg_restore: finished item 3359 TABLE DATA events")).isEmpty();
    assertThat(readable(items, "pg_restore: finished item 3211 CONSTRAINT order lines"))
        .containsExactlyInAnyOrder("public.accounts", "public.events");
  }

  @Test
  void follow_linesOtherThanAFinishedItem_changeNothing() {
    RestoreItems items = RestoreItems.parse(LIST);

    for (String line :
        List.of(
            "pg_restore: launching item 3356 TABLE DATA pgbench_history",
            "pg_restore:pg_restore:  processing data for table \"public.pgbench_history\"",
            "pg_restore: error: could not execute query: ERROR:  boom")) {
      assertThat(items.follow(line)).isEqualTo(RestoreItems.Change.NONE);
    }
    assertThat(readable(items, "pg_restore: finished item 3356 TABLE DATA pgbench_history"))
        .containsExactly("public.pgbench_history");
  }

  @Test
  void none_tellsNoTableAndNoEndOfTheHeavyWork() {
    RestoreItems items = RestoreItems.none();

    assertThat(items.follow("pg_restore: finished item 3358 TABLE DATA pgbench_accounts"))
        .isEqualTo(RestoreItems.Change.NONE);
  }

  private static List<String> readable(RestoreItems items, String line) {
    return items.follow(line).readable();
  }
}

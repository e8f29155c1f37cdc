package io.dbrecover.postgres.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class PgRunnerTest {
  @Test
  void isProblem_keepsErrorsAndTheirDetailsDropsVerboseProgressEvenWhenWorkersInterleave() {
    List<String> stderr =
        List.of(
            "pg_restore: connecting to database for restore",
            "pg_restore: launching item 3358 TABLE DATA pgbench_accounts",
            "pg_restore:pg_restore:  processing data for table \"public.audit_log\"",
            "processing data for table \"public.orders\"",
            "pg_restore: error: could not read from input file: 3271.dat.gz: incorrect data check",
            "pg_restore: error: could not execute query: ERROR:  duplicate key value",
            "DETAIL:  Key (id)=(1) already exists.",
            "Command was: ALTER TABLE ONLY public.t ADD CONSTRAINT t_pkey PRIMARY KEY (id);",
            "pg_restore: warning: errors ignored on restore: 1",
            "pg_restore: finished item 3358 TABLE DATA pgbench_accounts");

    assertThat(stderr.stream().filter(PgRunner::isProblem))
        .containsExactly(
            "pg_restore: error: could not read from input file: 3271.dat.gz: incorrect data check",
            "pg_restore: error: could not execute query: ERROR:  duplicate key value",
            "DETAIL:  Key (id)=(1) already exists.",
            "Command was: ALTER TABLE ONLY public.t ADD CONSTRAINT t_pkey PRIMARY KEY (id);",
            "pg_restore: warning: errors ignored on restore: 1");
  }
}

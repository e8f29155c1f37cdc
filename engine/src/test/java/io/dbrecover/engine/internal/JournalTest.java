package io.dbrecover.engine.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.dbrecover.engine.api.ConfigurationException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class JournalTest {
  @TempDir Path dir;

  @Test
  void open_afterAppends_readsRecordsInOrder() {
    Journal j = Journal.create(dir.resolve("run-1"));
    j.append(
        "run",
        null,
        "created",
        Journal.object().put("k", "v"),
        Instant.parse("2026-01-01T00:00:00Z"));
    j.append("step", "PREFLIGHT", "done", null, Instant.parse("2026-01-01T00:00:01Z"));

    Journal reopened = Journal.open(dir.resolve("run-1"));

    assertThat(reopened.entries()).extracting(Journal.Entry::seq).containsExactly(1, 2);
    assertThat(reopened.entries().get(0).data().get("k").asText()).isEqualTo("v");
    assertThat(reopened.entries().get(1).step()).isEqualTo("PREFLIGHT");
  }

  @Test
  void open_tornLastLine_keepsEverythingBeforeIt() throws Exception {
    Journal j = Journal.create(dir.resolve("run-2"));
    j.append("step", "PREFLIGHT", "done", null, Instant.EPOCH);
    Files.writeString(
        j.file(), "{\"seq\":2,\"at\":\"19", StandardCharsets.UTF_8, StandardOpenOption.APPEND);

    assertThat(Journal.open(dir.resolve("run-2")).entries()).hasSize(1);
  }

  @Test
  void open_missingRun_configurationErrorNamingIt() {
    assertThatThrownBy(() -> Journal.open(dir.resolve("run-x")))
        .isInstanceOf(ConfigurationException.class)
        .hasMessageContaining("no run 'run-x'");
  }
}

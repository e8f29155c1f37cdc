package io.dbrecover.engine.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.dbrecover.engine.api.ConfigurationException;
import io.dbrecover.engine.api.StateStoreConfig;
import io.dbrecover.engine.spi.StateStore;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FileStateStoreTest {
  @TempDir Path stateDir;

  private StateStore store() {
    return new FileStateStore.Factory(Clock.systemUTC()).create(StateStoreConfig.FILES, stateDir);
  }

  @Test
  void create_appendThenOpen_readsTheRecordsFromTheRunsJournalFile() {
    StateStore.RunLog log = store().create("prod", "run-20250610-120000-aaaa");
    log.append(1, "{\"seq\":1}");
    log.append(2, "{\"seq\":2}");

    assertThat(store().open("run-20250610-120000-aaaa").records())
        .containsExactly("{\"seq\":1}", "{\"seq\":2}");
    assertThat(stateDir.resolve("runs/run-20250610-120000-aaaa/journal.jsonl")).exists();
  }

  @Test
  void runIds_severalRuns_newestFirstSkippingDirectoriesWithoutAJournal() throws Exception {
    store().create("prod", "run-20250610-120000-aaaa");
    store().create("prod", "run-20250611-080000-bbbb");
    Files.createDirectories(stateDir.resolve("runs/run-20250612-080000-cccc"));

    assertThat(store().runIds("prod"))
        .containsExactly("run-20250611-080000-bbbb", "run-20250610-120000-aaaa");
  }

  @Test
  void open_missingRun_configurationErrorNamingIt() {
    assertThatThrownBy(() -> store().open("run-20250610-120000-ffff"))
        .isInstanceOf(ConfigurationException.class)
        .hasMessageStartingWith("no run 'run-20250610-120000-ffff' under ");
  }

  @Test
  void factory_withOptions_configurationErrorNamingThem() {
    assertThatThrownBy(
            () ->
                new FileStateStore.Factory(Clock.systemUTC())
                    .create(new StateStoreConfig("files", Map.of("table", "t")), stateDir))
        .isInstanceOf(ConfigurationException.class)
        .hasMessageContaining("the files state store takes no options")
        .hasMessageContaining("remove table");
  }

  @Test
  void document_putThenRead_ownerOnlyFileUnderItsKind() throws Exception {
    store().putDocument("approvals", "run-20250610-120000-aaaa", "{\"a\":1}", false);

    Path file = stateDir.resolve("approvals/run-20250610-120000-aaaa.json");
    assertThat(store().document("approvals", "run-20250610-120000-aaaa")).hasValue("{\"a\":1}");
    assertThat(store().document("approvals", "run-20250611-080000-bbbb")).isEmpty();
    assertThat(store().documentIds("approvals")).containsExactly("run-20250610-120000-aaaa");
    assertThat(store().documentIds("approval-answers")).isEmpty();
    assertThat(
            java.nio.file.attribute.PosixFilePermissions.toString(
                Files.getPosixFilePermissions(file)))
        .isEqualTo("rw-------");
  }

  @Test
  void putDocument_onlyIfAbsent_keepsTheFirstAndLeavesNoDraft() throws Exception {
    assertThat(store().putDocument("approval-answers", "run-20250610-120000-aaaa", "1", true))
        .isTrue();

    assertThat(store().putDocument("approval-answers", "run-20250610-120000-aaaa", "2", true))
        .isFalse();
    assertThat(store().document("approval-answers", "run-20250610-120000-aaaa")).hasValue("1");
    try (var files = Files.list(stateDir.resolve("approval-answers"))) {
      assertThat(files.map(f -> f.getFileName().toString()))
          .containsExactly("run-20250610-120000-aaaa.json");
    }
  }

  @Test
  void document_idWithAPathInIt_refused() {
    assertThatThrownBy(() -> store().document("approvals", "../runs/x"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("not a document kind or id: ../runs/x");
  }
}

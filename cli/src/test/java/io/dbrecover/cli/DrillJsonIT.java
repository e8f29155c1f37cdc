package io.dbrecover.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.MappingIterator;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.dbrecover.postgres.EmbeddedCluster;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code drill --output json}: one JSON document on standard output, the run's report inside. */
class DrillJsonIT {
  @TempDir Path work;

  @AfterEach
  void stopEmbedded() {
    EmbeddedCluster.at(work.resolve(".dbrecover").resolve("embedded")).stop();
  }

  @Test
  void drillJson_dumpScenario_printsOneDocumentWithPhasesAndTheRunReport() throws Exception {
    Files.setPosixFilePermissions(work, PosixFilePermissions.fromString("rwxr-xr-x"));

    CliProcess.Result r =
        new CliProcess(work).run("drill", "--scenario", "dump", "--rows", "50", "--output", "json");

    assertThat(r.exit()).as(r.all()).isZero();
    List<JsonNode> docs;
    try (MappingIterator<JsonNode> it =
        new ObjectMapper().readerFor(JsonNode.class).readValues(r.out())) {
      docs = it.readAll();
    }
    assertThat(docs).as(r.out()).hasSize(1);
    JsonNode doc = docs.get(0);
    assertThat(doc.get("scenarios")).hasSize(1);
    JsonNode dump = doc.get("scenarios").get(0);
    assertThat(dump.get("scenario").asText()).isEqualTo("dump");
    assertThat(dump.get("phaseSeconds").has("recover")).isTrue();
    assertThat(dump.get("run").get("status").asText()).isEqualTo("DONE");
    assertThat(dump.get("run").get("decision").get("method").asText()).isEqualTo("DUMP_RESTORE");
    assertThat(doc.get("passed").get(0).asText()).startsWith("pg_dump restore:");
  }
}

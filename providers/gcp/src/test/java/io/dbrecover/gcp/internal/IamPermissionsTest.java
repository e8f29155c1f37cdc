package io.dbrecover.gcp.internal;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.google.api.client.googleapis.services.AbstractGoogleClientRequest;
import com.google.api.client.http.javanet.NetHttpTransport;
import com.google.api.client.json.gson.GsonFactory;
import com.google.api.services.sqladmin.SQLAdmin;
import com.google.api.services.sqladmin.model.BackupRun;
import com.google.api.services.sqladmin.model.DatabaseInstance;
import com.google.api.services.sqladmin.model.InstancesCloneRequest;
import com.google.api.services.sqladmin.model.InstancesRestoreBackupRequest;
import java.io.InputStream;
import java.util.EnumMap;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

class IamPermissionsTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  private static JsonNode published() throws Exception {
    try (InputStream in =
        IamPermissionsTest.class.getResourceAsStream("/io/dbrecover/gcp/iam-permissions.json")) {
      return JSON.readTree(in);
    }
  }

  @Test
  void iamPermissionsJson_listsExactlyThePermissionsOfTheCallsTheCodeMakes() throws Exception {
    Map<String, Set<String>> fromJson = new TreeMap<>();
    for (JsonNode p : published().get("permissions")) {
      Set<String> calls = new TreeSet<>();
      p.get("calls").forEach(c -> calls.add(c.asText()));
      assertThat(p.get("for").asText()).as(p.get("permission").asText()).isNotBlank();
      fromJson.put(p.get("permission").asText(), calls);
    }

    Map<String, Set<String>> fromCode =
        Stream.of(ApiCall.values())
            .collect(
                Collectors.groupingBy(
                    ApiCall::permission,
                    TreeMap::new,
                    Collectors.mapping(
                        ApiCall::restMethod, Collectors.toCollection(TreeSet::new))));
    assertThat(fromJson).isEqualTo(fromCode);
  }

  /** Each Cloud SQL entry's method and path are those of the generated client's request. */
  @Test
  void apiCall_cloudSqlEntries_matchTheGeneratedClientsRequests() throws Exception {
    SQLAdmin admin =
        new SQLAdmin.Builder(new NetHttpTransport(), GsonFactory.getDefaultInstance(), r -> {})
            .setRootUrl("http://127.0.0.1:1/")
            .setApplicationName("dbrecover-test")
            .build();
    Map<ApiCall, AbstractGoogleClientRequest<?>> requests = new EnumMap<>(ApiCall.class);
    requests.put(ApiCall.INSTANCES_GET, admin.instances().get("p", "i"));
    requests.put(
        ApiCall.INSTANCES_GET_LATEST_RECOVERY_TIME,
        admin.projects().instances().getLatestRecoveryTime("p", "i"));
    requests.put(
        ApiCall.INSTANCES_CLONE, admin.instances().clone("p", "i", new InstancesCloneRequest()));
    requests.put(ApiCall.INSTANCES_INSERT, admin.instances().insert("p", new DatabaseInstance()));
    requests.put(
        ApiCall.INSTANCES_RESTORE_BACKUP,
        admin.instances().restoreBackup("p", "i", new InstancesRestoreBackupRequest()));
    requests.put(ApiCall.BACKUP_RUNS_INSERT, admin.backupRuns().insert("p", "i", new BackupRun()));
    requests.put(ApiCall.BACKUP_RUNS_LIST, admin.backupRuns().list("p", "i"));
    requests.put(ApiCall.BACKUP_RUNS_GET, admin.backupRuns().get("p", "i", 1L));
    requests.put(ApiCall.BACKUP_RUNS_DELETE, admin.backupRuns().delete("p", "i", 1L));
    requests.put(ApiCall.OPERATIONS_GET, admin.operations().get("p", "o"));
    requests.put(ApiCall.OPERATIONS_LIST, admin.operations().list("p"));

    for (Map.Entry<ApiCall, AbstractGoogleClientRequest<?>> e : requests.entrySet()) {
      assertThat(e.getValue().getRequestMethod() + " " + e.getValue().getUriTemplate())
          .as(e.getKey().name())
          .isEqualTo(e.getKey().httpMethod() + " " + e.getKey().uriTemplate());
    }
    assertThat(requests.keySet())
        .containsAll(
            Stream.of(ApiCall.values())
                .filter(c -> c.permission().startsWith("cloudsql"))
                .toList());
  }
}

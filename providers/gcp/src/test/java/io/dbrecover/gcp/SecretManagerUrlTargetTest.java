package io.dbrecover.gcp;

import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.dbrecover.engine.api.ProviderException;
import io.dbrecover.engine.api.Secret;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.zip.CRC32C;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class SecretManagerUrlTargetTest {
  private static final String SECRETS = "/v1/projects/acme-prod-1/secrets/app-db";
  private static final String OLD = "postgresql://app:old-pw@34.77.10.20:5432/orders";
  private static final String NEW = "postgresql://app:old-pw@35.195.1.2:5432/orders";
  private static final ObjectMapper JSON = new ObjectMapper();

  private GcpStub gcp;
  private SecretManagerUrlTarget target;

  @BeforeEach
  void setUp() {
    gcp = new GcpStub();
    GcpClients clients = gcp.clients();
    target =
        new SecretManagerUrlTarget(
            clients.requestFactory(),
            clients.calls(),
            URI.create(gcp.root()),
            "projects/acme-prod-1/secrets/app-db",
            "DATABASE_URL");
  }

  @AfterEach
  void tearDown() {
    gcp.close();
  }

  /** A SecretVersion access response as Secret Manager sends it (project number in the name). */
  private static String accessed(int version, String text) {
    byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
    CRC32C crc = new CRC32C();
    crc.update(bytes);
    return "{\n  \"name\": \"projects/123456789012/secrets/app-db/versions/"
        + version
        + "\",\n  \"payload\": {\n    \"data\": \""
        + Base64.getEncoder().encodeToString(bytes)
        + "\",\n    \"dataCrc32c\": \""
        + crc.getValue()
        + "\"\n  }\n}\n";
  }

  private static String version(int number, String state) {
    return "{\n  \"name\": \"projects/123456789012/secrets/app-db/versions/"
        + number
        + "\",\n  \"createTime\": \"2025-01-15T10:50:00.123456Z\",\n  \"state\": \""
        + state
        + "\",\n  \"replicationStatus\": {\"automatic\": {}},\n  \"etag\": \"\\\"1625a8b2c3d4e5\\\"\"\n}\n";
  }

  private void access(String version, int status, String body) {
    gcp.server.stubFor(
        get(urlPathEqualTo(SECRETS + "/versions/" + version + ":access"))
            .willReturn(GcpStub.json(status, body)));
  }

  private void addVersionAnswers(int number) {
    gcp.server.stubFor(
        post(urlPathEqualTo(SECRETS + ":addVersion"))
            .willReturn(GcpStub.json(200, version(number, "ENABLED"))));
  }

  private List<String> addedPayloads() throws Exception {
    List<String> out = new java.util.ArrayList<>();
    for (var r : gcp.server.findAll(postRequestedFor(urlPathEqualTo(SECRETS + ":addVersion")))) {
      JsonNode body = JSON.readTree(r.getBodyAsString());
      String text =
          new String(
              Base64.getDecoder().decode(body.at("/payload/data").asText()),
              StandardCharsets.UTF_8);
      CRC32C crc = new CRC32C();
      crc.update(text.getBytes(StandardCharsets.UTF_8));
      assertThat(body.at("/payload/dataCrc32c").asText()).isEqualTo(String.valueOf(crc.getValue()));
      out.add(text);
    }
    return out;
  }

  @Test
  void write_plainSecret_addsAVersionAndRecordsTheOneItReplaced() throws Exception {
    access("latest", 200, accessed(4, OLD));
    addVersionAnswers(5);

    Map<String, String> receipt = target.write(Secret.of(NEW), "run-20250115-104000-ab12");

    assertThat(addedPayloads()).containsExactly(NEW);
    assertThat(receipt)
        .containsEntry("type", "gcp-secret-manager")
        .containsEntry("version-id", "5")
        .containsEntry("previous-version-id", "4");
    assertThat(receipt.toString()).doesNotContain("old-pw");
  }

  @Test
  void write_jsonSecret_replacesOnlyTheKey() throws Exception {
    access(
        "latest",
        200,
        accessed(4, "{\"DATABASE_URL\":\"" + OLD + "\",\"REDIS_URL\":\"redis://r\"}"));
    addVersionAnswers(5);

    target.write(Secret.of(NEW), "run-20250115-104000-ab12");

    JsonNode written = JSON.readTree(addedPayloads().get(0));
    assertThat(written.get("DATABASE_URL").asText()).isEqualTo(NEW);
    assertThat(written.get("REDIS_URL").asText()).isEqualTo("redis://r");
  }

  @Test
  void write_retriedAfterTheVersionWasAdded_addsNoSecondVersion() throws Exception {
    access("latest", 200, accessed(5, NEW));
    gcp.server.stubFor(
        get(urlPathEqualTo(SECRETS + "/versions/4"))
            .willReturn(GcpStub.json(200, version(4, "ENABLED"))));

    Map<String, String> receipt = target.write(Secret.of(NEW), "run-20250115-104000-ab12");

    assertThat(addedPayloads()).isEmpty();
    assertThat(receipt).containsEntry("version-id", "5").containsEntry("previous-version-id", "4");
  }

  @Test
  void swapBack_addsAVersionWithThePreviousValue() throws Exception {
    access("4", 200, accessed(4, OLD));
    access("latest", 200, accessed(5, NEW));
    addVersionAnswers(6);

    target.swapBack(Map.of("type", "gcp-secret-manager", "run", "r", "previous-version-id", "4"));

    assertThat(addedPayloads()).containsExactly(OLD);
  }

  @Test
  void read_secretWithoutVersions_isEmpty() {
    access(
        "latest",
        404,
        GcpStub.error(
            404,
            "notFound",
            "Secret [projects/123456789012/secrets/app-db] not found or has no versions.",
            "NOT_FOUND"));

    assertThat(target.read()).isEmpty();
  }

  @Test
  void write_permissionDenied_exit8NamingThePermissionWithoutTheUrl() {
    access("latest", 200, accessed(4, OLD));
    gcp.server.stubFor(
        post(urlPathEqualTo(SECRETS + ":addVersion"))
            .willReturn(
                GcpStub.json(
                    403,
                    GcpStub.error(
                        403,
                        "forbidden",
                        "Permission 'secretmanager.versions.add' denied for resource"
                            + " 'projects/acme-prod-1/secrets/app-db' (or it may not exist).",
                        "PERMISSION_DENIED"))));

    assertThatThrownBy(() -> target.write(Secret.of(NEW), "run-20250115-104000-ab12"))
        .isInstanceOf(ProviderException.class)
        .hasMessageContaining("needs the permission secretmanager.versions.add")
        .hasMessageNotContaining("old-pw");
  }
}

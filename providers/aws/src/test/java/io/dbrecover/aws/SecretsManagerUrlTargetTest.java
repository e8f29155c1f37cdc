package io.dbrecover.aws;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.containing;
import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.dbrecover.engine.api.DbRecoverException;
import io.dbrecover.engine.api.EnvironmentConfig;
import io.dbrecover.engine.api.ErrorCode;
import io.dbrecover.engine.api.ProviderException;
import io.dbrecover.engine.api.Secret;
import io.dbrecover.engine.spi.UrlTarget;
import java.net.URI;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class SecretsManagerUrlTargetTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String GET = "secretsmanager.GetSecretValue";
  private static final String PUT = "secretsmanager.PutSecretValue";
  private static final String ARN =
      "arn:aws:secretsmanager:eu-west-1:123456789012:secret:app/db-AbCdEf";
  private static final String OLD_URL = "postgresql://app:old-pw@orders.example:5432/orders";
  private static final String NEW_URL = "postgresql://app:new-pw@orders-rb.example:5433/orders";
  private static final String RUN = "run-20250115-104000-ab12";

  private AwsStub aws;
  private UrlTarget target;

  @BeforeEach
  void setUp() {
    aws = new AwsStub();
    target =
        new SecretsManagerUrlTarget.Factory(
                AwsStub.clients(), new AwsSettings("eu-west-1", URI.create(aws.endpoint())))
            .create(
                new EnvironmentConfig.UrlTarget("secretsmanager", "app/db", null), Path.of("."));
    // AWS returns the ClientRequestToken as the new version's id.
    aws.server.stubFor(
        post(urlEqualTo("/"))
            .withHeader("X-Amz-Target", equalTo(PUT))
            .willReturn(
                aResponse()
                    .withStatus(200)
                    .withHeader("Content-Type", "application/x-amz-json-1.1")
                    .withBody(
                        "{\"ARN\":\""
                            + ARN
                            + "\",\"Name\":\"app/db\",\"VersionId\":"
                            + "\"{{jsonPath request.body '$.ClientRequestToken'}}\","
                            + "\"VersionStages\":[\"AWSCURRENT\"]}")
                    .withTransformers("response-template")));
  }

  @AfterEach
  void tearDown() {
    aws.close();
  }

  private void current(String versionId, String secretString) {
    aws.json(GET, 200, secretValue(versionId, secretString, "AWSCURRENT"));
  }

  private static String secretValue(String versionId, String secretString, String stage) {
    return "{\"ARN\":\""
        + ARN
        + "\",\"CreatedDate\":1.736935200123E9,\"Name\":\"app/db\",\"SecretString\":"
        + JSON.valueToTree(secretString)
        + ",\"VersionId\":\""
        + versionId
        + "\",\"VersionStages\":[\""
        + stage
        + "\"]}";
  }

  private void version(String match, String versionId, String secretString, String stage) {
    aws.server.stubFor(
        post(urlEqualTo("/"))
            .withHeader("X-Amz-Target", equalTo(GET))
            .withRequestBody(containing(match))
            .willReturn(
                aResponse()
                    .withStatus(200)
                    .withHeader("Content-Type", "application/x-amz-json-1.1")
                    .withBody(secretValue(versionId, secretString, stage))));
  }

  private static String jsonSecret(String url) {
    return "{\"DATABASE_URL\":\"" + url + "\",\"REDIS_URL\":\"redis://cache:6379\"}";
  }

  private JsonNode lastPut() throws Exception {
    var puts = aws.jsonRequests(PUT);
    return JSON.readTree(puts.get(puts.size() - 1));
  }

  @Test
  void read_jsonSecret_returnsTheKeysValue() {
    current("v-1", jsonSecret(OLD_URL));

    assertThat(target.read()).contains(Secret.of(OLD_URL));
  }

  @Test
  void read_plainSecret_returnsTheWholeString() {
    current("v-1", OLD_URL);

    assertThat(target.read()).contains(Secret.of(OLD_URL));
  }

  @Test
  void read_missingSecret_isEmpty() {
    aws.json(
        GET,
        400,
        "{\"__type\":\"ResourceNotFoundException\",\"Message\":\"Secrets Manager can't find the"
            + " specified secret.\"}");

    assertThat(target.read()).isEmpty();
  }

  @Test
  void write_jsonSecret_addsAVersionWithTheKeyReplacedAndRecordsThePreviousVersion()
      throws Exception {
    current("v-1", jsonSecret(OLD_URL));

    Map<String, String> receipt = target.write(Secret.of(NEW_URL), RUN);

    JsonNode put = lastPut();
    assertThat(put.get("SecretId").asText()).isEqualTo("app/db");
    JsonNode stored = JSON.readTree(put.get("SecretString").asText());
    assertThat(stored.get("DATABASE_URL").asText()).isEqualTo(NEW_URL);
    assertThat(stored.get("REDIS_URL").asText()).isEqualTo("redis://cache:6379");
    assertThat(put.has("VersionStages")).isFalse();
    assertThat(receipt)
        .containsEntry("type", "secretsmanager")
        .containsEntry("secret-id", "app/db")
        .containsEntry("previous-version-id", "v-1")
        .containsEntry("version-id", put.get("ClientRequestToken").asText());
    assertThat(receipt.toString()).doesNotContain("new-pw", "old-pw");
  }

  @Test
  void write_plainSecret_replacesTheWholeString() throws Exception {
    current("v-1", OLD_URL);

    target.write(Secret.of(NEW_URL), RUN);

    assertThat(lastPut().get("SecretString").asText()).isEqualTo(NEW_URL);
  }

  @Test
  void write_sameRunTwice_usesTheSameTokenAndTheRetryAddsNoVersion() throws Exception {
    current("v-1", jsonSecret(OLD_URL));
    Map<String, String> first = target.write(Secret.of(NEW_URL), RUN);
    current(first.get("version-id"), jsonSecret(NEW_URL));
    version("\"VersionStage\":\"AWSPREVIOUS\"", "v-1", jsonSecret(OLD_URL), "AWSPREVIOUS");

    Map<String, String> second = target.write(Secret.of(NEW_URL), RUN);

    assertThat(aws.jsonRequests(PUT)).hasSize(1);
    assertThat(second).isEqualTo(first);
  }

  @Test
  void swapBack_putsThePreviousVersionsUrlBackKeepingKeysChangedSince() throws Exception {
    current("v-2", "{\"DATABASE_URL\":\"" + NEW_URL + "\",\"REDIS_URL\":\"redis://new:6379\"}");
    version("\"VersionId\":\"v-1\"", "v-1", jsonSecret(OLD_URL), "AWSPREVIOUS");

    target.swapBack(
        Map.of(
            "type", "secretsmanager",
            "secret-id", "app/db",
            "run", RUN,
            "version-id", "v-2",
            "previous-version-id", "v-1"));

    JsonNode stored = JSON.readTree(lastPut().get("SecretString").asText());
    assertThat(stored.get("DATABASE_URL").asText()).isEqualTo(OLD_URL);
    assertThat(stored.get("REDIS_URL").asText()).isEqualTo("redis://new:6379");
  }

  @Test
  void write_accessDenied_exits8NamingThePermissionWithoutTheUrl() {
    current("v-1", jsonSecret(OLD_URL));
    aws.json(
        PUT,
        400,
        "{\"__type\":\"AccessDeniedException\",\"Message\":\"User: arn:aws:sts::123456789012:"
            + "assumed-role/dbrecover/x is not authorized to perform: secretsmanager:PutSecretValue"
            + " on resource: app/db\"}");

    assertThatThrownBy(() -> target.write(Secret.of(NEW_URL), RUN))
        .isInstanceOf(ProviderException.class)
        .satisfies(
            e -> assertThat(((DbRecoverException) e).code()).isEqualTo(ErrorCode.PROVIDER_API))
        .hasMessageContaining("allow secretsmanager:PutSecretValue")
        .hasMessageNotContaining("new-pw")
        .hasMessageNotContaining("old-pw");
  }

  @Test
  void factory_secretArn_usesTheArnsRegion() {
    assertThat(SecretsManagerUrlTarget.arnRegion(ARN)).contains("eu-west-1");
    assertThat(SecretsManagerUrlTarget.arnRegion("app/db")).isEmpty();
  }
}

package io.dbrecover.aws;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.dbrecover.engine.api.ConfigurationException;
import io.dbrecover.engine.api.DbRecoverException;
import io.dbrecover.engine.api.EnvironmentConfig;
import io.dbrecover.engine.api.ErrorCode;
import io.dbrecover.engine.api.ProviderException;
import io.dbrecover.engine.api.RateLimitedException;
import io.dbrecover.engine.api.Secret;
import io.dbrecover.engine.spi.UrlTarget;
import java.net.URI;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The SSM Parameter Store URL target through the real SDK against SSM's AWS JSON 1.1 wire. */
class SsmParameterUrlTargetTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String GET = "AmazonSSM.GetParameter";
  private static final String HISTORY = "AmazonSSM.GetParameterHistory";
  private static final String PUT = "AmazonSSM.PutParameter";
  private static final String NAME = "/app/prod/DATABASE_URL";
  private static final String KMS_KEY = "arn:aws:kms:eu-west-1:123456789012:key/1a2b3c4d-5e6f";
  private static final String OLDER_URL =
      "postgresql://app:older-pw@orders-old.example:5432/orders";
  private static final String OLD_URL = "postgresql://app:old-pw@orders.example:5432/orders";
  private static final String NEW_URL = "postgresql://app:new-pw@orders-rb.example:5433/orders";
  private static final String RUN = "run-20250115-104000-ab12";

  private AwsStub aws;
  private UrlTarget target;

  @BeforeEach
  void setUp() {
    aws = new AwsStub();
    target = target(NAME);
  }

  private UrlTarget target(String location) {
    return new SsmParameterUrlTarget.Factory(
            AwsStub.clients(), new AwsSettings("eu-west-1", URI.create(aws.endpoint())))
        .create(new EnvironmentConfig.UrlTarget("ssm", location, null), Path.of("."));
  }

  @AfterEach
  void tearDown() {
    aws.close();
  }

  /** One version as GetParameterHistory lists it. */
  private static String version(long version, String value, String tier) {
    return "{\"DataType\":\"text\",\"KeyId\":\""
        + KMS_KEY
        + "\",\"Labels\":[],\"LastModifiedDate\":1.736935200123E9,\"LastModifiedUser\":"
        + "\"arn:aws:iam::123456789012:user/ops\",\"Name\":\""
        + NAME
        + "\",\"Policies\":[],\"Tier\":\""
        + tier
        + "\",\"Type\":\"SecureString\",\"Value\":"
        + JSON.valueToTree(value)
        + ",\"Version\":"
        + version
        + "}";
  }

  private void history(String... versions) {
    aws.json(HISTORY, 200, "{\"Parameters\":[" + String.join(",", versions) + "]}");
  }

  private void putAnswers(long version) {
    aws.json(PUT, 200, "{\"Tier\":\"Standard\",\"Version\":" + version + "}");
  }

  private JsonNode onlyPut() throws Exception {
    List<String> puts = aws.jsonRequests(PUT);
    assertThat(puts).hasSize(1);
    return JSON.readTree(puts.get(0));
  }

  @Test
  void read_secureString_asksForTheDecryptedValue() throws Exception {
    aws.json(
        GET,
        200,
        "{\"Parameter\":{\"ARN\":\"arn:aws:ssm:eu-west-1:123456789012:parameter"
            + NAME
            + "\",\"DataType\":\"text\",\"LastModifiedDate\":1.736935200123E9,\"Name\":\""
            + NAME
            + "\",\"Type\":\"SecureString\",\"Value\":\""
            + OLD_URL
            + "\",\"Version\":3}}");

    assertThat(target.read()).contains(Secret.of(OLD_URL));
    JsonNode request = JSON.readTree(aws.jsonRequests(GET).get(0));
    assertThat(request.get("Name").asText()).isEqualTo(NAME);
    assertThat(request.get("WithDecryption").asBoolean()).isTrue();
  }

  @Test
  void read_missingParameter_isEmpty() {
    aws.json(GET, 400, "{\"__type\":\"ParameterNotFound\"}");

    assertThat(target.read()).isEmpty();
  }

  @Test
  void write_existingParameter_overwritesKeepingTypeKeyAndTierAndRecordsTheVersionItReplaced()
      throws Exception {
    history(version(1, OLDER_URL, "Advanced"), version(2, OLD_URL, "Advanced"));
    putAnswers(3);

    Map<String, String> receipt = target.write(Secret.of(NEW_URL), RUN);

    JsonNode put = onlyPut();
    assertThat(put.get("Name").asText()).isEqualTo(NAME);
    assertThat(put.get("Value").asText()).isEqualTo(NEW_URL);
    assertThat(put.get("Type").asText()).isEqualTo("SecureString");
    assertThat(put.get("Overwrite").asBoolean()).isTrue();
    assertThat(put.get("KeyId").asText()).isEqualTo(KMS_KEY);
    assertThat(put.get("Tier").asText()).isEqualTo("Advanced");
    assertThat(JSON.readTree(aws.jsonRequests(HISTORY).get(0)).get("WithDecryption").asBoolean())
        .isTrue();
    assertThat(receipt)
        .containsExactlyInAnyOrderEntriesOf(
            Map.of(
                "type", "ssm",
                "parameter", NAME,
                "run", RUN,
                "version", "3",
                "previous-version", "2"));
    assertThat(receipt.toString()).doesNotContain("old-pw", "new-pw");
  }

  @Test
  void write_missingParameter_createsASecureStringWithoutOverwriteAndNoPreviousVersion()
      throws Exception {
    aws.json(HISTORY, 400, "{\"__type\":\"ParameterNotFound\"}");
    putAnswers(1);

    Map<String, String> receipt = target.write(Secret.of(NEW_URL), RUN);

    JsonNode put = onlyPut();
    assertThat(put.get("Type").asText()).isEqualTo("SecureString");
    assertThat(put.get("Overwrite").asBoolean()).isFalse();
    assertThat(put.has("KeyId")).isFalse();
    assertThat(receipt).containsEntry("version", "1").doesNotContainKey("previous-version");
  }

  @Test
  void write_jsonValue_replacesOnlyTheKey() throws Exception {
    history(version(4, "{\"DATABASE_URL\":\"" + OLD_URL + "\",\"POOL\":\"10\"}", "Standard"));
    putAnswers(5);

    target.write(Secret.of(NEW_URL), RUN);

    JsonNode stored = JSON.readTree(onlyPut().get("Value").asText());
    assertThat(stored.get("DATABASE_URL").asText()).isEqualTo(NEW_URL);
    assertThat(stored.get("POOL").asText()).isEqualTo("10");
  }

  @Test
  void write_retryAfterTheSwapWasMade_putsNothingAndRecordsTheVersionBeforeIt() {
    history(
        version(1, OLDER_URL, "Standard"),
        version(2, OLD_URL, "Standard"),
        version(3, NEW_URL, "Standard"));

    Map<String, String> receipt = target.write(Secret.of(NEW_URL), RUN);

    assertThat(aws.jsonRequests(PUT)).isEmpty();
    assertThat(receipt).containsEntry("version", "3").containsEntry("previous-version", "2");
  }

  @Test
  void swapBack_putsThePreviousVersionsValueBackAsANewVersion() throws Exception {
    history(version(2, OLD_URL, "Standard"), version(3, NEW_URL, "Standard"));
    putAnswers(4);

    target.swapBack(
        Map.of(
            "type", "ssm", "parameter", NAME, "run", RUN, "version", "3", "previous-version", "2"));

    JsonNode put = onlyPut();
    assertThat(put.get("Value").asText()).isEqualTo(OLD_URL);
    assertThat(put.get("Overwrite").asBoolean()).isTrue();
  }

  @Test
  void swapBack_valueIsAlreadyThePreviousOne_putsNothing() {
    history(
        version(2, OLD_URL, "Standard"),
        version(3, NEW_URL, "Standard"),
        version(4, OLD_URL, "Standard"));

    target.swapBack(Map.of("run", RUN, "version", "3", "previous-version", "2"));

    assertThat(aws.jsonRequests(PUT)).isEmpty();
  }

  @Test
  void swapBack_previousVersionGoneFromHistory_configurationErrorSayingWhatToDo() {
    history(version(150, NEW_URL, "Standard"));

    assertThatThrownBy(
            () -> target.swapBack(Map.of("run", RUN, "version", "150", "previous-version", "2")))
        .isInstanceOf(ConfigurationException.class)
        .hasMessage(
            "SSM parameter "
                + NAME
                + " (DATABASE_URL): version 2 is not in the parameter's history any more (SSM"
                + " keeps the last 100 versions); set the value by hand");
  }

  @Test
  void write_accessDenied_exits8NamingTheActionWithoutTheUrl() {
    history(version(2, OLD_URL, "Standard"));
    aws.json(
        PUT,
        400,
        "{\"__type\":\"AccessDeniedException\",\"Message\":\"User: arn:aws:sts::123456789012:"
            + "assumed-role/dbrecover/x is not authorized to perform: ssm:PutParameter on resource:"
            + " arn:aws:ssm:eu-west-1:123456789012:parameter/app/prod/DATABASE_URL because no"
            + " identity-based policy allows the ssm:PutParameter action\"}");

    assertThatThrownBy(() -> target.write(Secret.of(NEW_URL), RUN))
        .isInstanceOf(ProviderException.class)
        .satisfies(
            e -> assertThat(((DbRecoverException) e).code()).isEqualTo(ErrorCode.PROVIDER_API))
        .hasMessageContaining("AWS denied ssm:PutParameter on SSM parameter '" + NAME + "'")
        .hasMessageContaining("allow ssm:PutParameter")
        .hasMessageNotContaining("new-pw")
        .hasMessageNotContaining("old-pw");
  }

  @Test
  void write_throttled_retriedThenExit8() {
    aws.json(HISTORY, 400, "{\"__type\":\"ThrottlingException\",\"message\":\"Rate exceeded\"}");

    assertThatThrownBy(() -> target.write(Secret.of(NEW_URL), RUN))
        .isInstanceOf(RateLimitedException.class)
        .hasMessageStartingWith("AWS throttled ssm:GetParameterHistory on SSM parameter");
    assertThat(aws.jsonRequests(HISTORY)).hasSize(AwsStub.ATTEMPTS);
    assertThat(aws.jsonRequests(PUT)).isEmpty();
  }

  @Test
  void factory_parameterArn_usesItsRegionAndName() {
    assertThat(
            SsmParameterUrlTarget.arn(
                "arn:aws:ssm:us-east-2:123456789012:parameter/app/prod/DATABASE_URL"))
        .hasValueSatisfying(
            a -> assertThat(a).containsExactly("us-east-2", "/app/prod/DATABASE_URL"));
    assertThat(SsmParameterUrlTarget.arn("arn:aws:ssm:us-east-2:123456789012:parameter/flat"))
        .hasValueSatisfying(a -> assertThat(a).containsExactly("us-east-2", "flat"));
    assertThat(SsmParameterUrlTarget.arn(NAME)).isEmpty();
  }

  @Test
  void factory_ssmArnThatIsNotAParameter_configurationError() {
    assertThatThrownBy(
            () -> target("arn:aws:ssm:us-east-2:123456789012:document/AWS-RunShellScript"))
        .isInstanceOf(ConfigurationException.class)
        .hasMessageContaining("is an SSM ARN but not of a parameter");
  }
}

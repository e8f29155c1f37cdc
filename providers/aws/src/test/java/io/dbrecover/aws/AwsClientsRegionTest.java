package io.dbrecover.aws;

import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.dbrecover.engine.api.ConfigurationException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** With no region anywhere, the error names the setting of the client that needed one. */
class AwsClientsRegionTest {
  private static final String[] PROPERTIES = {
    "aws.region", "aws.configFile", "aws.sharedCredentialsFile", "aws.disableEc2Metadata"
  };

  @TempDir Path home;
  private final String[] saved = new String[PROPERTIES.length];

  @BeforeEach
  void noRegionAnywhere() throws Exception {
    assumeTrue(System.getenv("AWS_REGION") == null && System.getenv("AWS_DEFAULT_REGION") == null);
    for (int i = 0; i < PROPERTIES.length; i++) {
      saved[i] = System.getProperty(PROPERTIES[i]);
    }
    System.clearProperty("aws.region");
    System.setProperty("aws.configFile", Files.writeString(home.resolve("config"), "").toString());
    System.setProperty(
        "aws.sharedCredentialsFile", Files.writeString(home.resolve("credentials"), "").toString());
    System.setProperty("aws.disableEc2Metadata", "true");
  }

  @AfterEach
  void restore() {
    for (int i = 0; i < PROPERTIES.length; i++) {
      if (saved[i] == null) {
        System.clearProperty(PROPERTIES[i]);
      } else {
        System.setProperty(PROPERTIES[i], saved[i]);
      }
    }
  }

  @Test
  void secretsManager_noRegion_namesTheUrlTargetsArnNotTheDatabaseOption() {
    assertThatThrownBy(() -> AwsStub.clients().secretsManager(AwsSettings.DEFAULT))
        .isInstanceOf(ConfigurationException.class)
        .hasMessageStartingWith("no AWS region: set the url-target's ARN")
        .hasMessageNotContaining("database.options.region");
  }

  @Test
  void rds_noRegion_namesTheDatabaseOption() {
    assertThatThrownBy(() -> AwsStub.clients().rds(AwsSettings.DEFAULT))
        .isInstanceOf(ConfigurationException.class)
        .hasMessageStartingWith("no AWS region: set database.options.region in dbrecover.yaml");
  }

  @Test
  void dynamoDb_noRegion_namesTheStateStoreOption() {
    assertThatThrownBy(() -> AwsStub.clients().dynamoDb(AwsSettings.DEFAULT))
        .isInstanceOf(ConfigurationException.class)
        .hasMessageStartingWith("no AWS region: set state-store.options.region");
  }
}

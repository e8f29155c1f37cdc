package io.dbrecover.aws;

import static com.github.tomakehurst.wiremock.client.WireMock.anyRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.anyUrl;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.github.tomakehurst.wiremock.verification.LoggedRequest;
import io.dbrecover.engine.api.ConfigurationException;
import io.dbrecover.engine.api.DbRecoverException;
import io.dbrecover.engine.api.EnvironmentConfig;
import io.dbrecover.engine.api.ErrorCode;
import io.dbrecover.engine.spi.BackupStorage;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class S3BackupStorageTest {
  private static final String BUCKET = "acme-backups";

  private final S3Fake s3 = new S3Fake();

  @TempDir Path dir;

  S3BackupStorageTest() {
    s3.createBucket(BUCKET);
  }

  @AfterEach
  void stop() {
    s3.close();
  }

  private BackupStorage storage(String url, Map<String, String> extra) {
    Map<String, String> options = new java.util.HashMap<>(extra);
    options.put("endpoint-override", s3.endpoint());
    options.put("region", "eu-west-1");
    return new S3BackupStorage.Factory(AwsStub.clients())
        .open(new EnvironmentConfig.RemoteStore(URI.create(url), options));
  }

  private BackupStorage storage() {
    return storage("s3://" + BUCKET + "/dbrecover/prod", Map.of("part-size", "5MiB"));
  }

  private Path file(String name, int bytes) throws IOException {
    byte[] data = new byte[bytes];
    new Random(bytes).nextBytes(data);
    return Files.write(dir.resolve(name), data);
  }

  @Test
  void put_smallFile_isOnePutObjectUnderThePrefix() throws IOException {
    Path f = file("toc.dat", 1000);

    storage().put("backup-1/dump/toc.dat", f);

    assertThat(s3.objects(BUCKET)).containsOnlyKeys("dbrecover/prod/backup-1/dump/toc.dat");
    assertThat(s3.objects(BUCKET).get("dbrecover/prod/backup-1/dump/toc.dat").data())
        .isEqualTo(Files.readAllBytes(f));
    assertThat(s3.server.findAll(anyRequestedFor(anyUrl())))
        .extracting(LoggedRequest::getMethod)
        .extracting(Object::toString)
        .containsExactly("PUT");
  }

  @Test
  void put_fileLargerThanAPart_isAMultipartUploadInPartsOfPartSize() throws IOException {
    int size = 12 * 1024 * 1024 + 17;
    Path f = file("3001.dat.gz", size);

    storage().put("backup-1/dump/3001.dat.gz", f);

    S3Fake.StoredObject o = s3.objects(BUCKET).get("dbrecover/prod/backup-1/dump/3001.dat.gz");
    assertThat(o.data()).isEqualTo(Files.readAllBytes(f));
    assertThat(o.etag()).endsWith("-3\"");
    List<LoggedRequest> parts =
        s3.server.findAll(anyRequestedFor(anyUrl())).stream()
            .filter(r -> r.getUrl().contains("partNumber="))
            .toList();
    assertThat(parts)
        .extracting(r -> Long.parseLong(r.getHeader("x-amz-decoded-content-length")))
        .containsExactlyInAnyOrder(5L * 1024 * 1024, 5L * 1024 * 1024, 2L * 1024 * 1024 + 17);
    assertThat(s3.openUploads()).isZero();
  }

  @Test
  void put_partFails_abortsTheUploadAndNamesTheAction() throws IOException {
    Path f = file("big.dat", 11 * 1024 * 1024);
    s3.deny("UploadPart");

    assertThatThrownBy(() -> storage().put("backup-1/dump/big.dat", f))
        .isInstanceOf(DbRecoverException.class)
        .hasMessageContaining("AWS denied s3:PutObject on s3://acme-backups/dbrecover/prod/")
        .hasMessageContaining("allow s3:PutObject in the IAM policy")
        .extracting(e -> ((DbRecoverException) e).code())
        .isEqualTo(ErrorCode.PROVIDER_API);
    assertThat(s3.openUploads()).isZero();
    assertThat(s3.objects(BUCKET)).isEmpty();
  }

  @Test
  void get_writesTheObjectToTheTarget() throws IOException {
    Path f = file("a", 70_000);
    BackupStorage st = storage();
    st.put("backup-1/metadata.json", f);

    st.get("backup-1/metadata.json", dir.resolve("copy"));

    assertThat(dir.resolve("copy")).hasSameBinaryContentAs(f);
  }

  @Test
  void get_missingKey_isBackupNotFound() {
    assertThatThrownBy(() -> storage().get("backup-9/metadata.json", dir.resolve("x")))
        .isInstanceOf(DbRecoverException.class)
        .hasMessage("s3://acme-backups/dbrecover/prod/backup-9/metadata.json does not exist")
        .extracting(e -> ((DbRecoverException) e).code())
        .isEqualTo(ErrorCode.BACKUP_NOT_FOUND);
  }

  @Test
  void list_followsContinuationTokensAndReturnsRelativeKeys() throws IOException {
    s3.setPageSize(2);
    s3.setNow(Instant.parse("2026-03-01T10:00:00Z"));
    BackupStorage st = storage();
    Path f = file("f", 10);
    for (String k : List.of("b-1/x", "b-1/y", "b-2/x", "b-2/y", "b-3/x")) {
      st.put(k, f);
    }
    s3.overwrite(BUCKET, "other/outside-the-prefix", new byte[] {1});

    List<BackupStorage.StoredObject> all = st.list("");
    List<BackupStorage.StoredObject> two = st.list("b-2/");

    assertThat(all)
        .extracting(BackupStorage.StoredObject::key)
        .containsExactly("b-1/x", "b-1/y", "b-2/x", "b-2/y", "b-3/x");
    assertThat(all.get(0).size()).isEqualTo(10);
    assertThat(all.get(0).lastModified()).isEqualTo(Instant.parse("2026-03-01T10:00:00Z"));
    assertThat(two).extracting(BackupStorage.StoredObject::key).containsExactly("b-2/x", "b-2/y");
  }

  @Test
  void delete_removesTheKeysOnly() throws IOException {
    BackupStorage st = storage();
    Path f = file("f", 10);
    st.put("b-1/x", f);
    st.put("b-1/y", f);
    st.put("b-2/x", f);

    st.delete(List.of("b-1/x", "b-1/y", "b-1/never-existed"));

    assertThat(s3.objects(BUCKET)).containsOnlyKeys("dbrecover/prod/b-2/x");
  }

  @Test
  void delete_denied_isAProviderErrorNamingTheAction() throws IOException {
    BackupStorage st = storage();
    st.put("b-1/x", file("f", 10));
    s3.deny("DeleteObjects");

    assertThatThrownBy(() -> st.delete(List.of("b-1/x")))
        .isInstanceOf(DbRecoverException.class)
        .hasMessageContaining("AWS denied s3:DeleteObject")
        .extracting(e -> ((DbRecoverException) e).code())
        .isEqualTo(ErrorCode.PROVIDER_API);
    assertThat(s3.objects(BUCKET)).containsOnlyKeys("dbrecover/prod/b-1/x");
  }

  @Test
  void list_missingBucket_isAConfigurationErrorNamingIt() {
    BackupStorage st = storage("s3://no-such-bucket/x", Map.of());

    assertThatThrownBy(() -> st.list(""))
        .isInstanceOf(ConfigurationException.class)
        .hasMessageStartingWith("bucket no-such-bucket does not exist");
  }

  @Test
  void bucketRoot_keysHaveNoPrefix() throws IOException {
    BackupStorage st = storage("s3://" + BUCKET, Map.of());

    st.put("b-1/x", file("f", 3));

    assertThat(st.describe()).isEqualTo("s3://acme-backups");
    assertThat(s3.objects(BUCKET)).containsOnlyKeys("b-1/x");
    assertThat(st.list("")).extracting(BackupStorage.StoredObject::key).containsExactly("b-1/x");
  }

  @Test
  void open_partSizeBelowS3Minimum_isRefused() {
    assertThatThrownBy(() -> storage("s3://" + BUCKET, Map.of("part-size", "4MiB")))
        .isInstanceOf(ConfigurationException.class)
        .hasMessageContaining("part-size must be between 5MiB and 5GiB");
  }

  @Test
  void open_badPartSize_saysTheFormat() {
    assertThatThrownBy(() -> storage("s3://" + BUCKET, Map.of("part-size", "64MB")))
        .isInstanceOf(ConfigurationException.class)
        .hasMessage(
            "backup-store.options.part-size '64MB' is not a size; use a number followed by MiB or"
                + " GiB, e.g. 64MiB");
  }

  @Test
  void open_unknownOption_listsTheValidOnes() {
    assertThatThrownBy(() -> storage("s3://" + BUCKET, Map.of("storage-class", "GLACIER")))
        .isInstanceOf(ConfigurationException.class)
        .hasMessage(
            "backup-store.options.storage-class: unknown option; valid options: endpoint-override,"
                + " part-size, region");
  }

  @Test
  void open_defaultPartSize_is64MiB() {
    S3BackupStorage st = (S3BackupStorage) storage("s3://" + BUCKET, Map.of());

    assertThat(st.partSize()).isEqualTo(64L * 1024 * 1024);
  }
}

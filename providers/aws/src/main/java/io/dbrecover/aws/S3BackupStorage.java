package io.dbrecover.aws;

import io.dbrecover.aws.internal.AwsErrors;
import io.dbrecover.aws.internal.BoundedFileStream;
import io.dbrecover.engine.api.ConfigurationException;
import io.dbrecover.engine.api.DbRecoverException;
import io.dbrecover.engine.api.EnvironmentConfig;
import io.dbrecover.engine.api.ErrorCode;
import io.dbrecover.engine.spi.BackupStorage;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.core.sync.ResponseTransformer;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.ChecksumAlgorithm;
import software.amazon.awssdk.services.s3.model.CompletedPart;
import software.amazon.awssdk.services.s3.model.DeleteObjectsResponse;
import software.amazon.awssdk.services.s3.model.ObjectIdentifier;
import software.amazon.awssdk.services.s3.model.S3Error;
import software.amazon.awssdk.services.s3.model.S3Object;
import software.amazon.awssdk.services.s3.model.UploadPartResponse;

/**
 * Backup files in an S3 bucket below a key prefix ({@code backup-store: s3://bucket/prefix}). A
 * file larger than one part goes up as a multipart upload in parts of {@code part-size}, smaller
 * ones in one PutObject; every request carries a SHA-256 checksum that S3 verifies on receipt. A
 * failed multipart upload is aborted, so no partial object remains.
 *
 * <p>Options ({@code backup-store.options}): {@code part-size} ({@code 5MiB} to {@code 5GiB},
 * default {@code 64MiB}), {@code region} (default: the SDK's chain) and {@code endpoint-override}
 * (a test server or proxy; path-style addressing then).
 */
public final class S3BackupStorage implements BackupStorage {
  /** The URL scheme this store serves. */
  public static final String SCHEME = "s3";

  /** The option naming the multipart part size, e.g. {@code 64MiB}. */
  public static final String PART_SIZE = "part-size";

  static final long MIB = 1024L * 1024;

  /** S3's smallest part (all but the last) and largest part. */
  static final long MIN_PART = 5 * MIB;

  static final long MAX_PART = 5 * 1024 * MIB;
  static final long DEFAULT_PART = 64 * MIB;

  /** S3's most parts per upload. */
  static final int MAX_PARTS = 10_000;

  /** DeleteObjects takes at most this many keys per call. */
  private static final int DELETE_BATCH = 1000;

  private static final Pattern SIZE = Pattern.compile("(\\d+)\\s*(MiB|GiB)");
  private static final Set<String> OPTIONS =
      Set.of(PART_SIZE, AwsSettings.REGION, AwsSettings.ENDPOINT_OVERRIDE);

  private final S3Client s3;
  private final String bucket;
  private final String prefix;
  private final long partSize;

  /**
   * @param s3 the client
   * @param bucket the bucket
   * @param prefix the key prefix without slashes at either end; empty for the bucket's root
   * @param partSize the multipart part size in bytes
   */
  public S3BackupStorage(S3Client s3, String bucket, String prefix, long partSize) {
    this.s3 = Objects.requireNonNull(s3, "s3");
    this.bucket = Objects.requireNonNull(bucket, "bucket");
    this.prefix = Objects.requireNonNull(prefix, "prefix");
    if (partSize < MIN_PART || partSize > MAX_PART) {
      throw new ConfigurationException(
          "backup-store part-size must be between 5MiB and 5GiB (S3's limits), not "
              + partSize
              + " bytes");
    }
    this.partSize = partSize;
  }

  @Override
  public String describe() {
    return "s3://" + bucket + (prefix.isEmpty() ? "" : "/" + prefix);
  }

  /** The part size in bytes. */
  public long partSize() {
    return partSize;
  }

  @Override
  public void put(String key, Path file) {
    long size;
    try {
      size = Files.size(file);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + file + ": " + e.getMessage(), e);
    }
    if (size <= partSize) {
      try {
        s3.putObject(
            b -> b.bucket(bucket).key(full(key)).checksumAlgorithm(ChecksumAlgorithm.SHA256),
            RequestBody.fromFile(file));
      } catch (SdkException e) {
        throw error(e, "s3:PutObject", key);
      }
      return;
    }
    multipart(key, file, size);
  }

  private void multipart(String key, Path file, long size) {
    long parts = (size + partSize - 1) / partSize;
    if (parts > MAX_PARTS) {
      throw new ConfigurationException(
          file.getFileName()
              + " ("
              + size
              + " bytes) needs "
              + parts
              + " parts of "
              + partSize
              + " bytes, more than S3's "
              + MAX_PARTS
              + "; raise backup-store.options.part-size");
    }
    String uploadId;
    try {
      uploadId =
          s3.createMultipartUpload(
                  b -> b.bucket(bucket).key(full(key)).checksumAlgorithm(ChecksumAlgorithm.SHA256))
              .uploadId();
    } catch (SdkException e) {
      throw error(e, "s3:PutObject", key);
    }
    try {
      List<CompletedPart> done = new ArrayList<>();
      for (int n = 1; n <= parts; n++) {
        long offset = (n - 1) * partSize;
        long length = Math.min(partSize, size - offset);
        int partNumber = n;
        UploadPartResponse r =
            s3.uploadPart(
                b ->
                    b.bucket(bucket)
                        .key(full(key))
                        .uploadId(uploadId)
                        .partNumber(partNumber)
                        .contentLength(length)
                        .checksumAlgorithm(ChecksumAlgorithm.SHA256),
                RequestBody.fromContentProvider(
                    () -> BoundedFileStream.open(file, offset, length),
                    length,
                    "application/octet-stream"));
        done.add(
            CompletedPart.builder()
                .partNumber(partNumber)
                .eTag(r.eTag())
                .checksumSHA256(r.checksumSHA256())
                .build());
      }
      s3.completeMultipartUpload(
          b ->
              b.bucket(bucket)
                  .key(full(key))
                  .uploadId(uploadId)
                  .multipartUpload(m -> m.parts(done)));
    } catch (SdkException | UncheckedIOException e) {
      RuntimeException failure =
          e instanceof SdkException ? error((SdkException) e, "s3:PutObject", key) : e;
      abort(key, uploadId, failure);
      throw failure;
    }
  }

  // Without the abort S3 keeps (and bills) the uploaded parts until a lifecycle rule removes them.
  private void abort(String key, String uploadId, RuntimeException failure) {
    try {
      s3.abortMultipartUpload(b -> b.bucket(bucket).key(full(key)).uploadId(uploadId));
    } catch (SdkException e) {
      failure.addSuppressed(error(e, "s3:AbortMultipartUpload", key));
    }
  }

  @Override
  public void get(String key, Path target) {
    try {
      s3.getObject(b -> b.bucket(bucket).key(full(key)), ResponseTransformer.toFile(target));
    } catch (SdkException e) {
      if ("NoSuchKey".equals(AwsErrors.code(e))) {
        throw new DbRecoverException(
            ErrorCode.BACKUP_NOT_FOUND, describe() + "/" + key + " does not exist", e);
      }
      throw error(e, "s3:GetObject", key);
    }
  }

  @Override
  public List<StoredObject> list(String relativePrefix) {
    String root = prefix.isEmpty() ? "" : prefix + "/";
    List<StoredObject> result = new ArrayList<>();
    try {
      for (S3Object o :
          s3.listObjectsV2Paginator(b -> b.bucket(bucket).prefix(root + relativePrefix))
              .contents()) {
        result.add(new StoredObject(o.key().substring(root.length()), o.size(), o.lastModified()));
      }
    } catch (SdkException e) {
      throw error(e, "s3:ListBucket", relativePrefix);
    }
    result.sort(java.util.Comparator.comparing(StoredObject::key));
    return result;
  }

  @Override
  public void delete(Collection<String> keys) {
    List<String> all = new ArrayList<>(new TreeSet<>(keys));
    for (int i = 0; i < all.size(); i += DELETE_BATCH) {
      List<ObjectIdentifier> batch =
          all.subList(i, Math.min(all.size(), i + DELETE_BATCH)).stream()
              .map(k -> ObjectIdentifier.builder().key(full(k)).build())
              .toList();
      DeleteObjectsResponse r;
      try {
        r = s3.deleteObjects(b -> b.bucket(bucket).delete(d -> d.objects(batch).quiet(true)));
      } catch (SdkException e) {
        throw error(e, "s3:DeleteObject", all.get(i));
      }
      // DeleteObjects answers 200 and lists per-key failures in the body.
      if (r.hasErrors() && !r.errors().isEmpty()) {
        S3Error first = r.errors().get(0);
        String action = "s3:DeleteObject";
        throw new DbRecoverException(
            ErrorCode.PROVIDER_API,
            (first.code().equals("AccessDenied") ? "AWS denied " : "AWS refused ")
                + action
                + " on s3://"
                + bucket
                + "/"
                + first.key()
                + " ("
                + first.code()
                + "): "
                + first.message()
                + (r.errors().size() > 1 ? " and " + (r.errors().size() - 1) + " more keys" : "")
                + (first.code().equals("AccessDenied")
                    ? "; allow " + action + " in the IAM policy of the role dbrecover runs as"
                    : ""));
      }
    }
  }

  private String full(String key) {
    return prefix.isEmpty() ? key : prefix + "/" + key;
  }

  private DbRecoverException error(SdkException e, String action, String key) {
    if ("NoSuchBucket".equals(AwsErrors.code(e))) {
      return new ConfigurationException(
          "bucket "
              + bucket
              + " does not exist (or is in another account); check backup-store in"
              + " dbrecover.yaml",
          e);
    }
    return AwsErrors.map(e, action, "s3://" + bucket + "/" + full(key));
  }

  /** Parses a part size such as {@code 64MiB} or {@code 1GiB}. */
  static long parsePartSize(String value) {
    Matcher m = SIZE.matcher(value.trim());
    if (!m.matches()) {
      throw new ConfigurationException(
          "backup-store.options.part-size '"
              + value
              + "' is not a size; use a number followed by MiB or GiB, e.g. 64MiB");
    }
    long n = Long.parseLong(m.group(1));
    return m.group(2).equals("GiB") ? n * 1024 * MIB : n * MIB;
  }

  /** Opens {@code s3://} stores with clients from {@link AwsClients}. */
  public static final class Factory implements BackupStorage.Factory {
    private final AwsClients clients;

    public Factory(AwsClients clients) {
      this.clients = Objects.requireNonNull(clients, "clients");
    }

    @Override
    public BackupStorage open(EnvironmentConfig.RemoteStore config) {
      if (!SCHEME.equals(config.scheme().toLowerCase(Locale.ROOT))) {
        throw new ConfigurationException(config + " is not an s3:// URL");
      }
      Map<String, String> options = config.options();
      for (String key : options.keySet()) {
        if (!OPTIONS.contains(key)) {
          throw new ConfigurationException(
              "backup-store.options."
                  + key
                  + ": unknown option; valid options: "
                  + String.join(", ", new TreeSet<>(OPTIONS)));
        }
      }
      long partSize =
          options.containsKey(PART_SIZE) ? parsePartSize(options.get(PART_SIZE)) : DEFAULT_PART;
      return new S3BackupStorage(
          clients.s3(AwsSettings.fromOptions(options)), config.bucket(), config.prefix(), partSize);
    }
  }
}

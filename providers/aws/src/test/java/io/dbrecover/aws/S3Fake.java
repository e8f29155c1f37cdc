package io.dbrecover.aws;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.any;
import static com.github.tomakehurst.wiremock.client.WireMock.anyUrl;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.options;

import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.client.ResponseDefinitionBuilder;
import com.github.tomakehurst.wiremock.extension.ResponseDefinitionTransformerV2;
import com.github.tomakehurst.wiremock.http.Request;
import com.github.tomakehurst.wiremock.http.ResponseDefinition;
import com.github.tomakehurst.wiremock.stubbing.ServeEvent;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.net.URLDecoder;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.Set;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArraySet;
import java.util.concurrent.atomic.AtomicInteger;
import javax.xml.parsers.DocumentBuilderFactory;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.NodeList;

/**
 * A stateful S3 in a WireMock server, for the calls the S3 backup store makes: PutObject,
 * CreateMultipartUpload, UploadPart, CompleteMultipartUpload, AbortMultipartUpload, GetObject,
 * HeadObject, ListObjectsV2, DeleteObject and DeleteObjects, path-style, answering with S3's XML,
 * headers and error codes (per the S3 API reference). It checks what S3 checks: the SHA-256 a
 * request carries (header or aws-chunked trailer, BadDigest), part order, parts' ETags and
 * checksums on completion, the 5 MiB minimum of every part but the last (EntityTooSmall).
 */
final class S3Fake implements ResponseDefinitionTransformerV2, AutoCloseable {
  private static final String XMLNS = "http://s3.amazonaws.com/doc/2006-03-01/";
  private static final long MIN_PART = 5L * 1024 * 1024;
  private static final DateTimeFormatter HTTP_DATE =
      DateTimeFormatter.RFC_1123_DATE_TIME.withZone(ZoneOffset.UTC);

  /** One stored object. */
  record StoredObject(byte[] data, String etag, String sha256, boolean composite, Instant at) {}

  private record Part(byte[] data, String etag, String sha256) {}

  private record Upload(String bucket, String key, String algorithm, Map<Integer, Part> parts) {}

  private final Map<String, NavigableMap<String, StoredObject>> buckets = new ConcurrentHashMap<>();
  private final Map<String, Upload> uploads = new ConcurrentHashMap<>();
  private final Set<String> denied = new CopyOnWriteArraySet<>();
  private final AtomicInteger requestIds = new AtomicInteger();
  private volatile Instant now;
  private volatile int pageSize = 1000;

  final WireMockServer server = new WireMockServer(options().dynamicPort().extensions(this));

  S3Fake() {
    server.start();
    server.stubFor(any(anyUrl()).willReturn(aResponse().withStatus(500)));
  }

  String endpoint() {
    return "http://127.0.0.1:" + server.port();
  }

  void createBucket(String name) {
    buckets.put(name, new TreeMap<>());
  }

  /** The objects of a bucket by key. */
  NavigableMap<String, StoredObject> objects(String bucket) {
    return buckets.get(bucket);
  }

  /** Multipart uploads begun and neither completed nor aborted. */
  int openUploads() {
    return uploads.size();
  }

  /** Replaces an object's bytes as another writer would (ETag and checksum follow the bytes). */
  void overwrite(String bucket, String key, byte[] data) {
    buckets.get(bucket).put(key, whole(data));
  }

  /** Answers the operation (e.g. {@code UploadPart}) with 403 AccessDenied from now on. */
  void deny(String operation) {
    denied.add(operation);
  }

  /** The time stored objects get as LastModified (default: the system clock). */
  void setNow(Instant at) {
    now = at;
  }

  /** The most keys one ListObjectsV2 page returns (S3: 1000). */
  void setPageSize(int keys) {
    pageSize = keys;
  }

  @Override
  public String getName() {
    return "s3-fake";
  }

  @Override
  public ResponseDefinition transform(ServeEvent event) {
    Request r = event.getRequest();
    String url = r.getUrl();
    int q = url.indexOf('?');
    String path = q < 0 ? url : url.substring(0, q);
    Map<String, String> query = query(q < 0 ? "" : url.substring(q + 1));
    String rest = path.substring(1);
    int slash = rest.indexOf('/');
    String bucket = decode(slash < 0 ? rest : rest.substring(0, slash));
    String key = slash < 0 ? null : decode(rest.substring(slash + 1));
    String method = r.getMethod().getName();
    String op = operation(method, key, query);
    if (op == null) {
      return error(501, "NotImplemented", "This fake does not implement " + method + " " + url);
    }
    if (denied.contains(op)) {
      return error(403, "AccessDenied", "Access Denied");
    }
    NavigableMap<String, StoredObject> objects = buckets.get(bucket);
    if (objects == null) {
      return error(
          404, "NoSuchBucket", "The specified bucket does not exist", "BucketName", bucket);
    }
    switch (op) {
      case "PutObject":
        return putObject(r, objects, key);
      case "CreateMultipartUpload":
        return createUpload(r, bucket, key);
      case "UploadPart":
        return uploadPart(r, query);
      case "CompleteMultipartUpload":
        return complete(r, objects, bucket, key, query);
      case "AbortMultipartUpload":
        return uploads.remove(query.get("uploadId")) == null
            ? error(404, "NoSuchUpload", "The specified upload does not exist.")
            : ok(204).build();
      case "GetObject":
      case "HeadObject":
        return getObject(r, objects, key, op.equals("HeadObject"));
      case "ListObjectsV2":
        return list(objects, bucket, query);
      case "DeleteObject":
        objects.remove(key);
        return ok(204).build();
      default:
        return deleteObjects(r, objects);
    }
  }

  private static String operation(String method, String key, Map<String, String> query) {
    if (key == null) {
      if (method.equals("GET") && "2".equals(query.get("list-type"))) {
        return query.containsKey("delimiter") ? null : "ListObjectsV2";
      }
      return method.equals("POST") && query.containsKey("delete") ? "DeleteObjects" : null;
    }
    boolean upload = query.containsKey("uploadId");
    switch (method) {
      case "PUT":
        return upload ? "UploadPart" : "PutObject";
      case "POST":
        return query.containsKey("uploads")
            ? "CreateMultipartUpload"
            : upload ? "CompleteMultipartUpload" : null;
      case "GET":
        return upload ? null : "GetObject";
      case "HEAD":
        return "HeadObject";
      case "DELETE":
        return upload ? "AbortMultipartUpload" : "DeleteObject";
      default:
        return null;
    }
  }

  private ResponseDefinition putObject(
      Request r, NavigableMap<String, StoredObject> objects, String key) {
    Body body = Body.of(r);
    if (body.problem != null) {
      return body.problem;
    }
    StoredObject o = whole(body.data);
    objects.put(key, o);
    ResponseDefinitionBuilder b = ok(200).withHeader("ETag", o.etag());
    return (body.sha256 != null ? b.withHeader("x-amz-checksum-sha256", o.sha256()) : b).build();
  }

  private ResponseDefinition createUpload(Request r, String bucket, String key) {
    String algorithm = header(r, "x-amz-checksum-algorithm");
    String id = UUID.randomUUID().toString().replace("-", "");
    uploads.put(id, new Upload(bucket, key, algorithm, new ConcurrentHashMap<>()));
    ResponseDefinitionBuilder b = ok(200);
    if (algorithm != null) {
      b = b.withHeader("x-amz-checksum-algorithm", algorithm);
    }
    return xml(
        b,
        "<InitiateMultipartUploadResult xmlns=\""
            + XMLNS
            + "\"><Bucket>"
            + bucket
            + "</Bucket><Key>"
            + esc(key)
            + "</Key><UploadId>"
            + id
            + "</UploadId></InitiateMultipartUploadResult>");
  }

  private ResponseDefinition uploadPart(Request r, Map<String, String> query) {
    Upload upload = uploads.get(query.get("uploadId"));
    if (upload == null) {
      return error(404, "NoSuchUpload", "The specified upload does not exist.");
    }
    Body body = Body.of(r);
    if (body.problem != null) {
      return body.problem;
    }
    if ("SHA256".equalsIgnoreCase(upload.algorithm()) && body.sha256 == null) {
      return error(
          400,
          "InvalidRequest",
          "Checksum Type mismatch occurred, expected checksum Type: sha256, actual checksum Type:"
              + " null");
    }
    Part part = new Part(body.data, etag(body.data), sha256(body.data));
    upload.parts().put(Integer.parseInt(query.get("partNumber")), part);
    ResponseDefinitionBuilder b = ok(200).withHeader("ETag", part.etag());
    return (body.sha256 != null ? b.withHeader("x-amz-checksum-sha256", part.sha256()) : b).build();
  }

  private ResponseDefinition complete(
      Request r,
      NavigableMap<String, StoredObject> objects,
      String bucket,
      String key,
      Map<String, String> query) {
    Upload upload = uploads.get(query.get("uploadId"));
    if (upload == null || !upload.key().equals(key)) {
      return error(404, "NoSuchUpload", "The specified upload does not exist.");
    }
    Document doc = parse(r.getBody());
    NodeList parts = doc.getElementsByTagName("Part");
    if (parts.getLength() == 0) {
      return error(400, "MalformedXML", "The XML you provided was not well-formed.");
    }
    ByteArrayOutputStream data = new ByteArrayOutputStream();
    ByteArrayOutputStream md5s = new ByteArrayOutputStream();
    ByteArrayOutputStream shas = new ByteArrayOutputStream();
    int previous = 0;
    for (int i = 0; i < parts.getLength(); i++) {
      Element p = (Element) parts.item(i);
      int number = Integer.parseInt(text(p, "PartNumber"));
      if (number <= previous) {
        return error(
            400,
            "InvalidPartOrder",
            "The list of parts was not in ascending order. Parts must be ordered by part number.");
      }
      previous = number;
      Part stored = upload.parts().get(number);
      if (stored == null || !stored.etag().equals(text(p, "ETag"))) {
        return error(
            400,
            "InvalidPart",
            "One or more of the specified parts could not be found.  The part may not have been"
                + " uploaded, or the specified entity tag may not match the part's entity tag.");
      }
      if ("SHA256".equalsIgnoreCase(upload.algorithm())) {
        String sum = text(p, "ChecksumSHA256");
        if (sum == null) {
          return error(
              400,
              "InvalidRequest",
              "The upload was created using a sha256 checksum. The complete request must include"
                  + " the checksum for each part. It was missing for part "
                  + number
                  + " in the request.");
        }
        if (!sum.equals(stored.sha256())) {
          return error(
              400,
              "InvalidPart",
              "One or more of the specified parts could not be found.  The part may not have"
                  + " been uploaded, or the specified entity tag may not match the part's entity"
                  + " tag.");
        }
      }
      if (i < parts.getLength() - 1 && stored.data().length < MIN_PART) {
        return error(
            400, "EntityTooSmall", "Your proposed upload is smaller than the minimum allowed size");
      }
      data.writeBytes(stored.data());
      md5s.writeBytes(HexFormat.of().parseHex(stored.etag().replace("\"", "")));
      shas.writeBytes(Base64.getDecoder().decode(stored.sha256()));
    }
    int n = parts.getLength();
    String etag =
        "\"" + HexFormat.of().formatHex(digest("MD5", md5s.toByteArray())) + "-" + n + "\"";
    String sha =
        Base64.getEncoder().encodeToString(digest("SHA-256", shas.toByteArray())) + "-" + n;
    objects.put(key, new StoredObject(data.toByteArray(), etag, sha, true, instant()));
    uploads.remove(query.get("uploadId"));
    return xml(
        ok(200),
        "<CompleteMultipartUploadResult xmlns=\""
            + XMLNS
            + "\"><Location>"
            + endpoint()
            + "/"
            + bucket
            + "/"
            + esc(key)
            + "</Location><Bucket>"
            + bucket
            + "</Bucket><Key>"
            + esc(key)
            + "</Key><ETag>"
            + esc(etag)
            + "</ETag>"
            + ("SHA256".equalsIgnoreCase(upload.algorithm())
                ? "<ChecksumSHA256>"
                    + sha
                    + "</ChecksumSHA256><ChecksumType>COMPOSITE</ChecksumType>"
                : "")
            + "</CompleteMultipartUploadResult>");
  }

  private ResponseDefinition getObject(
      Request r, NavigableMap<String, StoredObject> objects, String key, boolean head) {
    StoredObject o = objects.get(key);
    if (o == null) {
      // HEAD responses carry no body, so S3 sends only the status.
      return head
          ? ok(404).build()
          : error(404, "NoSuchKey", "The specified key does not exist.", "Key", key);
    }
    ResponseDefinitionBuilder b =
        ok(200)
            .withHeader("ETag", o.etag())
            .withHeader("Last-Modified", HTTP_DATE.format(o.at()))
            .withHeader("Accept-Ranges", "bytes")
            .withHeader("Content-Type", "binary/octet-stream");
    if ("ENABLED".equals(header(r, "x-amz-checksum-mode"))) {
      b =
          b.withHeader("x-amz-checksum-sha256", o.sha256())
              .withHeader("x-amz-checksum-type", o.composite() ? "COMPOSITE" : "FULL_OBJECT");
    }
    if (head) {
      return b.withHeader("Content-Length", String.valueOf(o.data().length)).build();
    }
    return b.withBody(o.data()).build();
  }

  private ResponseDefinition list(
      NavigableMap<String, StoredObject> objects, String bucket, Map<String, String> query) {
    String prefix = query.getOrDefault("prefix", "");
    boolean urlEncoding = "url".equals(query.get("encoding-type"));
    int max = Math.min(pageSize, Integer.parseInt(query.getOrDefault("max-keys", "1000")));
    String token = query.get("continuation-token");
    String after =
        token != null
            ? new String(Base64.getDecoder().decode(token), StandardCharsets.UTF_8)
            : query.get("start-after");
    List<Map.Entry<String, StoredObject>> page = new ArrayList<>();
    boolean truncated = false;
    for (Map.Entry<String, StoredObject> e :
        (after == null ? objects : objects.tailMap(after, false)).entrySet()) {
      if (!e.getKey().startsWith(prefix)) {
        continue;
      }
      if (page.size() == max) {
        truncated = true;
        break;
      }
      page.add(e);
    }
    StringBuilder x = new StringBuilder();
    x.append("<ListBucketResult xmlns=\"").append(XMLNS).append("\"><Name>").append(bucket);
    x.append("</Name><Prefix>").append(key(prefix, urlEncoding)).append("</Prefix>");
    if (token != null) {
      x.append("<ContinuationToken>").append(token).append("</ContinuationToken>");
    }
    if (truncated) {
      String last = page.get(page.size() - 1).getKey();
      x.append("<NextContinuationToken>")
          .append(Base64.getEncoder().encodeToString(last.getBytes(StandardCharsets.UTF_8)))
          .append("</NextContinuationToken>");
    }
    x.append("<KeyCount>").append(page.size()).append("</KeyCount>");
    x.append("<MaxKeys>").append(max).append("</MaxKeys>");
    if (urlEncoding) {
      x.append("<EncodingType>url</EncodingType>");
    }
    x.append("<IsTruncated>").append(truncated).append("</IsTruncated>");
    for (Map.Entry<String, StoredObject> e : page) {
      StoredObject o = e.getValue();
      x.append("<Contents><Key>").append(key(e.getKey(), urlEncoding)).append("</Key>");
      x.append("<LastModified>")
          .append(DateTimeFormatter.ISO_INSTANT.format(o.at().truncatedTo(ChronoUnit.MILLIS)))
          .append("</LastModified>");
      x.append("<ETag>").append(esc(o.etag())).append("</ETag>");
      x.append("<ChecksumAlgorithm>SHA256</ChecksumAlgorithm>");
      x.append("<ChecksumType>").append(o.composite() ? "COMPOSITE" : "FULL_OBJECT");
      x.append("</ChecksumType><Size>").append(o.data().length).append("</Size>");
      x.append("<StorageClass>STANDARD</StorageClass></Contents>");
    }
    x.append("</ListBucketResult>");
    return xml(ok(200), x.toString());
  }

  private ResponseDefinition deleteObjects(Request r, NavigableMap<String, StoredObject> objects) {
    if (header(r, "Content-MD5") == null && !hasChecksumHeader(r)) {
      return error(
          400,
          "InvalidRequest",
          "Missing required header for this request: Content-MD5 OR x-amz-checksum-*");
    }
    Document doc = parse(r.getBody());
    boolean quiet = "true".equals(text(doc.getDocumentElement(), "Quiet"));
    StringBuilder x = new StringBuilder("<DeleteResult xmlns=\"" + XMLNS + "\">");
    NodeList items = doc.getElementsByTagName("Object");
    for (int i = 0; i < items.getLength(); i++) {
      String key = text((Element) items.item(i), "Key");
      objects.remove(key);
      if (!quiet) {
        x.append("<Deleted><Key>").append(esc(key)).append("</Key></Deleted>");
      }
    }
    return xml(ok(200), x.append("</DeleteResult>").toString());
  }

  // --- request bodies

  /** A request body decoded from aws-chunked when so sent, with the SHA-256 it claims. */
  private static final class Body {
    byte[] data;
    String sha256;
    ResponseDefinition problem;

    static Body of(Request r) {
      Body b = new Body();
      byte[] raw = r.getBody();
      Map<String, String> trailers = new LinkedHashMap<>();
      String content = header(r, "x-amz-content-sha256");
      String encoding = header(r, "Content-Encoding");
      boolean chunked =
          (content != null && content.startsWith("STREAMING-"))
              || (encoding != null && encoding.contains("aws-chunked"));
      b.data = chunked ? unchunk(raw, trailers) : raw;
      String decoded = header(r, "x-amz-decoded-content-length");
      if (chunked && decoded != null && Long.parseLong(decoded) != b.data.length) {
        b.problem =
            error(
                400,
                "IncompleteBody",
                "You did not provide the number of bytes specified by the Content-Length HTTP"
                    + " header");
        return b;
      }
      String claimed = header(r, "x-amz-checksum-sha256");
      b.sha256 = claimed != null ? claimed : trailers.get("x-amz-checksum-sha256");
      if (b.sha256 != null && !b.sha256.equals(sha256(b.data))) {
        b.problem =
            error(
                400,
                "BadDigest",
                "The SHA256 you specified did not match the calculated checksum.");
      }
      return b;
    }
  }

  /** Decodes aws-chunked: {@code <hex size>[;chunk-signature=..]\r\n<data>\r\n}, then trailers. */
  private static byte[] unchunk(byte[] raw, Map<String, String> trailers) {
    ByteArrayInputStream in = new ByteArrayInputStream(raw);
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    while (true) {
      String header = line(in);
      int semi = header.indexOf(';');
      int size = Integer.parseInt((semi < 0 ? header : header.substring(0, semi)).trim(), 16);
      if (size == 0) {
        break;
      }
      byte[] chunk = new byte[size];
      if (in.read(chunk, 0, size) != size) {
        throw new IllegalStateException("aws-chunked body ends inside a chunk");
      }
      out.writeBytes(chunk);
      line(in);
    }
    for (String t = line(in); !t.isEmpty(); t = line(in)) {
      int colon = t.indexOf(':');
      trailers.put(t.substring(0, colon).trim().toLowerCase(), t.substring(colon + 1).trim());
    }
    return out.toByteArray();
  }

  private static String line(ByteArrayInputStream in) {
    StringBuilder sb = new StringBuilder();
    int c;
    while ((c = in.read()) >= 0) {
      if (c == '\r') {
        in.read();
        break;
      }
      sb.append((char) c);
    }
    return sb.toString();
  }

  private static boolean hasChecksumHeader(Request r) {
    return r.getAllHeaderKeys().stream()
        .anyMatch(h -> h.toLowerCase().startsWith("x-amz-checksum-"));
  }

  // --- helpers

  private StoredObject whole(byte[] data) {
    return new StoredObject(data, etag(data), sha256(data), false, instant());
  }

  private Instant instant() {
    return now != null ? now : Instant.now();
  }

  private ResponseDefinitionBuilder ok(int status) {
    String id = String.format("%016X", requestIds.incrementAndGet());
    return ResponseDefinitionBuilder.responseDefinition()
        .withStatus(status)
        .withHeader("x-amz-request-id", id)
        .withHeader("x-amz-id-2", Base64.getEncoder().encodeToString(id.getBytes()))
        .withHeader("Server", "AmazonS3");
  }

  private static ResponseDefinition xml(ResponseDefinitionBuilder b, String body) {
    return b.withHeader("Content-Type", "application/xml")
        .withBody("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n" + body)
        .build();
  }

  private static ResponseDefinition error(
      int status, String code, String message, String... extra) {
    String id = UUID.randomUUID().toString().substring(0, 16).toUpperCase();
    StringBuilder x = new StringBuilder("<Error><Code>" + code + "</Code><Message>");
    x.append(esc(message)).append("</Message>");
    for (int i = 0; i + 1 < extra.length; i += 2) {
      x.append('<').append(extra[i]).append('>').append(esc(extra[i + 1]));
      x.append("</").append(extra[i]).append('>');
    }
    x.append("<RequestId>").append(id).append("</RequestId><HostId>");
    x.append(Base64.getEncoder().encodeToString(id.getBytes())).append("</HostId></Error>");
    return xml(
        ResponseDefinitionBuilder.responseDefinition()
            .withStatus(status)
            .withHeader("x-amz-request-id", id),
        x.toString());
  }

  private static String header(Request r, String name) {
    return r.containsHeader(name) ? r.getHeader(name) : null;
  }

  private static Map<String, String> query(String q) {
    Map<String, String> m = new LinkedHashMap<>();
    for (String pair : q.split("&")) {
      if (pair.isEmpty()) {
        continue;
      }
      int eq = pair.indexOf('=');
      m.put(
          decode(eq < 0 ? pair : pair.substring(0, eq)),
          eq < 0 ? "" : decode(pair.substring(eq + 1)));
    }
    return m;
  }

  private static String decode(String s) {
    return URLDecoder.decode(s.replace("+", "%2B"), StandardCharsets.UTF_8);
  }

  private static String key(String key, boolean urlEncoding) {
    return urlEncoding
        ? URLEncoder.encode(key, StandardCharsets.UTF_8).replace("+", "%20").replace("%2F", "/")
        : esc(key);
  }

  private static Document parse(byte[] xml) {
    try {
      DocumentBuilderFactory f = DocumentBuilderFactory.newInstance();
      f.setFeature("http://apache.org/xml/features/disallow-doctype-decl", true);
      return f.newDocumentBuilder().parse(new ByteArrayInputStream(xml));
    } catch (Exception e) {
      throw new IllegalStateException("malformed XML: " + e.getMessage(), e);
    }
  }

  private static String text(Element parent, String tag) {
    NodeList l = parent.getElementsByTagName(tag);
    return l.getLength() == 0 ? null : l.item(0).getTextContent();
  }

  private static String esc(String s) {
    return s.replace("&", "&amp;")
        .replace("<", "&lt;")
        .replace(">", "&gt;")
        .replace("\"", "&quot;");
  }

  static String etag(byte[] data) {
    return "\"" + HexFormat.of().formatHex(digest("MD5", data)) + "\"";
  }

  static String sha256(byte[] data) {
    return Base64.getEncoder().encodeToString(digest("SHA-256", data));
  }

  private static byte[] digest(String algorithm, byte[] data) {
    try {
      return MessageDigest.getInstance(algorithm).digest(data);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  @Override
  public void close() {
    server.stop();
  }
}

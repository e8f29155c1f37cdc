package io.dbrecover.neon.internal;

import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;

/**
 * The URL of one Neon API call: the base URL, then each path segment and each query parameter
 * percent-encoded on its own, so an identifier can never change the path or add a parameter.
 */
final class ApiUrl {
  // Printable ASCII sent as it is in a path segment / a query name or value; everything else is
  // percent-encoded as UTF-8 (RFC 3986; the sets OkHttp used before, so the wire is unchanged).
  private static final String PATH_SEGMENT_KEEP = keep(" \"<>^`{}|/\\?#%");
  private static final String QUERY_KEEP = keep(" !\"#$&'(),/:;<=>?@[]\\^`{|}~%+");

  private ApiUrl() {}

  /** {@code base} + {@code /segment}... + {@code ?name=value}... (null values left out). */
  static URI of(URI base, List<String> path, Map<String, String> query) {
    StringBuilder url = new StringBuilder();
    url.append(base.getScheme()).append("://").append(base.getRawAuthority());
    String basePath = base.getRawPath() == null ? "" : base.getRawPath();
    url.append(basePath.endsWith("/") ? basePath.substring(0, basePath.length() - 1) : basePath);
    path.forEach(segment -> url.append('/').append(encode(segment, PATH_SEGMENT_KEEP)));
    String separator = "?";
    if (base.getRawQuery() != null) {
      url.append('?').append(base.getRawQuery());
      separator = "&";
    }
    for (Map.Entry<String, String> q : query.entrySet()) {
      if (q.getValue() != null) {
        url.append(separator)
            .append(encode(q.getKey(), QUERY_KEEP))
            .append('=')
            .append(encode(q.getValue(), QUERY_KEEP));
        separator = "&";
      }
    }
    return URI.create(url.toString());
  }

  private static String keep(String encoded) {
    StringBuilder sb = new StringBuilder();
    for (char c = 0x21; c < 0x7f; c++) {
      if (encoded.indexOf(c) < 0) {
        sb.append(c);
      }
    }
    return sb.toString();
  }

  private static String encode(String s, String keep) {
    StringBuilder sb = new StringBuilder();
    for (byte b : s.getBytes(StandardCharsets.UTF_8)) {
      char c = (char) (b & 0xff);
      if (keep.indexOf(c) >= 0) {
        sb.append(c);
      } else {
        sb.append('%')
            .append(Character.toUpperCase(Character.forDigit(c >> 4, 16)))
            .append(Character.toUpperCase(Character.forDigit(c & 0xf, 16)));
      }
    }
    return sb.toString();
  }
}

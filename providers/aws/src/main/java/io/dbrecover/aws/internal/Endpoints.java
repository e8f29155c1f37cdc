package io.dbrecover.aws.internal;

import io.dbrecover.engine.api.DbUrl;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.Map;

/** Builds URLs to a restored instance from the live URL: same credentials, new endpoint. */
public final class Endpoints {
  private Endpoints() {}

  /** {@code live} with its host and port replaced; user, password, database and params kept. */
  public static DbUrl withEndpoint(DbUrl live, String host, int port) {
    StringBuilder sb = new StringBuilder("postgresql://");
    live.user()
        .ifPresent(
            u -> {
              sb.append(encode(u));
              live.password().ifPresent(p -> sb.append(':').append(encode(p.reveal())));
              sb.append('@');
            });
    sb.append(host).append(':').append(port).append('/').append(encode(live.database()));
    String sep = "?";
    for (Map.Entry<String, String> e : live.params().entrySet()) {
      sb.append(sep).append(encode(e.getKey())).append('=').append(encode(e.getValue()));
      sep = "&";
    }
    return DbUrl.parse(sb.toString());
  }

  private static String encode(String s) {
    return URLEncoder.encode(s, StandardCharsets.UTF_8).replace("+", "%20");
  }
}

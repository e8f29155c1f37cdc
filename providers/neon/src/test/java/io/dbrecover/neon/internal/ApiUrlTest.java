package io.dbrecover.neon.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ApiUrlTest {
  private static final URI BASE = URI.create("https://console.neon.tech/api/v2");

  @Test
  void of_appendsEachSegmentToTheBasePath() {
    assertThat(ApiUrl.of(BASE, List.of("projects", "p-1", "branches"), Map.of()))
        .hasToString("https://console.neon.tech/api/v2/projects/p-1/branches");
  }

  @Test
  void of_baseWithATrailingSlash_doesNotDoubleIt() {
    assertThat(
            ApiUrl.of(URI.create("http://localhost:8080/api/v2/"), List.of("projects"), Map.of()))
        .hasToString("http://localhost:8080/api/v2/projects");
  }

  @Test
  void of_leavesOutNullValues_andKeepsTheOrder() {
    Map<String, String> query = new LinkedHashMap<>();
    query.put("search", "main");
    query.put("cursor", null);
    query.put("limit", "10");

    assertThat(ApiUrl.of(BASE, List.of("projects"), query))
        .hasToString("https://console.neon.tech/api/v2/projects?search=main&limit=10");
  }

  @Test
  void of_aSegmentWithASlash_staysOneSegment() {
    URI url = ApiUrl.of(BASE, List.of("projects", "../other"), Map.of());

    assertThat(url.getRawPath()).isEqualTo("/api/v2/projects/..%2Fother");
  }

  @Test
  void of_aValueWithAnAmpersand_addsNoParameter() {
    URI url = ApiUrl.of(BASE, List.of("projects"), Map.of("search", "x&limit=1"));

    assertThat(url.getRawQuery()).isEqualTo("search=x%26limit%3D1");
  }

  @Test
  void of_keepsTheBasesOwnQuery() {
    URI url =
        ApiUrl.of(
            URI.create("http://localhost/api/v2?org=o"), List.of("projects"), Map.of("a", "b"));

    assertThat(url).hasToString("http://localhost/api/v2/projects?org=o&a=b");
  }
}

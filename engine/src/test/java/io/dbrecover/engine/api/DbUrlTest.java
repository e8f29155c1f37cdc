package io.dbrecover.engine.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class DbUrlTest {

  @Test
  void parse_uriWithPassword_keepsPasswordSecret() {
    DbUrl url = DbUrl.parse("postgresql://app:s3cr%40t@db.example.com:6543/shop?sslmode=require");

    assertThat(url.user()).contains("app");
    assertThat(url.password().map(Secret::reveal)).contains("s3cr@t");
    assertThat(url.host()).isEqualTo("db.example.com");
    assertThat(url.port()).isEqualTo(6543);
    assertThat(url.database()).isEqualTo("shop");
    assertThat(url.toString())
        .isEqualTo("postgresql://app:****@db.example.com:6543/shop?sslmode=require");
  }

  @Test
  void parse_jdbcUrlWithPasswordParameter_movesCredentialsOutOfParams() {
    DbUrl url = DbUrl.parse("jdbc:postgresql://localhost/app?user=u&password=pw&ssl=true");

    assertThat(url.user()).contains("u");
    assertThat(url.password().map(Secret::reveal)).contains("pw");
    assertThat(url.params()).containsOnlyKeys("ssl");
    assertThat(url.jdbcUrl()).isEqualTo("jdbc:postgresql://localhost:5432/app?ssl=true");
  }

  @Test
  void toSecretUri_roundTripsThroughParse() {
    DbUrl url = DbUrl.parse("postgres://u:p%3Aw%2Fd@h:1/d");

    assertThat(DbUrl.parse(url.toSecretUri().reveal())).isEqualTo(url);
  }

  @Test
  void withDatabase_keepsCredentials() {
    DbUrl url = DbUrl.parse("postgresql://u:pw@h:1/a").withDatabase("b");

    assertThat(url.database()).isEqualTo("b");
    assertThat(url.password().map(Secret::reveal)).contains("pw");
  }

  @Test
  void parse_garbage_failsWithoutEchoingPassword() {
    assertThatThrownBy(() -> DbUrl.parse("mysql://root:hunter2@h/db"))
        .isInstanceOf(ConfigurationException.class)
        .hasMessageContaining("not a PostgreSQL URL")
        .hasMessageNotContaining("hunter2");
  }

  @Test
  void redact_scrubsUrlsAndKeywordPasswordsInText() {
    String text = "connect postgresql://u:hunter2@h:5432/db failed; password=hunter2 host=h";

    assertThat(DbUrl.redact(text))
        .doesNotContain("hunter2")
        .contains("postgresql://u:****@h:5432/db")
        .contains("password=****");
  }

  @Test
  void scrub_longPassword_replacedWhereverItStands() {
    DbUrl url = DbUrl.parse("postgresql://u:s3cr3t-pw@h:5432/db");

    assertThat(url.scrub("FATAL: role xs3cr3t-pwx; pg_dump: error: s3cr3t-pw"))
        .isEqualTo("FATAL: role x****x; pg_dump: error: ****");
  }

  @Test
  void scrub_shortPassword_replacedOnlyAsAWordSoTheMessageStaysReadable() {
    DbUrl url = DbUrl.parse("postgresql://u:a@h:5432/db");

    assertThat(url.scrub("password authentication failed for user \"app\" (password a)"))
        .isEqualTo("password authentication failed for user \"app\" (password ****)");
  }

  @Test
  void scrub_noPassword_onlyRedactsUrls() {
    DbUrl url = DbUrl.parse("postgresql://u@h:5432/db");

    assertThat(url.scrub("see postgresql://x:y@h/db")).isEqualTo("see postgresql://x:****@h/db");
  }
}

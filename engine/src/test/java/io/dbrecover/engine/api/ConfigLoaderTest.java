package io.dbrecover.engine.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ConfigLoaderTest {
  private static final Map<String, String> ENV =
      Map.of("DATABASE_URL", "postgresql://app:s3cret@db.example.com:5432/app");

  @TempDir Path dir;

  @Test
  void load_fullFile_readsEveryKey() throws IOException {
    Path file =
        write(
            "state-dir: state",
            "environments:",
            "  production:",
            "    tier: production",
            "    protection: confirm",
            "    database:",
            "      provider: neon",
            "      url: ${DATABASE_URL}",
            "      options: { project-id: \"${NEON_PROJECT:-calm-bird-123}\", branch: main }",
            "    backup-store: ./backups",
            "    url-target: { type: dotenv, path: .env, key: APP_DB }",
            "    migrations: { tool: prisma, dir: prisma/migrations }",
            "    allowed-methods: [dump-restore, point-in-time]",
            "    retention: { keep-last: 5, max-age: 12h, safety-max-age: 2w }",
            "    verify:",
            "      smoke-queries:",
            "        - { name: users readable, sql: \"select count(*) from users\", expect: null }",
            "        - { name: one, sql: select 1, expect: '1' }",
            "    jobs: 2");

    DbRecoverConfig config = ConfigLoader.load(file, ENV);

    assertThat(config.source()).contains(file);
    assertThat(config.stateDir()).isEqualTo(dir.resolve("state"));
    EnvironmentConfig prod = config.environment("production");
    assertThat(prod.tier()).isEqualTo(Tier.PRODUCTION);
    assertThat(prod.protection()).isEqualTo(ProtectionLevel.CONFIRM);
    assertThat(prod.database())
        .isEqualTo(
            new EnvironmentConfig.Database(
                "neon",
                "postgresql://app:s3cret@db.example.com:5432/app",
                false,
                Map.of("project-id", "calm-bird-123", "branch", "main")));
    assertThat(prod.backupStore()).isEqualTo(dir.resolve("backups"));
    assertThat(prod.urlTarget())
        .isEqualTo(
            new EnvironmentConfig.UrlTarget("dotenv", dir.resolve(".env").toString(), "APP_DB"));
    assertThat(prod.migrations())
        .isEqualTo(
            new EnvironmentConfig.Migrations(
                MigrationTool.PRISMA, dir.resolve("prisma/migrations")));
    assertThat(prod.allowedMethods())
        .containsExactlyInAnyOrder(Method.DUMP_RESTORE, Method.POINT_IN_TIME);
    assertThat(prod.retention())
        .isEqualTo(new EnvironmentConfig.Retention(5, Duration.ofHours(12), Duration.ofDays(14)));
    assertThat(prod.smokeQueries())
        .containsExactly(
            new EnvironmentConfig.SmokeQuery("users readable", "select count(*) from users", null),
            new EnvironmentConfig.SmokeQuery("one", "select 1", "1"));
    assertThat(prod.jobs()).isEqualTo(2);
  }

  @Test
  void load_minimalProductionEnvironment_appliesDefaults() throws IOException {
    Path file =
        write(
            "environments:",
            "  prod:",
            "    database: { provider: postgres, url: \"${DATABASE_URL}\" }");

    EnvironmentConfig prod = ConfigLoader.load(file, ENV).environment("prod");

    assertThat(prod.tier()).isEqualTo(Tier.PRODUCTION);
    assertThat(prod.protection()).isEqualTo(ProtectionLevel.STRICT);
    assertThat(prod.allowedMethods()).isEqualTo(EnumSet.complementOf(EnumSet.of(Method.RESET)));
    assertThat(prod.backupStore()).isEqualTo(dir.resolve(".dbrecover/backups"));
    assertThat(prod.urlTarget()).isNull();
    assertThat(prod.migrations())
        .isEqualTo(new EnvironmentConfig.Migrations(MigrationTool.SQL, null));
    assertThat(prod.retention()).isEqualTo(EnvironmentConfig.Retention.DEFAULT);
    assertThat(prod.jobs()).isEqualTo(ConfigLoader.defaultJobs()).isBetween(1, 4);
  }

  @Test
  void load_developmentTier_defaultsToNoProtectionAndAllowsReset() throws IOException {
    Path file =
        write(
            "environments:",
            "  dev:",
            "    tier: development",
            "    database: { provider: postgres, embedded: true }");

    EnvironmentConfig dev = ConfigLoader.load(file, ENV).environment("dev");

    assertThat(dev.protection()).isEqualTo(ProtectionLevel.NONE);
    assertThat(dev.allowedMethods()).contains(Method.RESET);
  }

  @Test
  void load_stagingTier_defaultsToConfirm() throws IOException {
    Path file =
        write(
            "environments:",
            "  staging:",
            "    tier: staging",
            "    database: { provider: postgres, embedded: true }");

    assertThat(ConfigLoader.load(file, ENV).environment("staging").protection())
        .isEqualTo(ProtectionLevel.CONFIRM);
  }

  @Test
  void load_invalidEnumValue_namesFileLineAndKeyPath() throws IOException {
    Path file =
        write(
            "# dbrecover",
            "environments:",
            "  production:",
            "    tier: production",
            "    database:",
            "      url: ${DATABASE_URL}",
            "    protection: stric",
            "      ");

    assertThatThrownBy(() -> ConfigLoader.load(file, ENV))
        .isInstanceOf(ConfigurationException.class)
        .hasMessage(
            file
                + ":7: environments.production.protection: 'stric' is not one of none, confirm,"
                + " strict");
  }

  @Test
  void load_unknownKey_listsValidKeys() throws IOException {
    Path file =
        write(
            "environments:",
            "  prod:",
            "    database: { provider: postgres, url: \"${DATABASE_URL}\" }",
            "    retention: { keep-last: 3, max_age: 3d }");

    assertThatThrownBy(() -> ConfigLoader.load(file, ENV))
        .isInstanceOf(ConfigurationException.class)
        .hasMessage(
            file
                + ":4: environments.prod.retention.max_age: unknown key; valid keys: keep-last,"
                + " max-age, safety-max-age");
  }

  @Test
  void load_unknownTopLevelKey_listsValidKeys() throws IOException {
    Path file = write("environment:", "  prod: {}");

    assertThatThrownBy(() -> ConfigLoader.load(file, ENV))
        .isInstanceOf(ConfigurationException.class)
        .hasMessage(
            file
                + ":1: environment: unknown key; valid keys: state-dir, state-store,"
                + " environments");
  }

  @Test
  void load_noStateStore_keepsJournalsAndLocksInFiles() throws IOException {
    Path file =
        write(
            "environments:",
            "  prod:",
            "    database: { provider: postgres, url: \"${DATABASE_URL}\" }");

    assertThat(ConfigLoader.load(file, ENV).stateStore()).isEqualTo(StateStoreConfig.FILES);
  }

  @Test
  void load_stateStore_readsTypeAndOptions() throws IOException {
    Path file =
        write(
            "state-store:",
            "  type: dynamodb",
            "  options: { table: dbrecover-state, region: eu-west-1 }",
            "environments:",
            "  prod:",
            "    database: { provider: postgres, url: \"${DATABASE_URL}\" }");

    assertThat(ConfigLoader.load(file, ENV).stateStore())
        .isEqualTo(
            new StateStoreConfig(
                "dynamodb", Map.of("table", "dbrecover-state", "region", "eu-west-1")));
  }

  @Test
  void load_stateStoreWithoutType_namesTheMissingKey() throws IOException {
    Path file =
        write(
            "state-store:",
            "  options: { table: t }",
            "environments:",
            "  prod:",
            "    database: { provider: postgres, url: \"${DATABASE_URL}\" }");

    assertThatThrownBy(() -> ConfigLoader.load(file, ENV))
        .isInstanceOf(ConfigurationException.class)
        .hasMessage(file + ":2: state-store.type: missing; this key is required");
  }

  @Test
  void load_unsetVariableWithoutDefault_namesTheVariable() throws IOException {
    Path file =
        write(
            "environments:",
            "  prod:",
            "    database:",
            "      provider: postgres",
            "      url: ${PROD_URL}");

    assertThatThrownBy(() -> ConfigLoader.load(file, ENV))
        .isInstanceOf(ConfigurationException.class)
        .hasMessage(
            file
                + ":5: environments.prod.database.url: environment variable PROD_URL is not set;"
                + " set it or write ${PROD_URL:-default}");
  }

  @Test
  void load_unsetVariableWithDefault_usesTheDefault() throws IOException {
    Path file =
        write(
            "environments:",
            "  prod:",
            "    database: { provider: postgres, url: \"${PROD_URL:-postgresql://localhost/app}\" }");

    assertThat(ConfigLoader.load(file, Map.of()).environment("prod").database().url())
        .isEqualTo("postgresql://localhost/app");
  }

  @Test
  void load_doubledDollar_isALiteral() throws IOException {
    Path file =
        write(
            "environments:",
            "  prod:",
            "    database: { provider: postgres, embedded: true }",
            "    verify: { smoke-queries: [ { name: lit, sql: \"select '$${x}'\" } ] }");

    assertThat(ConfigLoader.load(file, Map.of()).environment("prod").smokeQueries().get(0).sql())
        .isEqualTo("select '${x}'");
  }

  @Test
  void load_badDuration_namesLineAndExplainsFormat() throws IOException {
    Path file =
        write(
            "environments:",
            "  prod:",
            "    database: { provider: postgres, url: \"${DATABASE_URL}\" }",
            "    retention:",
            "      max-age: 30 days");

    assertThatThrownBy(() -> ConfigLoader.load(file, ENV))
        .isInstanceOf(ConfigurationException.class)
        .hasMessage(
            file
                + ":5: environments.prod.retention.max-age: '30 days' is not a duration; use a"
                + " number followed by s, m, h, d or w, e.g. 30d, 12h, 15m");
  }

  @Test
  void load_yamlSyntaxError_givesFileAndLine() throws IOException {
    Path file = write("environments:", "  prod:", "    tier: [production", "    jobs: 2");

    assertThatThrownBy(() -> ConfigLoader.load(file, ENV))
        .isInstanceOf(ConfigurationException.class)
        .hasMessageStartingWith(file + ":4: invalid YAML: ");
  }

  @Test
  void load_missingDatabase_namesTheEnvironment() throws IOException {
    Path file = write("environments:", "  prod:", "    tier: production");

    assertThatThrownBy(() -> ConfigLoader.load(file, ENV))
        .isInstanceOf(ConfigurationException.class)
        .hasMessage(file + ":3: environments.prod.database: missing; this key is required");
  }

  @Test
  void load_databaseWithoutUrl_saysWhatIsNeeded() throws IOException {
    Path file = write("environments:", "  prod:", "    database:", "      provider: postgres");

    assertThatThrownBy(() -> ConfigLoader.load(file, ENV))
        .isInstanceOf(ConfigurationException.class)
        .hasMessage(
            file
                + ":4: environments.prod.database: needs a url (or embedded: true, or provider"
                + " options)");
  }

  @Test
  void load_invalidUrl_isRedacted() throws IOException {
    Path file =
        write(
            "environments:",
            "  prod:",
            "    database: { provider: postgres, url: \"mysql://root:hunter2@db/app\" }");

    assertThatThrownBy(() -> ConfigLoader.load(file, ENV))
        .isInstanceOf(ConfigurationException.class)
        .hasMessage(
            file
                + ":3: environments.prod.database.url: not a PostgreSQL URL; expected"
                + " postgresql://user:password@host:5432/database")
        .hasMessageNotContaining("hunter2");
  }

  @Test
  void load_duplicateKey_isAnError() throws IOException {
    Path file =
        write(
            "environments:",
            "  prod:",
            "    database: { provider: postgres, embedded: true }",
            "    jobs: 2",
            "    jobs: 3");

    assertThatThrownBy(() -> ConfigLoader.load(file, ENV))
        .isInstanceOf(ConfigurationException.class)
        .hasMessage(file + ":5: environments.prod.jobs: duplicate key");
  }

  @Test
  void load_unknownMethod_listsMethods() throws IOException {
    Path file =
        write(
            "environments:",
            "  prod:",
            "    database: { provider: postgres, embedded: true }",
            "    allowed-methods:",
            "      - dump-restore",
            "      - pitr");

    assertThatThrownBy(() -> ConfigLoader.load(file, ENV))
        .isInstanceOf(ConfigurationException.class)
        .hasMessage(
            file
                + ":6: environments.prod.allowed-methods[1]: 'pitr' is not one of app-rollback,"
                + " reset, forward-fix, branch-restore, point-in-time, snapshot-restore,"
                + " dump-restore");
  }

  @Test
  void load_zeroJobs_isAnError() throws IOException {
    Path file =
        write(
            "environments:",
            "  prod:",
            "    database: { provider: postgres, embedded: true }",
            "    jobs: 0");

    assertThatThrownBy(() -> ConfigLoader.load(file, ENV))
        .isInstanceOf(ConfigurationException.class)
        .hasMessage(file + ":4: environments.prod.jobs: '0' is not a whole number of at least 1");
  }

  @Test
  void load_mappingExpected_saysWhatWasFound() throws IOException {
    Path file = write("environments:", "  prod:", "    database: postgresql://u:pw@h/db");

    assertThatThrownBy(() -> ConfigLoader.load(file, ENV))
        .isInstanceOf(ConfigurationException.class)
        .hasMessage(
            file
                + ":3: environments.prod.database: expected a mapping, got"
                + " 'postgresql://u:****@h/db'");
  }

  @Test
  void load_badEnvironmentName_namesTheKeyLine() throws IOException {
    Path file =
        write("environments:", "  \"prod env\":", "    database: { provider: x, embedded: true }");

    assertThatThrownBy(() -> ConfigLoader.load(file, ENV))
        .isInstanceOf(ConfigurationException.class)
        .hasMessage(
            file
                + ":2: environments.prod env: environment names may only contain letters, digits,"
                + " '.', '_' and '-'");
  }

  @Test
  void load_emptyFile_saysWhatIsExpected() throws IOException {
    Path file = write("# nothing here");

    assertThatThrownBy(() -> ConfigLoader.load(file, ENV))
        .isInstanceOf(ConfigurationException.class)
        .hasMessage(file + ":1: the file is empty; expected a mapping with 'environments'");
  }

  @Test
  void load_missingFile_saysFileNotFound() {
    Path file = dir.resolve("absent.yaml");

    assertThatThrownBy(() -> ConfigLoader.load(file, ENV))
        .isInstanceOf(ConfigurationException.class)
        .hasMessageStartingWith(file + ": file not found");
  }

  @Test
  void embeddedDefault_isOneDevelopmentEnvironmentUnderTheStateDir() {
    DbRecoverConfig config = ConfigLoader.embeddedDefault(dir);

    assertThat(config.source()).isEqualTo(Optional.empty());
    assertThat(config.stateDir()).isEqualTo(dir);
    assertThat(config.environments()).containsOnlyKeys("embedded");
    EnvironmentConfig env = config.environment("embedded");
    assertThat(env.tier()).isEqualTo(Tier.DEVELOPMENT);
    assertThat(env.protection()).isEqualTo(ProtectionLevel.NONE);
    assertThat(env.database())
        .isEqualTo(new EnvironmentConfig.Database("postgres", null, true, Map.of()));
    assertThat(env.backupStore()).isEqualTo(dir.resolve("backups"));
    assertThat(env.urlTarget())
        .isEqualTo(
            new EnvironmentConfig.UrlTarget(
                "dotenv", dir.resolve("embedded.env").toString(), "DATABASE_URL"));
    assertThat(env.migrations().tool()).isEqualTo(MigrationTool.SQL);
    assertThat(env.allowedMethods()).isEqualTo(EnumSet.allOf(Method.class));
    assertThat(env.retention()).isEqualTo(EnvironmentConfig.Retention.DEFAULT);
    assertThat(env.smokeQueries()).isEqualTo(List.of());
    assertThat(env.jobs()).isEqualTo(ConfigLoader.defaultJobs());
  }

  @Test
  void load_s3BackupStore_isRemoteWithAStagingDirectoryUnderTheStateDir() throws IOException {
    Path file =
        write(
            "environments:",
            "  prod:",
            "    database: { provider: postgres, url: \"${DATABASE_URL}\" }",
            "    backup-store: s3://acme-backups/dbrecover/prod/");

    EnvironmentConfig prod = ConfigLoader.load(file, ENV).environment("prod");

    assertThat(prod.remoteStore().scheme()).isEqualTo("s3");
    assertThat(prod.remoteStore().bucket()).isEqualTo("acme-backups");
    assertThat(prod.remoteStore().prefix()).isEqualTo("dbrecover/prod");
    assertThat(prod.remoteStore().options()).isEmpty();
    assertThat(prod.remoteStore()).hasToString("s3://acme-backups/dbrecover/prod");
    assertThat(prod.backupStore()).isEqualTo(dir.resolve(".dbrecover/staging/prod"));
  }

  @Test
  void load_s3BackupStoreMapping_readsUrlAndOptions() throws IOException {
    Path file =
        write(
            "environments:",
            "  prod:",
            "    database: { provider: postgres, url: \"${DATABASE_URL}\" }",
            "    backup-store:",
            "      url: s3://${BUCKET:-acme}",
            "      options: { part-size: 64MiB, region: eu-west-1 }");

    EnvironmentConfig prod = ConfigLoader.load(file, ENV).environment("prod");

    assertThat(prod.remoteStore().bucket()).isEqualTo("acme");
    assertThat(prod.remoteStore().prefix()).isEmpty();
    assertThat(prod.remoteStore().options())
        .isEqualTo(Map.of("part-size", "64MiB", "region", "eu-west-1"));
  }

  @Test
  void load_directoryBackupStore_hasNoRemoteStore() throws IOException {
    Path file =
        write(
            "environments:",
            "  prod:",
            "    database: { provider: postgres, url: \"${DATABASE_URL}\" }",
            "    backup-store: { url: ./dumps }");

    EnvironmentConfig prod = ConfigLoader.load(file, ENV).environment("prod");

    assertThat(prod.remoteStore()).isNull();
    assertThat(prod.backupStore()).isEqualTo(dir.resolve("dumps"));
  }

  @Test
  void load_unknownBackupStoreScheme_namesTheSupportedForms() throws IOException {
    Path file =
        write(
            "environments:",
            "  prod:",
            "    database: { provider: postgres, url: \"${DATABASE_URL}\" }",
            "    backup-store: gs://acme/prod");

    assertThatThrownBy(() -> ConfigLoader.load(file, ENV))
        .isInstanceOf(ConfigurationException.class)
        .hasMessage(
            file
                + ":4: environments.prod.backup-store: 'gs://acme/prod' is not supported; use a"
                + " directory or s3://bucket/prefix");
  }

  @Test
  void load_s3UrlWithCredentials_isRefusedWithoutEchoingThem() throws IOException {
    Path file =
        write(
            "environments:",
            "  prod:",
            "    database: { provider: postgres, url: \"${DATABASE_URL}\" }",
            "    backup-store: s3://AKIDEXAMPLE:hunter2@acme/prod");

    assertThatThrownBy(() -> ConfigLoader.load(file, ENV))
        .isInstanceOf(ConfigurationException.class)
        .hasMessageContaining("environments.prod.backup-store: backup-store URL must be")
        .hasMessageContaining("credentials come from the provider's standard chain")
        .hasMessageNotContaining("hunter2")
        .hasMessageNotContaining("AKIDEXAMPLE");
  }

  @Test
  void load_optionsOnADirectoryStore_isAnError() throws IOException {
    Path file =
        write(
            "environments:",
            "  prod:",
            "    database: { provider: postgres, url: \"${DATABASE_URL}\" }",
            "    backup-store:",
            "      url: ./dumps",
            "      options: { part-size: 8MiB }");

    assertThatThrownBy(() -> ConfigLoader.load(file, ENV))
        .isInstanceOf(ConfigurationException.class)
        .hasMessage(
            file
                + ":6: environments.prod.backup-store.options: options are for a remote store"
                + " (url: s3://bucket/prefix); a directory has none");
  }

  private Path write(String... lines) throws IOException {
    Path file = dir.resolve("dbrecover.yaml");
    Files.write(file, List.of(lines));
    return file;
  }
}

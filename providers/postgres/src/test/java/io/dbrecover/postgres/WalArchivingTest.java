package io.dbrecover.postgres;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;

class WalArchivingTest {
  @Test
  void archiveCommand_refusesToOverwriteAndCopiesThroughATempFile() {
    assertThat(WalArchiving.archiveCommand(Path.of("/srv/wal")))
        .isEqualTo(
            "test -f '/srv/wal'/%f && cmp -s %p '/srv/wal'/%f || (test ! -f '/srv/wal'/%f"
                + " && cp %p '/srv/wal'/%f.tmp && mv '/srv/wal'/%f.tmp '/srv/wal'/%f)");
  }

  @Test
  void archiveCommand_quotesAndPercentInPath_areEscaped() {
    assertThat(WalArchiving.restoreCommand(Path.of("/srv/it's 100%")))
        .isEqualTo("cp '/srv/it'\\''s 100%%'/%f %p");
  }
}

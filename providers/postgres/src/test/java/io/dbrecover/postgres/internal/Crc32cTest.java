package io.dbrecover.postgres.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Arrays;
import java.util.Random;
import java.util.zip.CRC32C;
import org.junit.jupiter.api.Test;

class Crc32cTest {
  @Test
  void combine_ofTwoParts_isTheCrcOfTheWhole() {
    byte[] data = new byte[3 * 1024 * 1024 + 5];
    new Random(11).nextBytes(data);
    for (int split : new int[] {1, 7, 8192, 1 << 20, data.length - 1}) {
      int a = crc(Arrays.copyOfRange(data, 0, split));
      int b = crc(Arrays.copyOfRange(data, split, data.length));

      assertThat(Crc32c.combine(a, b, data.length - split))
          .as("split at %d", split)
          .isEqualTo(crc(data));
    }
  }

  @Test
  void combine_withAnEmptySecondPart_isTheFirst() {
    assertThat(Crc32c.combine(0x1234abcd, 0, 0)).isEqualTo(0x1234abcd);
  }

  @Test
  void hex_isLittleEndian() {
    assertThat(Crc32c.hex(0xe3069283)).isEqualTo("839206e3");
  }

  private static int crc(byte[] data) {
    CRC32C c = new CRC32C();
    c.update(data);
    return (int) c.getValue();
  }
}

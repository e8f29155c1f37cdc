package io.dbrecover.postgres.internal;

import java.util.HexFormat;

/**
 * CRC-32C helpers beside {@link java.util.zip.CRC32C}: combining parts, the manifest's hex form.
 */
final class Crc32c {
  // The CRC-32C (Castagnoli) polynomial, bit-reversed.
  private static final int POLY = 0x82F63B78;

  private Crc32c() {}

  /**
   * The hex form PostgreSQL gives a CRC-32C: its four bytes as they lie in memory, little-endian.
   */
  static String hex(int crc) {
    return HexFormat.of()
        .formatHex(
            new byte[] {(byte) crc, (byte) (crc >>> 8), (byte) (crc >>> 16), (byte) (crc >>> 24)});
  }

  /**
   * The CRC-32C of the concatenation of A and B, from the CRC of A, the CRC of B and B's length in
   * bytes: appending {@code length} zero bytes to A is a linear map on its CRC, applied here by
   * repeated squaring of the one-zero-bit operator (the method of zlib's crc32_combine).
   */
  static int combine(int crcA, int crcB, long length) {
    if (length <= 0) {
      return crcA;
    }
    int[] odd = new int[32]; // the operator for one zero bit
    int[] even = new int[32];
    odd[0] = POLY;
    int row = 1;
    for (int n = 1; n < 32; n++) {
      odd[n] = row;
      row <<= 1;
    }
    square(even, odd); // two zero bits
    square(odd, even); // four zero bits
    int crc = crcA;
    long len = length;
    do {
      square(even, odd); // the first pass gives one zero byte
      if ((len & 1) != 0) {
        crc = times(even, crc);
      }
      len >>>= 1;
      if (len == 0) {
        break;
      }
      square(odd, even);
      if ((len & 1) != 0) {
        crc = times(odd, crc);
      }
      len >>>= 1;
    } while (len != 0);
    return crc ^ crcB;
  }

  private static int times(int[] matrix, int vector) {
    int sum = 0;
    for (int i = 0; vector != 0; i++, vector >>>= 1) {
      if ((vector & 1) != 0) {
        sum ^= matrix[i];
      }
    }
    return sum;
  }

  private static void square(int[] square, int[] matrix) {
    for (int n = 0; n < 32; n++) {
      square[n] = times(matrix, matrix[n]);
    }
  }
}

package io.dbrecover.postgres.testing;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;

/** Helpers to damage a pg_dump directory archive on purpose. */
public final class DumpFiles {
  private DumpFiles() {}

  /** The largest {@code *.dat.gz} data file of a dump directory. */
  public static Path largestDataFile(Path dumpDir) throws IOException {
    try (Stream<Path> s = Files.list(dumpDir)) {
      return s.filter(p -> p.getFileName().toString().endsWith(".dat.gz"))
          .max(Comparator.comparingLong(p -> p.toFile().length()))
          .orElseThrow(() -> new IllegalStateException("no data file in " + dumpDir));
    }
  }

  /** Inverts one byte in the middle of {@code file}. */
  public static void flipByte(Path file) throws IOException {
    try (RandomAccessFile raf = new RandomAccessFile(file.toFile(), "rw")) {
      long pos = raf.length() / 2;
      raf.seek(pos);
      int b = raf.read();
      raf.seek(pos);
      raf.write(~b & 0xff);
    }
  }
}

package io.dbrecover.aws.internal;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * One slice of a file as a stream: {@code length} bytes from {@code offset}. A multipart upload
 * sends each part from its slice, so no part is held in memory, and a retried part reads it again.
 */
public final class BoundedFileStream extends InputStream {
  private final FileChannel channel;
  private long remaining;

  private BoundedFileStream(FileChannel channel, long remaining) {
    this.channel = channel;
    this.remaining = remaining;
  }

  /** Opens the slice; an unreadable file is an {@link UncheckedIOException}. */
  public static InputStream open(Path file, long offset, long length) {
    try {
      FileChannel ch = FileChannel.open(file, StandardOpenOption.READ);
      ch.position(offset);
      return new BoundedFileStream(ch, length);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + file + ": " + e.getMessage(), e);
    }
  }

  @Override
  public int read() throws IOException {
    byte[] one = new byte[1];
    int n = read(one, 0, 1);
    return n < 0 ? -1 : one[0] & 0xff;
  }

  @Override
  public int read(byte[] b, int off, int len) throws IOException {
    if (remaining <= 0) {
      return -1;
    }
    int n = channel.read(ByteBuffer.wrap(b, off, (int) Math.min(len, remaining)));
    if (n < 0) {
      throw new IOException("file shorter than expected: " + remaining + " bytes missing");
    }
    remaining -= n;
    return n;
  }

  @Override
  public int available() {
    return (int) Math.min(Integer.MAX_VALUE, remaining);
  }

  @Override
  public void close() throws IOException {
    channel.close();
  }
}

package dev.msfs.backend.s3;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import software.amazon.awssdk.crt.http.HttpRequestBodyStream;

/**
 * A request body CRT pulls on its own threads: a byte range of a file (a part of a file being
 * written), or bytes in memory. A read that fails ends the body short of its Content-Length, so
 * CRT fails the request rather than send other bytes; {@link #failure} says why.
 */
final class RequestBody implements HttpRequestBodyStream {
    private final FileChannel file; // null for bytes in memory
    private final ByteBuffer bytes;
    private final long start;
    private final long length;
    private long sent;                  // CRT calls one at a time, but not always on one thread
    private volatile IOException failure;

    private RequestBody(FileChannel file, ByteBuffer bytes, long start, long length) {
        this.file = file;
        this.bytes = bytes;
        this.start = start;
        this.length = length;
    }

    static RequestBody of(FileChannel file, long offset, long length) {
        return new RequestBody(file, null, offset, length);
    }

    static RequestBody of(byte[] data) {
        return new RequestBody(null, ByteBuffer.wrap(data), 0, data.length);
    }

    long length() {
        return length;
    }

    IOException failure() {
        return failure;
    }

    @Override
    public synchronized boolean sendRequestBody(ByteBuffer out) {
        try {
            while (out.hasRemaining() && sent < length) {
                int room = (int) Math.min(out.remaining(), length - sent);
                int n;
                if (file == null) {
                    ByteBuffer piece = bytes.slice((int) (start + sent), room);
                    out.put(piece);
                    n = room;
                } else {
                    ByteBuffer window = out.slice(out.position(), room);
                    n = file.read(window, start + sent);
                    if (n < 0) {
                        throw new IOException("the file ended " + (length - sent) + " bytes short of the part");
                    }
                    out.position(out.position() + n);
                }
                sent += n;
            }
        } catch (IOException e) {
            failure = e;
            return true;
        }
        return sent == length;
    }

    @Override
    public synchronized boolean resetPosition() {
        sent = 0;
        return failure == null;
    }

    @Override
    public long getLength() {
        return length;
    }
}

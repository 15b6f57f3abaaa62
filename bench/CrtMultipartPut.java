// The ceiling for bench/write-checkpoint: one multipart upload of a file through AWS CRT's S3 client
// (its connection pool, signing and retries), every part in flight at once, as an application
// would upload a checkpoint without a mount. CRT's own automatic multipart PUT is not used:
// its CompleteMultipartUpload carries x-amz-mp-object-size, which S3Proxy refuses (501).
// Run: java -cp target/msfs.jar bench/CrtMultipartPut.java ENDPOINT BUCKET KEY FILE ACCESS_KEY SECRET PART_MIB
// Prints the seconds from the first request to the end of the last.
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import software.amazon.awssdk.crt.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.crt.auth.signing.AwsSigningConfig;
import software.amazon.awssdk.crt.http.HttpHeader;
import software.amazon.awssdk.crt.http.HttpRequest;
import software.amazon.awssdk.crt.http.HttpRequestBodyStream;
import software.amazon.awssdk.crt.io.ClientBootstrap;
import software.amazon.awssdk.crt.io.EventLoopGroup;
import software.amazon.awssdk.crt.io.HostResolver;
import software.amazon.awssdk.crt.s3.S3Client;
import software.amazon.awssdk.crt.s3.S3ClientOptions;
import software.amazon.awssdk.crt.s3.S3FinishedResponseContext;
import software.amazon.awssdk.crt.s3.S3MetaRequestOptions;
import software.amazon.awssdk.crt.s3.S3MetaRequestResponseHandler;

class CrtMultipartPut {
    record Answer(int status, String etag, String body) {
    }

    static S3Client client;
    static URI endpoint;
    static String host;

    public static void main(String[] args) throws Exception {
        endpoint = URI.create(args[0]);
        host = endpoint.getHost() + ":" + endpoint.getPort();
        String path = "/" + args[1] + "/" + args[2];
        long part = Long.parseLong(args[6]) << 20;
        try (EventLoopGroup loops = new EventLoopGroup(0); HostResolver resolver = new HostResolver(loops);
             ClientBootstrap bootstrap = new ClientBootstrap(loops, resolver);
             StaticCredentialsProvider credentials = new StaticCredentialsProvider.StaticCredentialsProviderBuilder()
                     .withAccessKeyId(args[4].getBytes(StandardCharsets.UTF_8))
                     .withSecretAccessKey(args[5].getBytes(StandardCharsets.UTF_8)).build();
             FileChannel file = FileChannel.open(Path.of(args[3]))) {
            client = new S3Client(new S3ClientOptions().withRegion("us-east-1").withClientBootstrap(bootstrap)
                    .withThroughputTargetGbps(10).withSigningConfig(AwsSigningConfig.getDefaultS3SigningConfig("us-east-1", credentials)));
            long t0 = System.nanoTime();
            String id = first(send("POST", path + "?uploads=", null).join().body(), "UploadId");
            long size = file.size();
            List<CompletableFuture<Answer>> parts = new ArrayList<>();
            for (long at = 0; at < size; at += part) {
                parts.add(send("PUT", path + "?partNumber=" + (parts.size() + 1) + "&uploadId=" + id,
                        file.map(FileChannel.MapMode.READ_ONLY, at, Math.min(part, size - at))));
            }
            StringBuilder xml = new StringBuilder("<CompleteMultipartUpload>");
            for (int n = 0; n < parts.size(); n++) {
                xml.append("<Part><PartNumber>").append(n + 1).append("</PartNumber><ETag>").append(parts.get(n).join().etag())
                        .append("</ETag></Part>");
            }
            Answer done = send("POST", path + "?uploadId=" + id, ByteBuffer.wrap(xml.append("</CompleteMultipartUpload>")
                    .toString().getBytes(StandardCharsets.UTF_8))).join();
            if (done.body().contains("<Error>")) {
                throw new IllegalStateException(done.body());
            }
            System.out.printf("%.3f%n", (System.nanoTime() - t0) / 1e9);
            client.close();
        }
    }

    static CompletableFuture<Answer> send(String method, String pathAndQuery, ByteBuffer body) {
        CompletableFuture<Answer> answer = new CompletableFuture<>();
        List<HttpHeader> headers = new ArrayList<>(List.of(new HttpHeader("Host", host)));
        if (body != null) {
            headers.add(new HttpHeader("Content-Length", Integer.toString(body.remaining())));
        }
        HttpRequestBodyStream stream = body == null ? null : new HttpRequestBodyStream() {
            final ByteBuffer from = body.duplicate();

            @Override
            public boolean sendRequestBody(ByteBuffer out) {
                ByteBuffer piece = from.slice(from.position(), Math.min(from.remaining(), out.remaining()));
                out.put(piece);
                from.position(from.position() + piece.capacity());
                return !from.hasRemaining();
            }

            @Override
            public boolean resetPosition() {
                from.rewind();
                return true;
            }
        };
        StringBuilder text = new StringBuilder();
        String[] etag = {""};
        client.makeMetaRequest(new S3MetaRequestOptions().withMetaRequestType(S3MetaRequestOptions.MetaRequestType.DEFAULT)
                .withOperationName(method.equals("PUT") ? "UploadPart" : pathAndQuery.contains("?uploads") ? "CreateMultipartUpload"
                        : "CompleteMultipartUpload")
                .withHttpRequest(new HttpRequest(method, pathAndQuery, headers.toArray(new HttpHeader[0]), stream))
                .withEndpoint(endpoint).withResponseHandler(new S3MetaRequestResponseHandler() {
                    @Override
                    public void onResponseHeaders(int status, HttpHeader[] received) {
                        for (HttpHeader h : received) {
                            if (h.getName().equalsIgnoreCase("etag")) {
                                etag[0] = h.getValue();
                            }
                        }
                    }

                    @Override
                    public int onResponseBody(ByteBuffer piece, long start, long end) {
                        text.append(StandardCharsets.UTF_8.decode(piece));
                        return 0;
                    }

                    @Override
                    public void onFinished(S3FinishedResponseContext c) {
                        if (c.getErrorCode() != 0) {
                            answer.completeExceptionally(new IllegalStateException(method + " " + pathAndQuery + ": HTTP "
                                    + c.getResponseStatus() + " " + (c.getErrorPayload() == null ? ""
                                    : new String(c.getErrorPayload(), StandardCharsets.UTF_8))));
                        } else {
                            answer.complete(new Answer(c.getResponseStatus(), etag[0], text.toString()));
                        }
                    }
                }));
        return answer;
    }

    static String first(String xml, String element) {
        Matcher m = Pattern.compile("<" + element + ">([^<]*)</" + element + ">").matcher(xml);
        if (!m.find()) {
            throw new IllegalStateException("no " + element + " in " + xml);
        }
        return m.group(1);
    }
}

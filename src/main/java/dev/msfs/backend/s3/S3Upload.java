package dev.msfs.backend.s3;

import dev.msfs.backend.BackendException;
import dev.msfs.backend.ObjectInfo;
import dev.msfs.backend.Upload;
import java.io.ByteArrayInputStream;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import javax.xml.stream.XMLStreamConstants;
import javax.xml.stream.XMLStreamException;
import javax.xml.stream.XMLStreamReader;

/**
 * One S3 multipart upload of {@code key}: CreateMultipartUpload at start, UploadPart per part (the
 * store's ETag of each kept for the end), CompleteMultipartUpload, or AbortMultipartUpload.
 */
final class S3Upload implements Upload {
    /** What the store lists at {@code key} after the upload completed. */
    @FunctionalInterface
    interface Head {
        Optional<ObjectInfo> get() throws BackendException;
    }

    private final S3Connection s3;
    private final String key;
    private final String uploadId;
    private final Head head;
    private final Map<Integer, String> etags = new ConcurrentHashMap<>(); // parts end on several threads at once

    private S3Upload(S3Connection s3, String key, String uploadId, Head head) {
        this.s3 = s3;
        this.key = key;
        this.uploadId = uploadId;
        this.head = head;
    }

    static S3Upload start(S3Connection s3, String key, Head head) throws BackendException {
        byte[] answer = s3.sendForBody(S3Request.of("CreateMultipartUpload", "POST", key).withQuery(Map.of("uploads", "")));
        String id = text(answer, "UploadId", "CreateMultipartUpload " + key);
        if (id.isEmpty()) {
            throw new BackendException(BackendException.Kind.IO, "CreateMultipartUpload " + key + ": the store sent no UploadId");
        }
        return new S3Upload(s3, key, id, head);
    }

    @Override
    public void part(int number, FileChannel source, long offset, long length) throws BackendException {
        S3Connection.Response r = s3.send(S3Request.of("UploadPart", "PUT", key)
                .withQuery(Map.of("partNumber", Integer.toString(number), "uploadId", uploadId))
                .withBody(RequestBody.of(source, offset, length)));
        String etag = r.headers().getOrDefault("etag", "");
        if (etag.isEmpty()) {
            throw new BackendException(BackendException.Kind.IO, "UploadPart " + number + " of " + key + ": the store sent no ETag");
        }
        etags.put(number, etag);
    }

    @Override
    public ObjectInfo complete(int parts, long size) throws BackendException {
        StringBuilder xml = new StringBuilder("<CompleteMultipartUpload xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\">");
        for (int n = 1; n <= parts; n++) {
            String etag = etags.get(n);
            if (etag == null) {
                throw new BackendException(BackendException.Kind.IO, "CompleteMultipartUpload " + key + ": part " + n + " was never stored");
            }
            xml.append("<Part><PartNumber>").append(n).append("</PartNumber><ETag>").append(escaped(etag)).append("</ETag></Part>");
        }
        xml.append("</CompleteMultipartUpload>");
        String what = "CompleteMultipartUpload " + key;
        byte[] answer = s3.sendForBody(S3Request.of("CompleteMultipartUpload", "POST", key).withQuery(Map.of("uploadId", uploadId))
                .withBody(RequestBody.of(xml.toString().getBytes(StandardCharsets.UTF_8))));
        String code = text(answer, "Code", what); // S3 may answer 200 and then an error, once the parts are joined
        if (!code.isEmpty()) {
            throw new BackendException(BackendException.Kind.IO, what + ": " + code + " (" + text(answer, "Message", what) + ")", 200, code, null);
        }
        ObjectInfo made = head.get().orElseThrow(() -> new BackendException(BackendException.Kind.IO, what
                + " succeeded, but a HEAD of it finds nothing"));
        if (made.size() != size) {
            throw new BackendException(BackendException.Kind.IO, what + ": the store made " + made.size() + " bytes of " + size
                    + removedIfOurs(made, S3Backend.unquote(text(answer, "ETag", what))));
        }
        return made;
    }

    /**
     * Removes an object of other bytes than were written, never leaving it to be read, but only
     * when its ETag is the one the completion answered: another writer may have replaced it since.
     */
    private String removedIfOurs(ObjectInfo made, String completedEtag) {
        if (completedEtag.isEmpty() || !completedEtag.equals(made.etag())) {
            return "; not removed: it is not (or not known to be) the object this upload made";
        }
        try {
            s3.send(S3Request.of("DeleteObject", "DELETE", key));
            return "; removed it";
        } catch (BackendException e) {
            return "; removing it failed too: " + e.getMessage();
        }
    }

    @Override
    public void abort() throws BackendException {
        try {
            s3.send(S3Request.of("AbortMultipartUpload", "DELETE", key).withQuery(Map.of("uploadId", uploadId)));
        } catch (BackendException e) {
            if (e.kind() != BackendException.Kind.NOT_FOUND) { // NoSuchUpload: gone already
                throw e;
            }
        }
    }

    /** The text of the first element {@code name} in an XML answer, "" if there is none. */
    private static String text(byte[] xml, String name, String what) throws BackendException {
        if (xml.length == 0) {
            return "";
        }
        try {
            XMLStreamReader r = S3Listing.XML.createXMLStreamReader(new ByteArrayInputStream(xml));
            try {
                while (r.hasNext()) {
                    if (r.next() == XMLStreamConstants.START_ELEMENT && r.getLocalName().equals(name)) {
                        return r.getElementText();
                    }
                }
                return "";
            } finally {
                r.close();
            }
        } catch (XMLStreamException e) {
            throw new BackendException(BackendException.Kind.IO, what + ": unreadable answer: " + e.getMessage());
        }
    }

    private static String escaped(String s) {
        return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;");
    }
}

package dev.msfs;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * Fails a test run in which any log holds a test secret ({@link TestSecrets}). scripts/test runs
 * it last, over the run's console output, the test reports and every msfs log the tests kept. A
 * finding names the secret and the place, never the secret's value.
 */
public final class SecretScan {
    record Finding(String secret, Path file, long line) {
    }

    record Result(long files, long lines, List<Finding> findings) {
    }

    private SecretScan() {
    }

    static Result scan(Map<String, String> secrets, List<Path> roots) throws IOException {
        long files = 0;
        long lines = 0;
        List<Finding> findings = new ArrayList<>();
        for (Path root : roots) {
            if (!Files.exists(root)) {
                continue;
            }
            try (Stream<Path> all = Files.walk(root)) {
                for (Path f : all.filter(Files::isRegularFile).sorted().toList()) {
                    files++;
                    // Latin-1 reads any byte: a binary or badly encoded log is still scanned, not skipped.
                    List<String> text = Files.readAllLines(f, StandardCharsets.ISO_8859_1);
                    for (int i = 0; i < text.size(); i++) {
                        for (Map.Entry<String, String> s : secrets.entrySet()) {
                            if (text.get(i).contains(s.getValue())) {
                                findings.add(new Finding(s.getKey(), f, i + 1));
                            }
                        }
                    }
                    lines += text.size();
                }
            }
        }
        return new Result(files, lines, findings);
    }

    /** Arguments: the files and folders to scan. Exit status 1 when a secret is found. */
    public static void main(String[] args) throws IOException {
        Result r = scan(TestSecrets.all(), Stream.of(args).map(Path::of).toList());
        r.findings().forEach(f -> System.err.println("secret scan: the test secret \"" + f.secret() + "\" is in "
                + f.file() + ":" + f.line()));
        System.out.println("secret scan: " + TestSecrets.all().size() + " secrets, " + r.files() + " files, " + r.lines()
                + " lines: " + (r.findings().isEmpty() ? "none found" : r.findings().size() + " found"));
        System.exit(r.findings().isEmpty() ? 0 : 1);
    }
}

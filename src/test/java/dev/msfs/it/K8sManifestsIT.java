package dev.msfs.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The Kubernetes examples validate against the Kubernetes OpenAPI schema (kubernetes-models,
 * from npm; no container engine or cluster runs here), and the validator does catch a broken one.
 */
class K8sManifestsIT {
    private static final File DIR = new File("config-examples/k8s");

    private static Result run(List<String> command) throws Exception {
        Process p = new ProcessBuilder(command).directory(DIR).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        assertTrue(p.waitFor(300, TimeUnit.SECONDS), command + " did not finish");
        return new Result(p.exitValue(), out);
    }

    private record Result(int status, String out) {
    }

    @Test
    void theSidecarExamplesAreValidAndTheValidatorCatchesMistakes(@TempDir Path dir) throws Exception {
        Result install = run(List.of("npm", "ci", "--no-audit", "--no-fund", "--loglevel=error"));
        assertEquals(0, install.status(), install.out());
        Result ok = run(List.of("node", "validate.mjs"));
        assertEquals(0, ok.status(), ok.out());
        assertTrue(ok.out().contains("ok: ") && ok.out().contains("Pod training-with-msfs"), ok.out());

        // The msfs config inside the ConfigMap is a valid msfs config too.
        java.util.Map<?, ?> configMap = new org.yaml.snakeyaml.Yaml().load(Files.readString(DIR.toPath().resolve("msfs-config.yaml")));
        Path embedded = dir.resolve("msfs.yaml");
        Files.writeString(embedded, (String) ((java.util.Map<?, ?>) configMap.get("data")).get("msfs.yaml"));
        MsfsProcess.Result check = MsfsProcess.run("check-config", embedded.toString());
        assertEquals(0, check.status(), check.err());
        assertTrue(check.out().contains("endpoint: \"http://0.0.0.0:9088\"") && check.out().contains("backend_type: S3"),
                check.out());

        Path broken = dir.resolve("broken.yaml");
        Files.writeString(broken, Files.readString(DIR.toPath().resolve("training-pod.yaml"))
                .replace("mountPropagation: Bidirectional", "mountPropagation: Sideways"));
        Result bad = run(List.of("node", "validate.mjs", broken.toString()));
        assertEquals(1, bad.status(), bad.out());
        assertTrue(bad.out().contains("mountPropagation must be equal to one of the allowed values"), bad.out());
    }
}

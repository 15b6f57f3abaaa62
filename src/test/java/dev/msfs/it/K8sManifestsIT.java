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

    /** check-config's output for the msfs.yaml of the ConfigMap in {@code file}, which it must accept. */
    private static String embeddedConfig(Path dir, String file) throws Exception {
        for (Object doc : new org.yaml.snakeyaml.Yaml().loadAll(Files.readString(DIR.toPath().resolve(file)))) {
            if (doc instanceof java.util.Map<?, ?> m && "ConfigMap".equals(m.get("kind"))) {
                Path embedded = Files.writeString(dir.resolve(file + ".msfs.yaml"), (String) ((java.util.Map<?, ?>) m.get("data")).get("msfs.yaml"));
                MsfsProcess.Result check = MsfsProcess.run("check-config", embedded.toString());
                assertEquals(0, check.status(), check.err());
                assertTrue(check.out().contains("backend_type: S3"), check.out());
                return check.out();
            }
        }
        throw new AssertionError("no ConfigMap in " + file);
    }

    @Test
    void theSidecarExamplesAreValidAndTheValidatorCatchesMistakes(@TempDir Path dir) throws Exception {
        Result install = run(List.of("npm", "ci", "--no-audit", "--no-fund", "--loglevel=error"));
        assertEquals(0, install.status(), install.out());
        Result ok = run(List.of("node", "validate.mjs"));
        assertEquals(0, ok.status(), ok.out());
        assertTrue(ok.out().contains("Pod training-with-msfs") && ok.out().contains("Pod training-least-privilege"), ok.out());

        // The msfs configs inside the ConfigMaps are valid msfs configs too: the sidecar's endpoint
        // listens on the pod network for kubelet's probes, the least-privilege one on localhost.
        assertTrue(embeddedConfig(dir, "msfs-config.yaml").contains("endpoint: \"http://0.0.0.0:9088\""));
        String leastPrivilege = embeddedConfig(dir, "training-pod-least-privilege.yaml");
        assertTrue(leastPrivilege.contains("endpoint: \"http://127.0.0.1:9088\""), leastPrivilege);
        assertTrue(leastPrivilege.contains("# who can read it: uid 1000 (and root)"), leastPrivilege);

        Path broken = dir.resolve("broken.yaml");
        Files.writeString(broken, Files.readString(DIR.toPath().resolve("training-pod.yaml"))
                .replace("mountPropagation: Bidirectional", "mountPropagation: Sideways"));
        Result bad = run(List.of("node", "validate.mjs", broken.toString()));
        assertEquals(1, bad.status(), bad.out());
        assertTrue(bad.out().contains("mountPropagation must be equal to one of the allowed values"), bad.out());
    }
}

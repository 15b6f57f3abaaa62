package dev.msfs.cli;

/** Explains failures to load libfuse3 in words a user can act on. */
final class NativeLib {
    private NativeLib() {
    }

    static String problem(Throwable t) {
        Throwable root = t;
        while (root.getCause() != null) {
            root = root.getCause();
        }
        String msg = String.valueOf(root.getMessage());
        if (msg.contains("libfuse3")) {
            return "libfuse3.so.3 is not installed: apt-get install fuse3 libfuse3-3";
        }
        if (root instanceof IllegalCallerException) {
            return "native access is disabled: run with java --enable-native-access=ALL-UNNAMED";
        }
        return root.getClass().getSimpleName() + ": " + msg;
    }
}

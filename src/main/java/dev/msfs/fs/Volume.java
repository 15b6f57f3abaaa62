package dev.msfs.fs;

import dev.msfs.backend.Backend;
import dev.msfs.config.BackendConfig;

/** One backend as mounted: its config, the backend itself, and its directory under the root. */
final class Volume {
    final int index;
    final BackendConfig config;
    final Backend backend;
    Inode root; // set once by FileSystem's constructor, before the mount is served

    Volume(int index, BackendConfig config, Backend backend) {
        this.index = index;
        this.config = config;
        this.backend = backend;
    }
}

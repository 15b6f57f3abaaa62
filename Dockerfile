# msfs as a container (e.g. the sidecar in config-examples/k8s), from the same package a node
# installs: the .deb's jlinked Java runtime, AOT cache and jar, and its fuse3 dependencies.
# Build the package first (packaging/build, as root: its AOT training mounts the demo), then:
#   docker build -t msfs:0.1.0 .
# The container needs /dev/fuse and the privilege to mount; see config-examples/k8s/.
FROM debian:bookworm-slim
COPY target/package/msfs_*_amd64.deb /tmp/
RUN apt-get update \
 && apt-get install -y --no-install-recommends /tmp/msfs_*_amd64.deb \
 && rm -rf /var/lib/apt/lists/* /tmp/msfs_*_amd64.deb
ENTRYPOINT ["/usr/bin/msfs", "mount"]
CMD ["--help"]

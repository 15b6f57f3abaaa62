# msfs as a container (e.g. the sidecar in config-examples/k8s): a Java 25 runtime and fuse3.
# Build the jar first (scripts/test, or mvn package), then: docker build -t msfs:0.1.0 .
# The container needs /dev/fuse and the privilege to mount; see config-examples/k8s/.
FROM eclipse-temurin:25-jre
RUN apt-get update \
 && apt-get install -y --no-install-recommends fuse3 \
 && rm -rf /var/lib/apt/lists/*
COPY target/msfs.jar /opt/msfs/msfs.jar
ENTRYPOINT ["java", "-jar", "/opt/msfs/msfs.jar", "mount"]
CMD ["--help"]

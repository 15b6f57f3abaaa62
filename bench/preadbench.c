/* Aggregate read bandwidth of JOBS threads issuing pread(2) of BS bytes on FILE for SECONDS, as
 * fio's psync engine with --numjobs: "read" makes each thread read the whole file from offset 0
 * over and over, "randread" reads BS-aligned random offsets. Prints MiB/s.
 * For machines where fio cannot be installed (bench/device-run); build: gcc -O2 -pthread. */
#define _GNU_SOURCE
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

static const char *path;
static int random_offsets;
static size_t block;
static off_t blocks;
static double deadline;
static volatile int failed;

static double now(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec + t.tv_nsec / 1e9;
}

static void *reader(void *arg) {
    unsigned int seed = (unsigned int) (size_t) arg * 2654435761u;
    long long *bytes = malloc(sizeof *bytes);
    char *buf = aligned_alloc(4096, block);
    int fd = open(path, O_RDONLY);
    *bytes = 0;
    if (fd < 0 || !buf) { failed = 1; return bytes; }
    for (off_t next = 0; now() < deadline;) {
        for (int i = 0; i < 64; i++) {
            off_t b = random_offsets ? (off_t) (rand_r(&seed) % blocks) : next++ % blocks;
            ssize_t n = pread(fd, buf, block, b * (off_t) block);
            if (n <= 0) { failed = 1; close(fd); return bytes; }
            *bytes += n;
        }
    }
    close(fd);
    free(buf);
    return bytes;
}

int main(int argc, char **argv) {
    if (argc != 6) { fprintf(stderr, "usage: preadbench FILE read|randread BS JOBS SECONDS\n"); return 2; }
    path = argv[1];
    random_offsets = strcmp(argv[2], "randread") == 0;
    if (!random_offsets && strcmp(argv[2], "read") != 0) { fprintf(stderr, "preadbench: read or randread\n"); return 2; }
    block = strtoull(argv[3], NULL, 10);
    int jobs = atoi(argv[4]);
    struct stat st;
    if (stat(path, &st) != 0 || block == 0 || st.st_size < (off_t) block || jobs < 1) { perror(path); return 1; }
    blocks = st.st_size / block;
    double start = now();
    deadline = start + atof(argv[5]);
    pthread_t threads[jobs];
    for (int i = 0; i < jobs; i++) pthread_create(&threads[i], NULL, reader, (void *) (size_t) (i + 1));
    long long total = 0;
    for (int i = 0; i < jobs; i++) {
        void *bytes;
        pthread_join(threads[i], &bytes);
        total += *(long long *) bytes;
        free(bytes);
    }
    if (failed) { fprintf(stderr, "preadbench: a read of %s failed\n", path); return 1; }
    printf("%.0f\n", total / 1048576.0 / (now() - start));
    return 0;
}

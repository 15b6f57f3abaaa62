/* Kernel-facing checks of a mounted msfs (run by PosixChecksIT): argv[1] = a mounted directory
 * with many entries, argv[2] = a file in it of known size argv[3]. Prints "ok <check>" lines and
 * exits non-zero at the first failure, saying which and why. */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define FAIL(...) do { fprintf(stderr, "FAIL: " __VA_ARGS__); fprintf(stderr, "\n"); exit(1); } while (0)
#define MAXE 20000

int main(int argc, char **argv) {
    if (argc != 4) FAIL("usage: posix_checks DIR FILE SIZE");
    const char *dir = argv[1], *file = argv[2];
    long long size = atoll(argv[3]);

    /* readdir offsets: telldir before each entry, then seekdir back to samples of them */
    static char names[MAXE][256];
    static long pos[MAXE];
    int n = 0;
    DIR *d = opendir(dir);
    if (!d) FAIL("opendir: %s", strerror(errno));
    for (;;) {
        long p = telldir(d);
        struct dirent *e = readdir(d);
        if (!e) break;
        if (n == MAXE) FAIL("too many entries");
        pos[n] = p;
        snprintf(names[n], sizeof names[n], "%s", e->d_name);
        n++;
    }
    if (n < 1000) FAIL("only %d entries", n);
    for (int i = n - 1; i >= 0; i -= 997) { /* backwards, so every seek goes against the stream */
        seekdir(d, pos[i]);
        struct dirent *e = readdir(d);
        if (!e || strcmp(e->d_name, names[i]) != 0) FAIL("seekdir to entry %d gave %s, not %s", i, e ? e->d_name : "(end)", names[i]);
    }
    rewinddir(d);
    struct dirent *first = readdir(d);
    if (!first || strcmp(first->d_name, names[0]) != 0) FAIL("rewinddir");
    closedir(d);
    printf("ok readdir-seekdir-telldir %d entries\n", n);

    /* stat fields */
    struct stat st;
    if (stat(file, &st) != 0) FAIL("stat: %s", strerror(errno));
    if (!S_ISREG(st.st_mode) || st.st_size != size || st.st_nlink != 1 || st.st_blocks != (size + 511) / 512)
        FAIL("stat fields: mode %o size %lld nlink %ld blocks %lld", st.st_mode, (long long) st.st_size, (long) st.st_nlink, (long long) st.st_blocks);
    struct stat ds;
    if (stat(dir, &ds) != 0 || !S_ISDIR(ds.st_mode) || ds.st_nlink < 2) FAIL("directory stat");
    printf("ok stat\n");

    /* writes are refused */
    if (open(file, O_WRONLY) != -1 || errno != EROFS) FAIL("open O_WRONLY: %s", strerror(errno));
    if (open(file, O_RDWR) != -1 || errno != EROFS) FAIL("open O_RDWR: %s", strerror(errno));
    printf("ok open-for-write-is-EROFS\n");

    int fd = open(file, O_RDONLY);
    if (fd < 0) FAIL("open: %s", strerror(errno));
    char buf[8192];
    if (pread(fd, buf, 0, 0) != 0) FAIL("zero-length read");
    if (pread(fd, buf, sizeof buf, size) != 0) FAIL("read at EOF");
    if (pread(fd, buf, sizeof buf, size + 12345) != 0) FAIL("read past EOF");
    ssize_t r = pread(fd, buf, sizeof buf, INT64_MAX - 10);
    if (r > 0) FAIL("read at 2^63-11 returned %zd bytes", r);
    r = pread(fd, buf, 100, size - 10);
    if (r != 10) FAIL("short read at the end returned %zd", r);
    close(fd);
    printf("ok reads-at-and-past-EOF\n");

    /* O_DIRECT */
    void *aligned;
    if (posix_memalign(&aligned, 4096, 1 << 16) != 0) FAIL("memalign");
    int dfd = open(file, O_RDONLY | O_DIRECT);
    if (dfd < 0) FAIL("open O_DIRECT: %s", strerror(errno));
    r = pread(dfd, aligned, 1 << 16, 0);
    if (r != (size < (1 << 16) ? size : (1 << 16))) FAIL("O_DIRECT read returned %zd", r);
    char check[4096];
    int cfd = open(file, O_RDONLY);
    if (pread(cfd, check, sizeof check, 0) != (ssize_t) (size < 4096 ? size : 4096) || memcmp(check, aligned, size < 4096 ? size : 4096) != 0)
        FAIL("O_DIRECT and buffered reads differ");
    close(cfd);
    close(dfd);
    printf("ok O_DIRECT\n");

    /* the root's parent is outside; the mount root's .. resolves (to the parent directory) */
    char parent[4096];
    snprintf(parent, sizeof parent, "%s/../..", dir);
    struct stat ps;
    if (stat(parent, &ps) != 0 || !S_ISDIR(ps.st_mode)) FAIL(".. of the mount root: %s", strerror(errno));
    printf("ok dotdot\n");
    return 0;
}

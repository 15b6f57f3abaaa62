/* The FUSE ceiling of a machine: a minimal libfuse3 low-level daemon serving $MEMFS_FILES files
 * (default 1: "data", then "data1", "data2", ...) of $MEMFS_SIZE bytes each from one memory
 * buffer, opened with direct_io. Same libfuse, same thread count and same INIT settings as msfs,
 * so the difference measured is msfs's own cost. With MEMFS_COPY=1 each read first copies its bytes
 * into a buffer of its thread and replies from there: the one copy msfs's design adds (a warm read
 * copies out of the cache arena, then checks that the line did not change while it copied).
 * Build: gcc -O2 -o memfs_ll memfs_ll.c $(pkg-config --cflags --libs fuse3)
 * Run:   MEMFS_SIZE=536870912 [MEMFS_FILES=8] [MEMFS_COPY=1] [MEMFS_THREADS=10] ./memfs_ll -f MOUNTPOINT */
#define FUSE_USE_VERSION 312
#include <fuse_lowlevel.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static char *data;
static size_t size;
static unsigned long files = 1; /* inodes 2 .. files + 1 */
static int copy_first;
static __thread char *reply_buf; /* MEMFS_COPY: each worker thread's own, grown to the largest read */
static __thread size_t reply_cap;

static void file_name(unsigned long i, char *out, size_t n) {
    if (i == 0) snprintf(out, n, "data"); else snprintf(out, n, "data%lu", i);
}

static int attr(fuse_ino_t ino, struct stat *st) {
    memset(st, 0, sizeof *st);
    st->st_ino = ino;
    if (ino == 1) { st->st_mode = S_IFDIR | 0555; st->st_nlink = 2; return 0; }
    if (ino >= 2 && ino < 2 + files) { st->st_mode = S_IFREG | 0444; st->st_nlink = 1; st->st_size = size; return 0; }
    return -1;
}
static void ll_init(void *u, struct fuse_conn_info *c) { c->max_background = 128; c->congestion_threshold = 96; }
static void ll_lookup(fuse_req_t req, fuse_ino_t parent, const char *name) {
    struct fuse_entry_param e = {0};
    char *end;
    unsigned long i = strcmp(name, "data") == 0 ? 0
        : strncmp(name, "data", 4) == 0 && name[4] >= '1' && name[4] <= '9' ? strtoul(name + 4, &end, 10) : files;
    if (parent != 1 || i >= files) { fuse_reply_err(req, ENOENT); return; }
    e.ino = 2 + i; e.attr_timeout = e.entry_timeout = 3600; attr(e.ino, &e.attr);
    fuse_reply_entry(req, &e);
}
static void ll_getattr(fuse_req_t req, fuse_ino_t ino, struct fuse_file_info *fi) {
    struct stat st;
    if (attr(ino, &st) != 0) fuse_reply_err(req, ENOENT); else fuse_reply_attr(req, &st, 3600);
}
static void ll_readdir(fuse_req_t req, fuse_ino_t ino, size_t n, off_t off, struct fuse_file_info *fi) {
    char buf[4096], name[32]; struct stat st; size_t used = 0;
    if (n > sizeof buf) n = sizeof buf;
    for (unsigned long i = off; i < files; i++) {
        file_name(i, name, sizeof name); attr(2 + i, &st);
        size_t want = fuse_add_direntry(req, buf + used, n - used, name, &st, i + 1);
        if (want > n - used) break;
        used += want;
    }
    fuse_reply_buf(req, buf, used);
}
static void ll_open(fuse_req_t req, fuse_ino_t ino, struct fuse_file_info *fi) {
    if (ino < 2) { fuse_reply_err(req, EISDIR); return; }
    fi->direct_io = 1;
    fuse_reply_open(req, fi);
}
static void ll_read(fuse_req_t req, fuse_ino_t ino, size_t n, off_t off, struct fuse_file_info *fi) {
    if ((size_t)off >= size) n = 0; else if (off + n > size) n = size - off;
    if (!copy_first) { fuse_reply_buf(req, data + off, n); return; }
    if (reply_cap < n) {
        free(reply_buf);
        if (!(reply_buf = malloc(n))) { reply_cap = 0; fuse_reply_err(req, ENOMEM); return; }
        reply_cap = n;
    }
    memcpy(reply_buf, data + off, n);
    fuse_reply_buf(req, reply_buf, n);
}
static const struct fuse_lowlevel_ops ops = {
    .init = ll_init, .lookup = ll_lookup, .getattr = ll_getattr, .readdir = ll_readdir, .open = ll_open, .read = ll_read,
};

int main(int argc, char *argv[]) {
    struct fuse_args args = FUSE_ARGS_INIT(argc, argv);
    struct fuse_cmdline_opts opts;
    const char *s = getenv("MEMFS_SIZE");
    const char *f = getenv("MEMFS_FILES");
    size = s ? strtoull(s, NULL, 10) : (512u << 20);
    if (f) files = strtoul(f, NULL, 10);
    copy_first = getenv("MEMFS_COPY") && strcmp(getenv("MEMFS_COPY"), "1") == 0;
    if (!(data = malloc(size))) return 1;
    for (size_t i = 0; i < size; i++) data[i] = (char)(i * 131 + (i >> 12));
    if (fuse_parse_cmdline(&args, &opts) != 0 || opts.mountpoint == NULL) { fprintf(stderr, "usage: memfs_ll -f DIR\n"); return 1; }
    struct fuse_session *se = fuse_session_new(&args, &ops, sizeof ops, NULL);
    if (se == NULL || fuse_set_signal_handlers(se) != 0 || fuse_session_mount(se, opts.mountpoint) != 0) return 1;
    struct fuse_loop_config *cfg = fuse_loop_cfg_create();
    const char *t = getenv("MEMFS_THREADS");
    unsigned threads = t ? strtoul(t, NULL, 10) : 10;
    fuse_loop_cfg_set_max_threads(cfg, threads);
    fuse_loop_cfg_set_idle_threads(cfg, threads);
    int rc = fuse_session_loop_mt(se, cfg);
    fuse_loop_cfg_destroy(cfg);
    fuse_session_unmount(se);
    fuse_remove_signal_handlers(se);
    fuse_session_destroy(se);
    return rc ? 1 : 0;
}

package dev.msfs.fuse;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.msfs.fs.Attr;
import dev.msfs.fs.Errno;
import dev.msfs.fuse.ffi.FuseLowLevel;
import org.junit.jupiter.api.Test;

/** The fs package's hand-kept errno and mode values must be the platform's (as jextract read them). */
class FfiConstantsTest {
    @Test
    void errnoValuesMatchTheHeaders() {
        assertEquals(FuseLowLevel.EPERM(), Errno.EPERM);
        assertEquals(FuseLowLevel.ENOENT(), Errno.ENOENT);
        assertEquals(FuseLowLevel.EIO(), Errno.EIO);
        assertEquals(FuseLowLevel.EBADF(), Errno.EBADF);
        assertEquals(FuseLowLevel.EACCES(), Errno.EACCES);
        assertEquals(FuseLowLevel.ENOTDIR(), Errno.ENOTDIR);
        assertEquals(FuseLowLevel.EISDIR(), Errno.EISDIR);
        assertEquals(FuseLowLevel.EINVAL(), Errno.EINVAL);
        assertEquals(FuseLowLevel.EROFS(), Errno.EROFS);
        assertEquals(FuseLowLevel.ERANGE(), Errno.ERANGE);
        assertEquals(FuseLowLevel.ENAMETOOLONG(), Errno.ENAMETOOLONG);
        assertEquals(FuseLowLevel.ENOSYS(), Errno.ENOSYS);
        assertEquals(FuseLowLevel.ENODATA(), Errno.ENODATA);
        assertEquals(FuseLowLevel.EEXIST(), Errno.EEXIST);
        assertEquals(FuseLowLevel.EXDEV(), Errno.EXDEV);
        assertEquals(FuseLowLevel.ENOTEMPTY(), Errno.ENOTEMPTY);
        assertEquals(FuseLowLevel.ENOTSUP(), Errno.ENOTSUP);
        assertEquals(FuseLowLevel.EFBIG(), Errno.EFBIG);
        assertEquals(FuseLowLevel.ENOSPC(), Errno.ENOSPC);
    }

    @Test
    void modeBitsMatchTheHeaders() {
        assertEquals(FuseLowLevel.S_IFDIR(), Attr.S_IFDIR);
        assertEquals(FuseLowLevel.S_IFREG(), Attr.S_IFREG);
    }
}

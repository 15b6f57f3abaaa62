package dev.msfs.backend;

/**
 * The permission bits, owner and group of a file that has its own (a LOCAL file), so that a mount
 * never grants anyone more than the source itself does. Object stores have no such thing:
 * {@link #UNRESTRICTED}.
 */
public record SourceMode(int mode, int uid, int gid) {
    public static final SourceMode UNRESTRICTED = new SourceMode(0777, -1, -1);

    /**
     * The rwx bits a file presented as owned by {@code uid}:{@code gid} may carry, class by class.
     * The presented owner gets the source's owner bits only when it is the source's owner, and the
     * source's "other" bits otherwise; the same for the group. This may grant less than the source
     * would (a presented owner who is only in the source's group), never more.
     */
    public int allowedFor(int uid, int gid) {
        if (this.uid < 0) {
            return 0777;
        }
        int other = mode & 07;
        int owner = uid == this.uid ? (mode >> 6) & 07 : other;
        int group = gid == this.gid ? (mode >> 3) & 07 : other;
        return owner << 6 | group << 3 | other;
    }
}

# Shared set-up for scripts/demo, scripts/test and bench/: system packages, Java 25, the jar.
# Sourced, not run. Works as root on a fresh Debian 12 machine; never asks questions.

msfs_die() { echo "msfs setup: $*" >&2; exit 1; }

# Installs the Debian packages named that are not installed yet (one apt-get run at most).
msfs_packages() {
  local missing=()
  for p in "$@"; do dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" || missing+=("$p"); done
  [ ${#missing[@]} -eq 0 ] && return 0
  [ "$(id -u)" -eq 0 ] || msfs_die "need root to install: ${missing[*]} (or install them yourself)"
  echo "msfs setup: installing ${missing[*]}" >&2
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq >/dev/null || msfs_die "apt-get update failed"
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null || msfs_die "apt-get install ${missing[*]} failed"
}

# Selects a JDK of version 25 or later: $JAVA_HOME if it is one, else the first under /usr/lib/jvm.
msfs_java() {
  local candidates=("${JAVA_HOME:-}" /usr/lib/jvm/temurin-25-jdk-amd64 /usr/lib/jvm/*)
  for home in "${candidates[@]}"; do
    [ -n "$home" ] && [ -x "$home/bin/javac" ] || continue
    local v; v=$("$home/bin/java" -XshowSettings:properties -version 2>&1 | sed -n 's/^ *java.specification.version = //p')
    if [ -n "$v" ] && [ "${v%%.*}" -ge 25 ] 2>/dev/null; then
      export JAVA_HOME="$home" PATH="$home/bin:$PATH"
      # Maven's bundled Guava uses sun.misc.Unsafe; JDK 25 warns about it on every build.
      export MAVEN_OPTS="${MAVEN_OPTS:-} --sun-misc-unsafe-memory-access=allow"
      return 0
    fi
  done
  msfs_die "no JDK 25 found (looked at \$JAVA_HOME and /usr/lib/jvm); install Temurin 25 at /usr/lib/jvm/temurin-25-jdk-amd64"
}

# Everything the build and tests need, then Java. With MSFS_PREBUILT set (bench/device-run, on a
# machine where nothing can be installed or built) only checks that java is on the PATH.
msfs_setup() {
  if [ -n "${MSFS_PREBUILT:-}" ]; then command -v java >/dev/null || msfs_die "MSFS_PREBUILT: no java on the PATH"; return 0; fi
  msfs_packages fuse3 libfuse3-3 "$@"
  command -v mvn >/dev/null || msfs_packages maven
  msfs_java
}

# Builds target/msfs.jar unless it is newer than every source file.
msfs_build_jar() {
  [ -z "${MSFS_PREBUILT:-}" ] || return 0
  if [ -f target/msfs.jar ] && [ -z "$(find pom.xml src/main -newer target/msfs.jar -print -quit)" ]; then
    return 0
  fi
  echo "msfs setup: building target/msfs.jar" >&2
  mvn -B -q -ntp -Dstyle.color=never package -DskipTests || msfs_die "build failed"
}

# Builds $1 (an AOT cache, JDK 25's JEP 514/515) by a training run of the jar: mount the demo,
# list and read it, unmount. Later `java -XX:AOTCache=$1 -jar msfs.jar …` starts faster.
# $2 and $3: the java and the jar to train (default: java on the PATH, target/msfs.jar); the cache
# holds for that runtime and a jar of the same size and time, wherever it is moved. Any further
# arguments are java options, which every run using the cache must pass too (the JVM ignores a
# cache trained with other module options, such as --enable-native-access).
msfs_build_aot() {
  local cache=$1 java=${2:-java} jar=${3:-target/msfs.jar} mnt pid
  shift $(($# < 3 ? $# : 3))
  mnt=$(mktemp -d /tmp/msfs-aot.XXXXXX)
  rm -f "$cache"
  "$java" "$@" -XX:AOTCacheOutput="$cache" -jar "$jar" mount --demo "$mnt" >/dev/null 2>&1 &
  pid=$!
  for _ in $(seq 300); do stat "$mnt/pseudo/file_00000000" >/dev/null 2>&1 && break; sleep 0.05; done
  ls -lR "$mnt" >/dev/null && cat "$mnt"/pseudo/dir_00000000/* >/dev/null
  kill -TERM $pid; wait $pid 2>/dev/null || true
  rmdir "$mnt" 2>/dev/null || true
  [ -s "$cache" ] || msfs_die "the AOT training run did not write $cache"
}

# Starts S3Proxy (filesystem store under $1/store, buckets as its folders) on 127.0.0.1:$2 with
# identity $3 and credential $4, and waits until it answers; sets S3PROXY_PID. $S3PROXY is the
# command that starts it (default: java -Xmx1g -jar target/s3proxy.jar).
msfs_start_s3proxy() {
  local work=$1 port=$2
  mkdir -p "$work/store"
  cat >"$work/s3proxy.conf" <<CONF
s3proxy.endpoint=http://127.0.0.1:$port
s3proxy.authorization=aws-v2-or-v4
s3proxy.identity=$3
s3proxy.credential=$4
jclouds.provider=filesystem
jclouds.filesystem.basedir=$work/store
CONF
  # shellcheck disable=SC2086
  ${S3PROXY:-java -Xmx1g -jar target/s3proxy.jar} --properties "$work/s3proxy.conf" >"$work/s3proxy.log" 2>&1 &
  S3PROXY_PID=$!
  for _ in $(seq 100); do curl -s -o /dev/null "http://127.0.0.1:$port/" && return 0; sleep 0.2; done
  msfs_die "S3Proxy did not start: $(tail -3 "$work/s3proxy.log")"
}

# Waits up to 60 s for path $1 to exist (a mount's first entry); dies naming $2 (and its log $3, if given) otherwise.
msfs_wait_for() {
  for _ in $(seq 600); do [ -e "$1" ] && return 0; sleep 0.1; done
  msfs_die "$2 did not come up${3:+: $(tail -3 "$3")}"
}

# The revision a bench/ result was measured at: $MSFS_REVISION where set (the device machine, whose
# copy of .git may be older than the tree it ran), else HEAD, "+uncommitted" when the tree has
# changes to tracked files outside bench/results (which a run rewrites before it names its revision).
msfs_revision() {
  local rev
  [ -z "${MSFS_REVISION:-}" ] || { echo "$MSFS_REVISION"; return; }
  rev=$(git rev-parse --short HEAD 2>/dev/null) || { echo unknown; return; }
  git diff --quiet HEAD -- . ':(exclude)bench/results' 2>/dev/null || rev="$rev+uncommitted"
  echo "$rev"
}

# Timing for bench/: now in seconds (with nanoseconds), and the CPU seconds (user + system) process $1 has used.
msfs_now() { date +%s.%N; }
msfs_cpu() { awk -v t="$(getconf CLK_TCK)" '{ printf "%.3f", ($14 + $15) / t }' "/proc/$1/stat"; }
# Each thread of process $1 as "TID NAME TICKS" (user + system clock ticks; spaces in NAME as _).
msfs_thread_ticks() {
  local t
  for t in /proc/"$1"/task/*; do  # the thread's name may hold ") ", so its fields are counted from the last one
    awk -v tid="${t##*/}" -v name="$(tr ' ' _ <"$t/comm" 2>/dev/null)" '{ sub(/^.*\) /, ""); print tid, name, $12 + $13 }' \
      "$t/stat" 2>/dev/null || true  # a thread may end between the listing and the read
  done
}

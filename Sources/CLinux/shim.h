#ifndef MANAGESIEVED_CLINUX_SHIM_H
#define MANAGESIEVED_CLINUX_SHIM_H
/* Linux/glibc calls that Swift's Glibc module does not expose (they need _GNU_SOURCE), declared with
   their C prototypes so Swift calls them with the C calling convention. uid_t and gid_t are
   unsigned int on Linux; they are spelled out so this module exports no types of its own. */

extern int setresuid(unsigned int ruid, unsigned int euid, unsigned int suid);
extern int setresgid(unsigned int rgid, unsigned int egid, unsigned int sgid);
extern int getresuid(unsigned int *ruid, unsigned int *euid, unsigned int *suid);
extern int getresgid(unsigned int *rgid, unsigned int *egid, unsigned int *sgid);
/* The file-system identity (sys/fsuid.h): return the previous id; a failure is seen only by asking again. */
extern int setfsuid(unsigned int fsuid);
extern int setfsgid(unsigned int fsgid);
extern int renameat2(int olddirfd, const char *oldpath, int newdirfd, const char *newpath, unsigned int flags);
/* glibc 2.34: close every descriptor from `from` up in a posix_spawn child (the actions object is
   posix_spawn_file_actions_t, passed untyped here). */
extern int posix_spawn_file_actions_addclosefrom_np(void *actions, int from);
extern int pipe2(int pipefd[2], int flags);

/* prctl(2) and syscall(2) are variadic, which Swift cannot call: each use gets a fixed-signature wrapper. */
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>
#include <malloc.h>
#include <signal.h>
#include <string.h>
#include <syslog.h>
#include <time.h>

/* PR_SET_DUMPABLE 0: no core dump, and /proc/PID and ptrace are root's only, whatever uid we run as. */
static inline int clinux_set_not_dumpable(void) { return prctl(PR_SET_DUMPABLE, 0, 0, 0, 0); }
static inline int clinux_is_dumpable(void) { return prctl(PR_GET_DUMPABLE, 0, 0, 0, 0); }
/* close_range(2) through syscall(2): glibc's wrapper needs _GNU_SOURCE and glibc 2.34. */
static inline int clinux_close_range(unsigned int first, unsigned int last) {
    return (int)syscall(SYS_close_range, first, last, 0);
}
/* Heap bytes in use (mallinfo2's uordblks): tests compare estimates of allocation with glibc's own count. */
static inline unsigned long clinux_heap_bytes_in_use(void) { return (unsigned long)mallinfo2().uordblks; }

/* Last words: one log line when the process dies of a signal (a resource limit or a crash), written from the
   handler with only async-signal-safe calls where the log is a file (syslog(3) is not formally safe, so an
   alarm bounds the handler). The line's parts are prepared in advance; the handler adds the time and the
   signal's name, then lets the signal end the process as it would have. Only the Posix target calls these. */
struct clinux_last_words {
    int fd;
    int priority;
    char ident[128];
    char head[2048];
    char tail[512];
};

/* A function-local static: a header's file-scope statics are not emitted for Swift. */
static inline struct clinux_last_words *clinux_lw(void) {
    static struct clinux_last_words state = {-1, 0, {0}, {0}, {0}};
    return &state;
}

static inline const char *clinux_signal_name(int sig) {
    switch (sig) {
    case SIGXCPU: return "SIGXCPU";
    case SIGSEGV: return "SIGSEGV";
    case SIGBUS: return "SIGBUS";
    case SIGILL: return "SIGILL";
    case SIGTRAP: return "SIGTRAP";
    case SIGABRT: return "SIGABRT";
    case SIGXFSZ: return "SIGXFSZ";
    default: return "a signal";
    }
}

static inline size_t clinux_lw_append(char *out, size_t at, size_t cap, const char *s) {
    while (*s && at + 1 < cap) out[at++] = *s++;
    return at;
}

static inline size_t clinux_lw_number(char *out, size_t at, size_t cap, long value, int width) {
    char digits[24];
    int n = 0;
    do { digits[n++] = (char)('0' + value % 10); value /= 10; } while (value > 0 && n < 23);
    while (n < width && n < 23) digits[n++] = '0';
    while (n > 0 && at + 1 < cap) out[at++] = digits[--n];
    return at;
}

static void clinux_lw_handler(int sig) {
    alarm(2);
    char line[3072];
    size_t at = 0;
    const char *name = clinux_signal_name(sig);
    if (clinux_lw()->fd >= 0) {
        struct timespec now;
        clock_gettime(CLOCK_REALTIME, &now);
        /* Days since 1970-01-01 to a proleptic Gregorian date (Howard Hinnant's civil_from_days). */
        long secs = (long)now.tv_sec, days = secs / 86400, rem = secs % 86400;
        long z = days + 719468, era = (z >= 0 ? z : z - 146096) / 146097;
        long doe = z - era * 146097, yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
        long doy = doe - (365 * yoe + yoe / 4 - yoe / 100), mp = (5 * doy + 2) / 153;
        long d = doy - (153 * mp + 2) / 5 + 1, m = mp < 10 ? mp + 3 : mp - 9, y = yoe + era * 400 + (m <= 2);
        at = clinux_lw_number(line, at, sizeof line, y, 4);
        at = clinux_lw_append(line, at, sizeof line, "-");
        at = clinux_lw_number(line, at, sizeof line, m, 2);
        at = clinux_lw_append(line, at, sizeof line, "-");
        at = clinux_lw_number(line, at, sizeof line, d, 2);
        at = clinux_lw_append(line, at, sizeof line, "T");
        at = clinux_lw_number(line, at, sizeof line, rem / 3600, 2);
        at = clinux_lw_append(line, at, sizeof line, ":");
        at = clinux_lw_number(line, at, sizeof line, rem / 60 % 60, 2);
        at = clinux_lw_append(line, at, sizeof line, ":");
        at = clinux_lw_number(line, at, sizeof line, rem % 60, 2);
        at = clinux_lw_append(line, at, sizeof line, ".");
        at = clinux_lw_number(line, at, sizeof line, now.tv_nsec / 1000000, 3);
        at = clinux_lw_append(line, at, sizeof line, "Z ");
        at = clinux_lw_append(line, at, sizeof line, clinux_lw()->ident);
        at = clinux_lw_append(line, at, sizeof line, ": ");
    }
    at = clinux_lw_append(line, at, sizeof line, clinux_lw()->head);
    at = clinux_lw_append(line, at, sizeof line, name);
    at = clinux_lw_append(line, at, sizeof line, clinux_lw()->tail);
    if (clinux_lw()->fd >= 0) {
        at = clinux_lw_append(line, at, sizeof line, "\n");
        ssize_t ignored = write(clinux_lw()->fd, line, at);
        (void)ignored;
    } else {
        line[at] = 0;
        syslog(clinux_lw()->priority, "%s", line);
    }
    signal(sig, SIG_DFL);
    raise(sig);
}

/* fd >= 0: append to that log file with `ident` (`managesieved[PID]`); fd < 0: syslog with `priority`. */
static inline void clinux_install_last_words(int fd, int priority, const char *ident, const char *head,
                                             const char *tail) {
    clinux_lw()->fd = fd;
    clinux_lw()->priority = priority;
    strncpy(clinux_lw()->ident, ident, sizeof clinux_lw()->ident - 1);
    strncpy(clinux_lw()->head, head, sizeof clinux_lw()->head - 1);
    strncpy(clinux_lw()->tail, tail, sizeof clinux_lw()->tail - 1);
    int signals[] = {SIGXCPU, SIGSEGV, SIGBUS, SIGILL, SIGTRAP, SIGABRT};
    for (unsigned i = 0; i < sizeof signals / sizeof signals[0]; i++) {
        struct sigaction action;
        memset(&action, 0, sizeof action);
        action.sa_handler = clinux_lw_handler;
        action.sa_flags = SA_RESETHAND | SA_NODEFER;
        sigemptyset(&action.sa_mask);
        sigaction(signals[i], &action, 0);
    }
}

#endif

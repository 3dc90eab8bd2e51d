/* link-order-trace: run a program under ptrace up to its first write(2) to fd 1 (the greeting).
 *   link-order-trace steps CMD [ARGS...]   single-steps; prints each instruction address (hex) the
 *                                          first time it runs, in order (for tools/gen-link-order)
 *   link-order-trace faults CMD [ARGS...]  prints the page faults taken before that write
 * The child's stdin is inherited (give it /dev/null). Used by tools/gen-link-order; not installed. */
#define _GNU_SOURCE
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ptrace.h>
#include <sys/syscall.h>
#include <sys/user.h>
#include <sys/wait.h>
#include <unistd.h>

/* Minor faults so far: field 10 of /proc/PID/stat. */
static long minor_faults(pid_t pid) {
    char path[64], buf[4096];
    snprintf(path, sizeof path, "/proc/%d/stat", (int)pid);
    FILE *f = fopen(path, "r");
    if (!f) return -1;
    size_t n = fread(buf, 1, sizeof buf - 1, f);
    fclose(f);
    buf[n] = 0;
    char *p = strrchr(buf, ')');
    long v = -1;
    if (p) sscanf(p + 2, "%*c %*d %*d %*d %*d %*d %*u %ld", &v);
    return v;
}

/* Open-addressing set of instruction addresses (a start-up runs well under a million distinct ones). */
#define SET_BITS 22
static uint64_t *set;
static int insert(uint64_t a) {
    uint64_t h = (a * 0x9E3779B97F4A7C15ull) >> (64 - SET_BITS);
    while (set[h]) {
        if (set[h] == a) return 0;
        h = (h + 1) & ((1u << SET_BITS) - 1);
    }
    set[h] = a;
    return 1;
}

int main(int argc, char **argv) {
    if (argc < 3 || (strcmp(argv[1], "steps") != 0 && strcmp(argv[1], "faults") != 0)) {
        fprintf(stderr, "usage: link-order-trace steps|faults CMD [ARGS...]\n");
        return 2;
    }
    int stepping = strcmp(argv[1], "steps") == 0;
    pid_t pid = fork();
    if (pid < 0) { perror("fork"); return 1; }
    if (pid == 0) {
        ptrace(PTRACE_TRACEME, 0, 0, 0);
        execv(argv[2], argv + 2);
        perror(argv[2]);
        _exit(127);
    }
    int status;
    if (waitpid(pid, &status, 0) < 0 || !WIFSTOPPED(status)) { fprintf(stderr, "link-order-trace: exec failed\n"); return 1; }
    ptrace(PTRACE_SETOPTIONS, pid, 0, PTRACE_O_TRACESYSGOOD | PTRACE_O_EXITKILL);
    if (stepping && !(set = calloc((size_t)1 << SET_BITS, sizeof *set))) { perror("calloc"); return 1; }
    long stops = 0;
    for (;;) {
        if (ptrace(stepping ? PTRACE_SINGLESTEP : PTRACE_SYSCALL, pid, 0, 0) < 0) { perror("ptrace"); return 1; }
        if (waitpid(pid, &status, 0) < 0 || WIFEXITED(status) || WIFSIGNALED(status)) {
            fprintf(stderr, "link-order-trace: the program ended before writing to fd 1\n");
            return 1;
        }
        stops++;
        struct user_regs_struct regs;
        ptrace(PTRACE_GETREGS, pid, 0, &regs);
        if (stepping) {
            if (insert(regs.rip)) printf("%llx\n", (unsigned long long)regs.rip);
            /* Stop before a `syscall` instruction (0f 05) about to run write(1, ...). */
            long word = ptrace(PTRACE_PEEKTEXT, pid, regs.rip, 0);
            if ((word & 0xffff) == 0x050f && regs.rax == SYS_write && regs.rdi == 1) break;
        } else if (WSTOPSIG(status) == (SIGTRAP | 0x80) && regs.orig_rax == SYS_write && regs.rdi == 1) {
            break;
        }
    }
    /* In steps mode the tracer's own reads of the child's text fault those pages in, so only the
     * faults mode gives the child's true count. */
    fprintf(stderr, "faults=%ld %s=%ld\n", minor_faults(pid), stepping ? "instructions" : "stops", stops);
    kill(pid, SIGKILL);
    waitpid(pid, &status, 0);
    return 0;
}

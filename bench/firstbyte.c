/* firstbyte: exec -> first byte of output, measured N times; prints the median and other figures.
 * usage: firstbyte [-e ENVFILE] N INPUT CMD [ARGS...]
 * ENVFILE: the child's whole environment, NUL-separated (as `env -0` prints it); default: ours.
 * The child's stderr goes to /dev/null.
 * INPUT (C escapes \r \n allowed) is written to the child's stdin pipe before the child starts,
 * then the pipe is closed: a server that needs a command before it speaks gets one at once. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

extern char **environ;

static double now_us(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1e6 + ts.tv_nsec / 1e3;
}

static int cmp(const void *a, const void *b) {
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

static size_t unescape(const char *in, char *out) {
    size_t n = 0;
    for (; *in; in++) {
        if (*in == '\\' && in[1]) {
            in++;
            out[n++] = *in == 'r' ? '\r' : *in == 'n' ? '\n' : *in;
        } else {
            out[n++] = *in;
        }
    }
    return n;
}

static char **read_env(const char *path) {
    FILE *f = fopen(path, "r");
    if (!f) { perror(path); exit(1); }
    static char data[1 << 20];
    size_t len = fread(data, 1, sizeof data - 1, f);
    fclose(f);
    data[len] = 0;
    size_t count = 0;
    for (size_t i = 0; i < len; i++) count += data[i] == 0;
    char **env = calloc(count + 2, sizeof(char *));
    size_t n = 0;
    for (size_t i = 0; i < len; i += strlen(data + i) + 1)
        if (data[i]) env[n++] = data + i;
    env[n] = NULL;
    return env;
}

int main(int argc, char **argv) {
    char **env = environ;
    if (argc > 2 && strcmp(argv[1], "-e") == 0) {
        env = read_env(argv[2]);
        argv += 2;
        argc -= 2;
    }
    if (argc < 4) {
        fprintf(stderr, "usage: firstbyte [-e ENVFILE] N INPUT CMD [ARGS...]\n");
        return 2;
    }
    int n = atoi(argv[1]);
    char input[4096];
    size_t inlen = unescape(argv[2], input);
    double *first = calloc(n, sizeof(double)), *total = calloc(n, sizeof(double));
    int warmup = 5;
    for (int i = -warmup; i < n; i++) {
        int in[2], out[2];
        if (pipe2(in, O_CLOEXEC) || pipe2(out, O_CLOEXEC)) { perror("pipe"); return 1; }
        if (inlen && write(in[1], input, inlen) != (ssize_t)inlen) { perror("write"); return 1; }
        close(in[1]);
        posix_spawn_file_actions_t fa;
        posix_spawn_file_actions_init(&fa);
        posix_spawn_file_actions_adddup2(&fa, in[0], 0);
        posix_spawn_file_actions_adddup2(&fa, out[1], 1);
        posix_spawn_file_actions_addopen(&fa, 2, "/dev/null", O_WRONLY, 0);
        pid_t pid;
        double t0 = now_us();
        int rc = posix_spawn(&pid, argv[3], &fa, NULL, argv + 3, env);
        if (rc) { errno = rc; perror("posix_spawn"); return 1; }
        posix_spawn_file_actions_destroy(&fa);
        close(in[0]);
        close(out[1]);
        char buf[65536];
        ssize_t r = read(out[0], buf, 1);
        double t1 = now_us();
        if (r != 1) { fprintf(stderr, "firstbyte: no output from %s\n", argv[3]); return 1; }
        while ((r = read(out[0], buf, sizeof buf)) > 0) {}
        int status;
        waitpid(pid, &status, 0);
        double t2 = now_us();
        close(out[0]);
        if (i >= 0) { first[i] = t1 - t0; total[i] = t2 - t0; }
    }
    qsort(first, n, sizeof(double), cmp);
    qsort(total, n, sizeof(double), cmp);
    printf("first_median_us=%.1f first_min_us=%.1f first_p90_us=%.1f exit_median_us=%.1f\n",
           first[n / 2], first[0], first[(n * 9) / 10], total[n / 2]);
    return 0;
}

/* client: a small ManageSieve load client for the benchmark (loopback, PLAIN login, TLS through OpenSSL).
 *   client session HOST PORT USER PASS SCRIPT N [J]
 *       J processes (default 1) each run N whole sessions: connect, AUTHENTICATE PLAIN, PUTSCRIPT,
 *       LISTSCRIPTS, SETACTIVE, GETSCRIPT, LOGOUT. Prints sessions=… seconds=… per_second=…
 *       A USER with %d logs each process in as its own user (%d = 0 … J-1), so that many clients at once do not
 *       all wait for one user's storage lock.
 *   client tlssession HOST PORT USER PASS SCRIPT N [J]
 *       the same with STARTTLS right after the greeting.
 *   client greet|starttls|tlsconnect|implicit HOST PORT USER PASS SCRIPT N
 *       N connections, timing connect -> greeting, STARTTLS -> the capabilities inside TLS, connect -> the
 *       capabilities inside TLS through STARTTLS, or (implicit TLS) connect -> handshake -> greeting;
 *       prints median_ms=… (USER, PASS and SCRIPT are not used).
 *   client check HOST PORT USER PASS SCRIPT N
 *       one login, then N CHECKSCRIPTs of SCRIPT; prints the median round trip and MB/s.
 * Every response must be OK, else the client stops with status 1 and prints it. */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <openssl/ssl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static const char *host, *user, *pass;
static int port;
static char *script;
static size_t script_len;

static double now_s(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec + ts.tv_nsec / 1e9;
}

typedef struct {
    int fd;
    SSL *ssl; /* non-NULL once TLS runs */
    char buf[1 << 16];
    size_t start, end;
} conn;

static void die(const char *what, const char *detail) {
    fprintf(stderr, "client: %s%s%s\n", what, detail ? ": " : "", detail ? detail : "");
    exit(1);
}

static void send_all(conn *c, const char *data, size_t len) {
    while (len) {
        ssize_t w = c->ssl ? SSL_write(c->ssl, data, (int)len) : write(c->fd, data, len);
        if (w <= 0) die("write failed", NULL);
        data += w;
        len -= w;
    }
}

static int fill(conn *c) {
    if (c->start == c->end) c->start = c->end = 0;
    if (c->end == sizeof c->buf) {
        memmove(c->buf, c->buf + c->start, c->end - c->start);
        c->end -= c->start;
        c->start = 0;
    }
    ssize_t r = c->ssl ? SSL_read(c->ssl, c->buf + c->end, (int)(sizeof c->buf - c->end))
                       : read(c->fd, c->buf + c->end, sizeof c->buf - c->end);
    if (r <= 0) return 0;
    c->end += r;
    return 1;
}

/* Reads one line (without CRLF) into line (truncated at cap); returns its full length. */
static size_t read_line(conn *c, char *line, size_t cap) {
    size_t n = 0;
    for (;;) {
        for (size_t i = c->start; i < c->end; i++) {
            if (c->buf[i] == '\n') {
                size_t take = i - c->start;
                for (size_t k = 0; k < take && n + 1 < cap; k++) line[n++] = c->buf[c->start + k];
                c->start = i + 1;
                if (n && line[n - 1] == '\r') n--;
                line[n] = 0;
                return n;
            }
        }
        for (size_t k = c->start; k < c->end && n + 1 < cap; k++) line[n++] = c->buf[k];
        c->start = c->end;
        if (!fill(c)) die("connection closed", NULL);
    }
}

static void skip_bytes(conn *c, size_t count) {
    while (count) {
        if (c->start == c->end && !fill(c)) die("connection closed in a literal", NULL);
        size_t take = c->end - c->start < count ? c->end - c->start : count;
        c->start += take;
        count -= take;
    }
}

/* Reads a whole response (data lines, literals) up to its OK/NO/BYE line; returns 1 for OK. */
static int read_response(conn *c, char *last, size_t cap) {
    for (;;) {
        size_t n = read_line(c, last, cap);
        while (n && last[n - 1] == '}') { /* a literal ends the line: skip it and read on */
            char *brace = strrchr(last, '{');
            if (!brace) break;
            skip_bytes(c, strtoul(brace + 1, NULL, 10));
            n = read_line(c, last, cap);
        }
        if (!strncmp(last, "OK", 2)) return 1;
        if (!strncmp(last, "NO", 2) || !strncmp(last, "BYE", 3)) return 0;
    }
}

static void expect_ok(conn *c, const char *step) {
    char last[4096];
    if (!read_response(c, last, sizeof last)) die(step, last);
}

static SSL_CTX *tls_context(void) {
    static SSL_CTX *ctx;
    if (!ctx) {
        ctx = SSL_CTX_new(TLS_client_method());
        SSL_CTX_set_verify(ctx, SSL_VERIFY_NONE, NULL);
    }
    return ctx;
}

static void handshake(conn *c) {
    c->ssl = SSL_new(tls_context());
    SSL_set_fd(c->ssl, c->fd);
    if (SSL_connect(c->ssl) != 1) die("TLS handshake failed", NULL);
    c->start = c->end = 0;
}

/* STARTTLS, the handshake, and the capabilities the server sends again inside TLS. */
static void starttls(conn *c) {
    send_all(c, "STARTTLS\r\n", 10);
    expect_ok(c, "STARTTLS");
    handshake(c);
    expect_ok(c, "capabilities after STARTTLS");
}

static void open_socket(conn *c) {
    c->start = c->end = 0;
    c->ssl = NULL;
    c->fd = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in sa = {.sin_family = AF_INET, .sin_port = htons(port)};
    inet_pton(AF_INET, host, &sa.sin_addr);
    int one = 1;
    setsockopt(c->fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    if (connect(c->fd, (struct sockaddr *)&sa, sizeof sa)) die("connect failed", NULL);
}

static void connect_to(conn *c) {
    open_socket(c);
    expect_ok(c, "greeting");
}

static void login(conn *c) {
    static const char b64[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    unsigned char raw[512];
    size_t ul = strlen(user), pl = strlen(pass), n = 0;
    raw[n++] = 0;
    memcpy(raw + n, user, ul), n += ul;
    raw[n++] = 0;
    memcpy(raw + n, pass, pl), n += pl;
    char cmd[1024] = "AUTHENTICATE \"PLAIN\" \"";
    size_t o = strlen(cmd);
    for (size_t i = 0; i < n; i += 3) {
        unsigned v = raw[i] << 16 | (i + 1 < n ? raw[i + 1] << 8 : 0) | (i + 2 < n ? raw[i + 2] : 0);
        cmd[o++] = b64[v >> 18 & 63];
        cmd[o++] = b64[v >> 12 & 63];
        cmd[o++] = i + 1 < n ? b64[v >> 6 & 63] : '=';
        cmd[o++] = i + 2 < n ? b64[v & 63] : '=';
    }
    memcpy(cmd + o, "\"\r\n", 3), o += 3;
    send_all(c, cmd, o);
    expect_ok(c, "AUTHENTICATE");
}

/* One write for the whole command: with TCP_NODELAY, three small writes would be three segments. */
static void send_literal_command(conn *c, const char *prefix) {
    static char *out;
    static size_t cap;
    char head[256];
    int n = snprintf(head, sizeof head, "%s{%zu+}\r\n", prefix, script_len);
    if (cap < n + script_len + 2) {
        cap = n + script_len + 2;
        out = realloc(out, cap);
    }
    memcpy(out, head, n);
    memcpy(out + n, script, script_len);
    memcpy(out + n + script_len, "\r\n", 2);
    send_all(c, out, n + script_len + 2);
}

static void logout(conn *c) {
    send_all(c, "LOGOUT\r\n", 8);
    expect_ok(c, "LOGOUT");
    char tmp[256];
    if (c->ssl) {
        while (SSL_read(c->ssl, tmp, sizeof tmp) > 0) {} /* the server's close_notify, then it closes */
        SSL_free(c->ssl);
        c->ssl = NULL;
    } else {
        while (read(c->fd, tmp, sizeof tmp) > 0) {} /* the server closes */
    }
    close(c->fd);
}

static int use_tls;

static void one_session(void) {
    static conn c;
    connect_to(&c);
    if (use_tls) starttls(&c);
    login(&c);
    send_literal_command(&c, "PUTSCRIPT \"bench\" ");
    expect_ok(&c, "PUTSCRIPT");
    send_all(&c, "LISTSCRIPTS\r\n", 13);
    expect_ok(&c, "LISTSCRIPTS");
    send_all(&c, "SETACTIVE \"bench\"\r\n", 19);
    expect_ok(&c, "SETACTIVE");
    send_all(&c, "GETSCRIPT \"bench\"\r\n", 19);
    expect_ok(&c, "GETSCRIPT");
    logout(&c);
}

static int cmp(const void *a, const void *b) {
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

static void load_script(const char *path) {
    FILE *f = fopen(path, "rb");
    if (!f) die("cannot open", path);
    fseek(f, 0, SEEK_END);
    script_len = ftell(f);
    fseek(f, 0, SEEK_SET);
    script = malloc(script_len + 1);
    if (fread(script, 1, script_len, f) != script_len) die("cannot read", path);
    fclose(f);
}

int main(int argc, char **argv) {
    if (argc < 8) {
        fprintf(stderr, "usage: client session|tlssession|check|greet|starttls|tlsconnect|implicit HOST PORT USER PASS SCRIPT N [J]\n");
        return 2;
    }
    host = argv[2], port = atoi(argv[3]), user = argv[4], pass = argv[5];
    load_script(argv[6]);
    int n = atoi(argv[7]);
    if (!strcmp(argv[1], "greet") || !strcmp(argv[1], "starttls") || !strcmp(argv[1], "implicit") ||
        !strcmp(argv[1], "tlsconnect")) {
        conn *c = calloc(1, sizeof *c);
        double *t = calloc(n, sizeof(double));
        for (int i = 0; i < n; i++) {
            double t0 = now_s();
            if (!strcmp(argv[1], "implicit")) {
                open_socket(c);
                handshake(c);
                expect_ok(c, "greeting");
            } else {
                connect_to(c);
            }
            if (!strcmp(argv[1], "starttls")) t0 = now_s();
            if (!strcmp(argv[1], "starttls") || !strcmp(argv[1], "tlsconnect")) starttls(c);
            t[i] = now_s() - t0;
            logout(c);
        }
        qsort(t, n, sizeof(double), cmp);
        printf("median_ms=%.3f min_ms=%.3f\n", t[n / 2] * 1e3, t[0] * 1e3);
        return 0;
    }
    use_tls = !strcmp(argv[1], "tlssession");
    if (!strcmp(argv[1], "session") || use_tls) {
        int jobs = argc > 8 ? atoi(argv[8]) : 1;
        double t0 = now_s();
        for (int j = 0; j < jobs; j++) {
            if (fork() == 0) {
                if (strstr(user, "%d")) {
                    char *own;
                    if (asprintf(&own, user, j) < 0) die("out of memory", user);
                    user = own;
                }
                for (int i = 0; i < n; i++) one_session();
                _exit(0);
            }
        }
        int status, failed = 0;
        while (wait(&status) > 0) failed |= !WIFEXITED(status) || WEXITSTATUS(status);
        double dt = now_s() - t0;
        if (failed) return 1;
        printf("sessions=%d seconds=%.4f per_second=%.1f\n", n * jobs, dt, n * jobs / dt);
        return 0;
    }
    if (!strcmp(argv[1], "check")) {
        conn *c = calloc(1, sizeof *c);
        connect_to(c);
        login(c);
        double *t = calloc(n, sizeof(double));
        for (int i = 0; i < n; i++) {
            double t0 = now_s();
            send_literal_command(c, "CHECKSCRIPT ");
            expect_ok(c, "CHECKSCRIPT");
            t[i] = now_s() - t0;
        }
        logout(c);
        qsort(t, n, sizeof(double), cmp);
        printf("median_ms=%.3f min_ms=%.3f mb_per_s=%.2f\n", t[n / 2] * 1e3, t[0] * 1e3,
               script_len / 1e6 / t[n / 2]);
        return 0;
    }
    die("unknown mode", argv[1]);
}

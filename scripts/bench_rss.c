/* bench_rss.c - runs one command and reports its wall time, CPU time and peak memory.
 *
 * A small stand-in for GNU time's -v, so scripts/bench.sh needs no extra package:
 *
 *   bench_rss [-o FILE] [-s MS -S FILE] -- COMMAND [ARG...]
 *
 * It forks, execs COMMAND (stdin, stdout and stderr are inherited), and waits with
 * wait4(), whose rusage gives the child's own peak resident set (ru_maxrss, KiB on Linux)
 * and CPU times. The result is one line, to FILE or else to stderr:
 *
 *   wall_s=1.234 user_s=2.100 sys_s=0.050 maxrss_kb=51234 exit=0
 *
 * exit is the command's exit code, or 128 + the signal number when a signal ended it.
 * With -s MS it also reads VmRSS from /proc/PID/status every MS milliseconds and writes
 * "t_s rss_kb" lines to the -S FILE, to show whether memory grows over a run.
 *
 * Exit status: the command's (as above); 125 when bench_rss itself fails, 127 when the
 * command cannot be run. Build: cc -O2 -std=c11 -o bench_rss scripts/bench_rss.c
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/time.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

static void usage(void)
{
    fprintf(stderr, "usage: bench_rss [-o FILE] [-s MS -S FILE] -- COMMAND [ARG...]\n");
}

/* VmRSS of a live process in KiB, or -1 when it cannot be read (the process is gone). */
static long vm_rss_kb(pid_t pid)
{
    char path[64], line[256];
    long kb = -1;
    snprintf(path, sizeof(path), "/proc/%d/status", (int)pid);
    FILE *f = fopen(path, "r");
    if (!f)
        return -1;
    while (fgets(line, sizeof(line), f)) {
        if (!strncmp(line, "VmRSS:", 6)) {
            kb = strtol(line + 6, NULL, 10);
            break;
        }
    }
    fclose(f);
    return kb;
}

int main(int argc, char **argv)
{
    const char *out_path = NULL, *samples_path = NULL;
    long sample_ms = 0;
    int opt;

    while ((opt = getopt(argc, argv, "+o:s:S:h")) != -1) {
        switch (opt) {
        case 'o':
            out_path = optarg;
            break;
        case 's':
            sample_ms = strtol(optarg, NULL, 10);
            break;
        case 'S':
            samples_path = optarg;
            break;
        default:
            usage();
            return opt == 'h' ? 0 : 125;
        }
    }
    if (optind >= argc || (sample_ms > 0) != (samples_path != NULL) || sample_ms < 0) {
        usage();
        return 125;
    }

    FILE *samples = NULL;
    if (samples_path) {
        samples = fopen(samples_path, "w");
        if (!samples) {
            fprintf(stderr, "bench_rss: %s: %s\n", samples_path, strerror(errno));
            return 125;
        }
    }

    double t0 = now_s();
    pid_t pid = fork();
    if (pid < 0) {
        fprintf(stderr, "bench_rss: fork: %s\n", strerror(errno));
        return 125;
    }
    if (pid == 0) {
        execvp(argv[optind], argv + optind);
        fprintf(stderr, "bench_rss: cannot run %s: %s\n", argv[optind], strerror(errno));
        _exit(127);
    }

    struct rusage ru;
    int status = 0;
    pid_t got;
    for (;;) {
        got = wait4(pid, &status, samples ? WNOHANG : 0, &ru);
        if (got == pid)
            break;
        if (got < 0 && errno != EINTR) {
            fprintf(stderr, "bench_rss: wait4: %s\n", strerror(errno));
            return 125;
        }
        if (got == 0) { /* still running: sample, then sleep one interval */
            long kb = vm_rss_kb(pid);
            if (kb >= 0)
                fprintf(samples, "%.3f %ld\n", now_s() - t0, kb);
            struct timespec d = {sample_ms / 1000, (sample_ms % 1000) * 1000000L};
            nanosleep(&d, NULL);
        }
    }
    double wall = now_s() - t0;
    if (samples)
        fclose(samples);

    int code = WIFEXITED(status) ? WEXITSTATUS(status)
               : WIFSIGNALED(status) ? 128 + WTERMSIG(status)
                                     : 125;
    FILE *out = stderr;
    if (out_path) {
        out = fopen(out_path, "w");
        if (!out) {
            fprintf(stderr, "bench_rss: %s: %s\n", out_path, strerror(errno));
            return 125;
        }
    }
    fprintf(out, "wall_s=%.4f user_s=%.3f sys_s=%.3f maxrss_kb=%ld exit=%d\n", wall,
            ru.ru_utime.tv_sec + ru.ru_utime.tv_usec / 1e6,
            ru.ru_stime.tv_sec + ru.ru_stime.tv_usec / 1e6, ru.ru_maxrss, code);
    if (out != stderr)
        fclose(out);
    return code;
}

/* test_db_fullfs.c - the database on a full disk: a small tmpfs (mounted by the test; exit
 * 77 where mounting is not allowed) is filled by committing reps until one fails. The
 * failing rep must report HD_ERR_IO naming the full disk, and every rep committed before
 * it must still be readable, by this handle and by a fresh one after space is freed.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <unistd.h>

#include "heeldrop/db.h"
#include "test.h"

static char dir[PATH_MAX];

static hd_rep make_rep(int i)
{
    hd_rep r = {0};
    r.index = i;
    r.set = 1 + i / 15;
    r.foot = 1;
    r.t_descent_start = i * 9.0;
    r.descent_s = 3.5;
    r.t_bottom = r.t_descent_start + 3.5;
    r.hold_s = 0.5;
    r.t_hold_end = r.t_bottom + 0.5;
    r.t_top = r.t_hold_end + 1.0;
    r.warnings = i % 4 == 0 ? HD_WARN_TOO_FAST | HD_WARN_PARTIAL : 0;
    return r;
}

static void test_full_disk(void)
{
    char path[PATH_MAX + 32], filler[PATH_MAX + 32];
    hd_db *db = NULL;
    int64_t sid = 0;
    int ok = 0, last_status = 0;

    snprintf(path, sizeof(path), "%s/heeldrop.db", dir);
    snprintf(filler, sizeof(filler), "%s/filler", dir);
    CHECK(hd_db_open(path, &db) == HD_OK);
    if (!db)
        return;
    hd_db_session info = {.uid = "full", .start_time = 1740987000, .source = "/dev/video0"};
    CHECK(hd_db_session_begin(db, &info, &sid) == HD_OK);
    /* Leave little room: fill the tmpfs with a file, then give back ~200 KiB. */
    FILE *f = fopen(filler, "w");
    char block[4096];
    long total = 0;
    memset(block, 'x', sizeof(block));
    while (f && fwrite(block, 1, sizeof(block), f) == sizeof(block) && fflush(f) == 0)
        total += (long)sizeof(block);
    if (f)
        fclose(f);
    CHECK(total > 0);
    CHECK(truncate(filler, total > 200 * 1024 ? total - 200 * 1024 : 0) == 0);
    for (int i = 1; i <= 5000; i++) {
        hd_rep r = make_rep(i);
        hd_status st = hd_db_rep_add(db, sid, &r, "left");
        if (st != HD_OK) {
            last_status = st;
            fprintf(stderr, "  rep %d failed: %s\n", i, hd_last_error());
            break;
        }
        ok = i;
    }
    CHECK(last_status == HD_ERR_IO);
    CHECK(strstr(hd_last_error(), "disk full") != NULL);
    CHECK(ok > 0);
    /* everything committed before the failure is there, whole */
    hd_db_rep_row *reps = NULL;
    int n = 0;
    CHECK(hd_db_reps_list(db, sid, &reps, &n) == HD_OK);
    CHECK(n == ok);
    for (int i = 0; i < n; i++)
        if (reps[i].rep.index != i + 1 || reps[i].rep.warnings != make_rep(i + 1).warnings)
            CHECK(0);
    free(reps);
    /* the session can still be ended once there is room again */
    unlink(filler);
    CHECK(hd_db_session_end(db, sid, 1740987600, 600, 100, 0, HD_SESSION_INTERRUPTED) == HD_OK);
    hd_db_close(db);
    CHECK(hd_db_open(path, &db) == HD_OK);
    hd_db_session_row row;
    CHECK(db && hd_db_session_get(db, "full", &row) == HD_OK);
    CHECK(row.reps == ok && row.status == HD_SESSION_INTERRUPTED);
    fprintf(stderr, "  %d reps committed before the disk was full; all kept\n", ok);
    hd_db_close(db);
}

int main(void)
{
    snprintf(dir, sizeof(dir), "/tmp/hd-test-db-full-XXXXXX");
    if (!mkdtemp(dir))
        return 1;
    if (mount("tmpfs", dir, "tmpfs", 0, "size=1m,mode=0700") != 0) {
        fprintf(stderr, "cannot mount a tmpfs here (%s): skipped\n", strerror(errno));
        rmdir(dir);
        return 77;
    }
    RUN(test_full_disk);
    if (umount(dir) != 0)
        fprintf(stderr, "umount %s: %s\n", dir, strerror(errno));
    rmdir(dir);
    return TEST_EXIT();
}

/* test_db.c - the session database: folders and permissions, migrations from every
 * earlier schema, the write and read API, a killed session, a reader while a writer
 * commits reps (two processes), bad databases.
 *
 * argv[1]: tests/fixtures/db (frozen v1.sql, v2.sql). Works in a temporary folder set as
 * XDG_DATA_HOME; never touches the real home.
 */
#define _GNU_SOURCE
#include <stdint.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "heeldrop/paths.h"
#include "heeldrop/db.h"
#include "heeldrop/programme.h"
#include "store/db_internal.h"
#include "test.h"

static char tmpdir[PATH_MAX];
static const char *fixtures;

static int mode_of(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0 ? (int)(st.st_mode & 0777) : -1;
}

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec + ts.tv_nsec / 1e9;
}

static char *read_text(const char *path)
{
    return hd_read_text(path, SIZE_MAX - 1, NULL, NULL);
}

static hd_rep make_rep(int index, int set, unsigned warnings)
{
    hd_rep r = {0};
    r.index = index;
    r.set = set;
    r.foot = 1;
    r.t_descent_start = index * 10.0;
    r.descent_s = 3.0 + index * 0.01;
    r.t_bottom = r.t_descent_start + r.descent_s;
    r.hold_s = 0.5;
    r.t_hold_end = r.t_bottom + r.hold_s;
    r.rise_s = 1.0;
    r.t_top = r.t_hold_end + r.rise_s;
    r.below_s = 1.0;
    r.depth_mm = 20;
    r.top_mm = 60;
    r.warnings = warnings;
    return r;
}

/* ---- folders and permissions ------------------------------------------------------- */

static void test_folders(void)
{
    char data[PATH_MAX], dir[PATH_MAX], id[64], dir2[PATH_MAX], id2[64], dir3[PATH_MAX], id3[64],
        want[PATH_MAX + 64];
    setenv("HEELDROP_NOW", "1740987000", 1); /* 2025-03-03 07:30:00 UTC */
    setenv("TZ", "UTC", 1);
    tzset();
    CHECK(hd_user_data_dir(data, sizeof(data)) == HD_OK);
    snprintf(want, sizeof(want), "%s/heeldrop", tmpdir);
    CHECK(strcmp(data, want) == 0);
    CHECK(mode_of(data) == 0700);
    CHECK(hd_session_dir_create(dir, sizeof(dir), id, sizeof(id)) == HD_OK);
    CHECK(strcmp(id, "20250303-073000") == 0);
    CHECK(mode_of(dir) == 0700);
    snprintf(want, sizeof(want), "%s/sessions", data);
    CHECK(mode_of(want) == 0700);
    CHECK(hd_session_dir_create(dir2, sizeof(dir2), id2, sizeof(id2)) == HD_OK);
    CHECK(strcmp(id2, "20250303-073000-2") == 0);
    CHECK(hd_session_dir_create(dir3, sizeof(dir3), id3, sizeof(id3)) == HD_OK);
    CHECK(strcmp(id3, "20250303-073000-3") == 0);
    rmdir(dir3);
    rmdir(dir2);
    rmdir(dir);

    /* a data folder that was made too open is made private again */
    chmod(data, 0755);
    CHECK(hd_user_data_dir(data, sizeof(data)) == HD_OK);
    CHECK(mode_of(data) == 0700);

    /* the database and its WAL files are 0600 */
    hd_db *db = NULL;
    char path[PATH_MAX + 16];
    snprintf(path, sizeof(path), "%s/heeldrop.db", data);
    CHECK(hd_db_open(NULL, &db) == HD_OK);
    CHECK(db && strcmp(hd_db_path(db), path) == 0);
    CHECK(mode_of(path) == 0600);
    hd_db_session info = {.uid = "perm", .start_time = 1, .source = "/dev/video0"};
    int64_t sid;
    CHECK(hd_db_session_begin(db, &info, &sid) == HD_OK);
    snprintf(path, sizeof(path), "%s/heeldrop.db-wal", data);
    CHECK(mode_of(path) == 0600);
    hd_db_close(db);

    /* unwritable places: a file in the way, and /proc (refused even to root) */
    char file[PATH_MAX + 16];
    snprintf(file, sizeof(file), "%s/afile", tmpdir);
    FILE *f = fopen(file, "w");
    if (f)
        fclose(f);
    setenv("XDG_DATA_HOME", file, 1);
    CHECK(hd_user_data_dir(data, sizeof(data)) == HD_ERR_IO);
    CHECK(strstr(hd_last_error(), "in the way") != NULL);
    CHECK(hd_db_open(NULL, &db) == HD_ERR_IO && db == NULL);
    CHECK(hd_session_dir_create(dir, sizeof(dir), id, sizeof(id)) == HD_ERR_IO);
    setenv("XDG_DATA_HOME", "/proc/heeldrop-test", 1);
    CHECK(hd_user_data_dir(data, sizeof(data)) == HD_ERR_IO);
    CHECK(strstr(hd_last_error(), "/proc/heeldrop-test") != NULL);
    /* a relative XDG_DATA_HOME is ignored (XDG spec): HOME is used */
    char home[PATH_MAX + 16];
    snprintf(home, sizeof(home), "%s/home", tmpdir);
    setenv("HOME", home, 1);
    setenv("XDG_DATA_HOME", "relative/path", 1);
    CHECK(hd_user_data_dir(data, sizeof(data)) == HD_OK);
    snprintf(want, sizeof(want), "%s/.local/share/heeldrop", home);
    CHECK(strcmp(data, want) == 0);
    setenv("XDG_DATA_HOME", tmpdir, 1);
}

/* ---- migrations -------------------------------------------------------------------- */

static void verify_migrated(const char *path, const char *label)
{
    hd_db *db = NULL;
    hd_db_session_row *rows = NULL;
    hd_db_rep_row *reps = NULL;
    hd_db_pain_row *pain = NULL;
    int n = 0, nr = 0, np = 0;

    fprintf(stderr, "  migrating %s\n", label);
    CHECK(hd_db_open(path, &db) == HD_OK);
    if (!db)
        return;
    sqlite3_stmt *st;
    sqlite3_prepare_v2(db->sql, "PRAGMA user_version", -1, &st, NULL);
    CHECK(sqlite3_step(st) == SQLITE_ROW && sqlite3_column_int(st, 0) == HD_DB_SCHEMA_VERSION);
    sqlite3_finalize(st);

    CHECK(hd_db_sessions_list(db, 0, 0, &rows, &n) == HD_OK);
    CHECK(n == 2);
    if (n == 2) {
        hd_db_session_row *a = &rows[0], *b = &rows[1];
        CHECK(strcmp(a->uid, "20250303-073000") == 0);
        CHECK(a->status == HD_SESSION_DONE);
        CHECK(a->source_kind == HD_SOURCE_CAMERA);
        CHECK(a->reps == 3 && a->valid_reps == 1);
        CHECK(a->reps_left == 2 && a->reps_right == 1 && a->reps_other == 0);
        CHECK(a->sets == 2);
        CHECK_NEAR(a->mean_descent_s, 3.0, 1e-9);
        CHECK(a->warnings[0] == 1 && a->warnings[2] == 1 && a->warnings[5] == 1);
        CHECK(a->warnings_total == 3);
        CHECK(a->pain == 3);
        CHECK_NEAR(a->load_kg, 5.0, 1e-9);
        CHECK_NEAR(a->duration_s, 300.0, 1e-9);
        CHECK(a->frames == 9000 && a->dropped == 3);
        CHECK(strcmp(a->near_leg, "left") == 0 && strcmp(a->knee, "straight") == 0);
        /* left running by a program without a runner token: interrupted, reps kept */
        CHECK(b->status == HD_SESSION_INTERRUPTED);
        CHECK(b->source_kind == HD_SOURCE_FILE);
        CHECK(strcmp(b->source, "/home/u/clip.mp4") == 0);
        CHECK(b->reps == 1);
        CHECK_NEAR(b->duration_s, 4.5, 1e-9);
        CHECK(b->pain == -1);

        CHECK(hd_db_reps_list(db, a->id, &reps, &nr) == HD_OK);
        CHECK(nr == 3);
        if (nr == 3) {
            CHECK(reps[0].rep.warnings == 0);
            CHECK(reps[1].rep.warnings == HD_WARN_TOO_FAST);
            CHECK(reps[2].rep.warnings == (HD_WARN_LONG_HOLD | HD_WARN_PARTIAL));
            CHECK(reps[2].rep.set == 2 && strcmp(reps[2].leg, "right") == 0);
            CHECK_NEAR(reps[2].rep.hold_s, 4.0, 1e-9);
            CHECK_NEAR(reps[2].rep.below_s, 4.5, 1e-9);
        }
        free(reps);
        /* the migrated database takes new reps */
        hd_rep r = make_rep(2, 1, HD_WARN_BOUNCE);
        CHECK(hd_db_rep_add(db, b->id, &r, "right") == HD_OK);
    }
    free(rows);
    CHECK(hd_db_sessions_list(db, 1741000000, 0, &rows, &n) == HD_OK);
    CHECK(n == 1 && n == 1 && rows[0].reps == 2 && rows[0].warnings[3] == 1);
    free(rows);

    CHECK(hd_db_pain_list(db, 0, 0, &pain, &np) == HD_OK);
    CHECK(np == 2);
    if (np == 2) {
        CHECK(pain[0].value == 3 && !pain[0].morning && pain[0].session_id == 1);
        CHECK(strcmp(pain[0].note, "after the first session") == 0);
        CHECK(pain[1].value == 2 && pain[1].morning && pain[1].session_id == 0);
    }
    free(pain);

    /* v3: the load logged with the session became a load-log row */
    sqlite3_prepare_v2(db->sql, "SELECT COUNT(*), SUM(kg) FROM load_log", -1, &st, NULL);
    CHECK(sqlite3_step(st) == SQLITE_ROW && sqlite3_column_int(st, 0) == 1 &&
          sqlite3_column_double(st, 1) == 5.0);
    sqlite3_finalize(st);
    hd_plan plan;
    CHECK(hd_plan_get(db, &plan) == HD_EOF);
    /* opening again does not migrate twice or lose anything */
    hd_db_close(db);
    CHECK(hd_db_open(path, &db) == HD_OK);
    CHECK(hd_db_sessions_list(db, 0, 0, &rows, &n) == HD_OK && n == 2);
    free(rows);
    hd_db_close(db);
}

/* Builds a database at schema `version` with the code's own migration steps and fills
 * it with the INSERT lines of the frozen fixture of that version. */
static void build_with_code(const char *path, int version, const char *fixture)
{
    sqlite3 *sql;
    char *text = read_text(fixture), *err = NULL;
    CHECK(text != NULL);
    CHECK(sqlite3_open(path, &sql) == SQLITE_OK);
    CHECK(hd_db_migrate(sql, version) == HD_OK);
    for (char *line = strtok(text, "\n"); line; line = strtok(NULL, "\n")) {
        if (strncmp(line, "INSERT", 6) != 0)
            continue;
        if (sqlite3_exec(sql, line, NULL, NULL, &err) != SQLITE_OK) {
            fprintf(stderr, "%s: %s\n", line, err);
            CHECK(0);
            sqlite3_free(err);
        }
    }
    sqlite3_close(sql);
    free(text);
}

static void build_from_fixture(const char *path, const char *fixture)
{
    sqlite3 *sql;
    char *text = read_text(fixture), *err = NULL;
    CHECK(text != NULL);
    CHECK(sqlite3_open(path, &sql) == SQLITE_OK);
    if (text && sqlite3_exec(sql, text, NULL, NULL, &err) != SQLITE_OK) {
        fprintf(stderr, "%s: %s\n", fixture, err);
        CHECK(0);
        sqlite3_free(err);
    }
    sqlite3_close(sql);
    free(text);
}

static void test_migrations(void)
{
    char path[PATH_MAX + 32], fix[PATH_MAX];
    for (int v = 1; v < HD_DB_SCHEMA_VERSION; v++) {
        char label[64];
        snprintf(fix, sizeof(fix), "%s/v%d.sql", fixtures, v);
        snprintf(path, sizeof(path), "%s/code-v%d.db", tmpdir, v);
        build_with_code(path, v, fix);
        snprintf(label, sizeof(label), "v%d built by the code's own steps", v);
        verify_migrated(path, label);
        snprintf(path, sizeof(path), "%s/frozen-v%d.db", tmpdir, v);
        build_from_fixture(path, fix);
        snprintf(label, sizeof(label), "v%d from the frozen fixture v%d.sql", v, v);
        verify_migrated(path, label);
    }
    /* every step's schema equals the frozen fixture's (the steps were not edited) */
    for (int v = 1; v < HD_DB_SCHEMA_VERSION; v++) {
        sqlite3 *a, *b;
        sqlite3_stmt *sa, *sb;
        char pa[PATH_MAX + 32], pb[PATH_MAX + 32];
        snprintf(fix, sizeof(fix), "%s/v%d.sql", fixtures, v);
        snprintf(pa, sizeof(pa), "%s/schema-code-v%d.db", tmpdir, v);
        snprintf(pb, sizeof(pb), "%s/schema-frozen-v%d.db", tmpdir, v);
        sqlite3_open(pa, &a);
        CHECK(hd_db_migrate(a, v) == HD_OK);
        sqlite3_close(a);
        build_from_fixture(pb, fix);
        sqlite3_open(pa, &a);
        sqlite3_open(pb, &b);
        const char *q = "SELECT type, name, tbl_name FROM sqlite_schema ORDER BY name";
        sqlite3_prepare_v2(a, q, -1, &sa, NULL);
        sqlite3_prepare_v2(b, q, -1, &sb, NULL);
        int ra, rb, same = 1;
        do {
            ra = sqlite3_step(sa);
            rb = sqlite3_step(sb);
            if (ra != rb)
                same = 0;
            else if (ra == SQLITE_ROW)
                for (int c = 0; c < 3; c++)
                    if (strcmp((const char *)sqlite3_column_text(sa, c),
                               (const char *)sqlite3_column_text(sb, c)))
                        same = 0;
        } while (same && ra == SQLITE_ROW);
        CHECK(same);
        /* and the same columns in every table */
        const char *cols = "SELECT m.name, p.name, p.type FROM sqlite_schema m, "
                           "pragma_table_info(m.name) p WHERE m.type='table' ORDER BY 1, p.cid";
        sqlite3_finalize(sa);
        sqlite3_finalize(sb);
        sqlite3_prepare_v2(a, cols, -1, &sa, NULL);
        sqlite3_prepare_v2(b, cols, -1, &sb, NULL);
        do {
            ra = sqlite3_step(sa);
            rb = sqlite3_step(sb);
            if (ra != rb)
                same = 0;
            else if (ra == SQLITE_ROW)
                for (int c = 0; c < 3; c++)
                    if (strcmp((const char *)sqlite3_column_text(sa, c),
                               (const char *)sqlite3_column_text(sb, c)))
                        same = 0;
        } while (same && ra == SQLITE_ROW);
        CHECK(same);
        sqlite3_finalize(sa);
        sqlite3_finalize(sb);
        sqlite3_close(a);
        sqlite3_close(b);
    }
}

/* ---- bad databases ----------------------------------------------------------------- */

static void test_bad_databases(void)
{
    char path[PATH_MAX + 32];
    hd_db *db = (hd_db *)1;
    sqlite3 *sql;

    snprintf(path, sizeof(path), "%s/garbage.db", tmpdir);
    FILE *f = fopen(path, "w");
    for (int i = 0; f && i < 200; i++)
        fputs("this is not a database at all ", f);
    if (f)
        fclose(f);
    CHECK(hd_db_open(path, &db) == HD_ERR_FORMAT && db == NULL);
    CHECK(strstr(hd_last_error(), "garbage.db") != NULL);

    snprintf(path, sizeof(path), "%s/other.db", tmpdir);
    sqlite3_open(path, &sql);
    sqlite3_exec(sql, "CREATE TABLE t(x)", NULL, NULL, NULL);
    sqlite3_close(sql);
    CHECK(hd_db_open(path, &db) == HD_ERR_FORMAT);
    CHECK(strstr(hd_last_error(), "not a HeelDrop database") != NULL);

    snprintf(path, sizeof(path), "%s/newer.db", tmpdir);
    sqlite3_open(path, &sql);
    sqlite3_exec(sql, "PRAGMA user_version = 99", NULL, NULL, NULL);
    sqlite3_close(sql);
    CHECK(hd_db_open(path, &db) == HD_ERR_FORMAT);
    CHECK(strstr(hd_last_error(), "newer") != NULL);

    CHECK(hd_db_open("/proc/heeldrop-test.db", &db) == HD_ERR_IO && db == NULL);
}

/* ---- the write and read API -------------------------------------------------------- */

static void test_api(void)
{
    char path[PATH_MAX + 32];
    hd_db *db = NULL;
    int64_t sid = 0, sid2 = 0;
    hd_db_session_row *rows = NULL, row;
    hd_db_rep_row *reps = NULL;
    int n = 0;

    snprintf(path, sizeof(path), "%s/api.db", tmpdir);
    CHECK(hd_db_open(path, &db) == HD_OK);
    if (!db)
        return;
    CHECK(mode_of(path) == 0600);
    hd_db_session info = {.uid = "20250303-073000",
                          .start_time = 1740987000,
                          .source_kind = HD_SOURCE_CAMERA,
                          .source = "/dev/video0",
                          .near_leg = "left",
                          .knee = "bent",
                          .load_kg = 7.5,
                          .settings_json = "{\"shoe_mm\":270}",
                          .note = "first, \"quoted\""};
    CHECK(hd_db_session_begin(db, &info, &sid) == HD_OK && sid > 0);
    CHECK(hd_db_session_begin(db, &info, &sid2) == HD_ERR_INVALID);
    CHECK(strstr(hd_last_error(), "already") != NULL);
    hd_db_session bad = {0};
    CHECK(hd_db_session_begin(db, &bad, &sid2) == HD_ERR_INVALID);

    /* while running (this process is alive): status running */
    CHECK(hd_db_session_get(db, "20250303-073000", &row) == HD_OK);
    CHECK(row.status == HD_SESSION_RUNNING && row.reps == 0 && isnan(row.mean_descent_s));
    CHECK(row.pain == -1);

    hd_rep r1 = make_rep(1, 1, 0), r2 = make_rep(2, 1, HD_WARN_TOO_FAST | HD_WARN_BOUNCE),
           r3 = make_rep(3, 2, 0);
    r3.foot = 2;
    CHECK(hd_db_rep_add(db, sid, &r1, "left") == HD_OK);
    CHECK(hd_db_rep_add(db, sid, &r2, "left") == HD_OK);
    CHECK(hd_db_rep_add(db, sid, &r3, NULL) == HD_OK); /* leg from the foot: far */
    CHECK(hd_db_rep_add(db, 9999, &r1, "left") == HD_ERR_INVALID);
    hd_rep r0 = make_rep(0, 1, 0);
    CHECK(hd_db_rep_add(db, sid, &r0, "left") == HD_ERR_INVALID);
    /* replacing rep 2 with its final flags (partial added) keeps one row per warning */
    r2.warnings = HD_WARN_PARTIAL;
    r2.set = 2;
    CHECK(hd_db_rep_add(db, sid, &r2, "right") == HD_OK);

    CHECK(hd_db_reps_list(db, sid, &reps, &n) == HD_OK && n == 3);
    if (n == 3) {
        CHECK(reps[0].rep.index == 1 && reps[1].rep.index == 2 && reps[2].rep.index == 3);
        CHECK(reps[1].rep.warnings == HD_WARN_PARTIAL && strcmp(reps[1].leg, "right") == 0);
        CHECK(strcmp(reps[2].leg, "far") == 0 && reps[2].rep.foot == 2);
        CHECK_NEAR(reps[0].rep.descent_s, r1.descent_s, 1e-12);
        CHECK_NEAR(reps[2].rep.t_top, r3.t_top, 1e-12);
        CHECK_NEAR(reps[0].rep.depth_mm, 20, 1e-12);
    }
    free(reps);

    CHECK(hd_db_pain_add(db, 1740988000, 11, 0, sid, NULL, NULL) == HD_ERR_INVALID);
    CHECK(hd_db_pain_add(db, 1740988000, -1, 0, sid, NULL, NULL) == HD_ERR_INVALID);
    CHECK(hd_db_pain_add(db, 1740988000, 4, 0, 12345, NULL, NULL) == HD_ERR_INVALID);
    CHECK(hd_db_pain_add(db, 1740988000, 2, 0, sid, "ok", NULL) == HD_OK);
    CHECK(hd_db_pain_add(db, 1740988100, 4, 0, sid, NULL, NULL) == HD_OK);
    CHECK(hd_db_session_end(db, sid, 1740987600, 600.0, 18000, 12, HD_SESSION_RUNNING) ==
          HD_ERR_INVALID);
    CHECK(hd_db_session_end(db, 777, 1740987600, 600.0, 18000, 12, HD_SESSION_DONE) ==
          HD_ERR_INVALID);
    CHECK(hd_db_session_end(db, sid, 1740987600, 600.0, 18000, 12, HD_SESSION_DONE) == HD_OK);

    hd_db_session info2 = {.uid = "20250304-080000",
                           .start_time = 1741075200,
                           .source_kind = HD_SOURCE_FILE,
                           .source = "clip.mp4"};
    CHECK(hd_db_session_begin(db, &info2, &sid2) == HD_OK);
    CHECK(hd_db_session_set_note(db, sid2, "from a video") == HD_OK);

    CHECK(hd_db_sessions_list(db, 0, 0, &rows, &n) == HD_OK && n == 2);
    if (n == 2) {
        hd_db_session_row *a = &rows[0];
        CHECK(a->id == sid && a->status == HD_SESSION_DONE);
        CHECK(a->reps == 3 && a->valid_reps == 2 && a->sets == 2);
        CHECK(a->reps_left == 1 && a->reps_right == 1 && a->reps_other == 1);
        CHECK(a->warnings[5] == 1 && a->warnings_total == 1 && a->warnings[0] == 0);
        CHECK(a->pain == 4); /* the latest one logged to it */
        CHECK_NEAR(a->duration_s, 600.0, 1e-9);
        CHECK(a->frames == 18000 && a->dropped == 12);
        CHECK(strcmp(a->note, "first, \"quoted\"") == 0);
        CHECK(strcmp(a->knee, "bent") == 0);
        CHECK(rows[1].source_kind == HD_SOURCE_FILE && strcmp(rows[1].note, "from a video") == 0);
    }
    free(rows);
    /* the time range: [from, to) */
    CHECK(hd_db_sessions_list(db, 1740987000, 1741075200, &rows, &n) == HD_OK && n == 1);
    free(rows);
    CHECK(hd_db_sessions_list(db, 1741075201, 0, &rows, &n) == HD_OK && n == 0 && !rows);
    CHECK(hd_db_session_latest(db, &row) == HD_OK && row.id == sid2);
    char idtext[32];
    snprintf(idtext, sizeof(idtext), "%lld", (long long)sid);
    CHECK(hd_db_session_get(db, idtext, &row) == HD_OK && row.id == sid);
    CHECK(hd_db_session_get(db, "nope", &row) == HD_ERR_NOTFOUND);
    hd_db_close(db);
    hd_db_close(NULL);
}

/* ---- a session killed mid-way ------------------------------------------------------ */

static void test_killed_session(void)
{
    char path[PATH_MAX + 32];
    snprintf(path, sizeof(path), "%s/killed.db", tmpdir);
    pid_t pid = fork();
    if (pid == 0) {
        hd_db *db;
        int64_t sid;
        hd_db_session info = {.uid = "killed", .start_time = 1740987000};
        if (hd_db_open(path, &db) < 0 || hd_db_session_begin(db, &info, &sid) < 0)
            _exit(1);
        for (int i = 1; i <= 3; i++) {
            hd_rep r = make_rep(i, 1, 0);
            if (hd_db_rep_add(db, sid, &r, "left") < 0)
                _exit(1);
        }
        raise(SIGKILL); /* no close, no end */
        _exit(2);
    }
    int status = 0;
    waitpid(pid, &status, 0);
    CHECK(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL);
    hd_db *db = NULL;
    hd_db_session_row row;
    CHECK(hd_db_open(path, &db) == HD_OK);
    if (!db)
        return;
    CHECK(hd_db_session_get(db, "killed", &row) == HD_OK);
    CHECK(row.status == HD_SESSION_INTERRUPTED && row.reps == 3);
    CHECK_NEAR(row.duration_s, make_rep(3, 1, 0).t_top, 1e-9);
    /* hd_db_open marked it in the table too */
    sqlite3_stmt *st;
    sqlite3_prepare_v2(db->sql, "SELECT status FROM sessions WHERE uid='killed'", -1, &st, NULL);
    CHECK(sqlite3_step(st) == SQLITE_ROW &&
          strcmp((const char *)sqlite3_column_text(st, 0), "interrupted") == 0);
    sqlite3_finalize(st);
    hd_db_close(db);
}

/* ---- several processes opening a new database at once ---------------------------- */

static void test_concurrent_first_open(void)
{
    char path[PATH_MAX + 32];
    pid_t kids[6];
    snprintf(path, sizeof(path), "%s/first-open.db", tmpdir);
    for (int k = 0; k < 6; k++) {
        kids[k] = fork();
        if (kids[k] == 0) {
            hd_db *db;
            char uid[16];
            int64_t sid;
            snprintf(uid, sizeof(uid), "k%d", k);
            hd_db_session info = {.uid = uid, .start_time = 1740987000 + k};
            if (hd_db_open(path, &db) < 0) {
                fprintf(stderr, "open %d: %s\n", k, hd_last_error());
                _exit(1);
            }
            if (hd_db_session_begin(db, &info, &sid) < 0) {
                fprintf(stderr, "begin %d: %s\n", k, hd_last_error());
                _exit(1);
            }
            hd_db_close(db);
            _exit(0);
        }
    }
    for (int k = 0; k < 6; k++) {
        int status = 0;
        waitpid(kids[k], &status, 0);
        CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0);
    }
    hd_db *db = NULL;
    hd_db_session_row *rows = NULL;
    int n = 0;
    CHECK(hd_db_open(path, &db) == HD_OK);
    CHECK(db && hd_db_sessions_list(db, 0, 0, &rows, &n) == HD_OK && n == 6);
    free(rows);
    hd_db_close(db);
}

/* ---- a reader while a writer commits reps ------------------------------------------ */

#define WRITER_REPS 150

static unsigned expected_warnings(int index)
{
    return index % 3 == 0   ? HD_WARN_TOO_FAST
           : index % 5 == 0 ? HD_WARN_NO_HOLD | HD_WARN_BOUNCE
                            : 0;
}

static void test_reader_while_writing(void)
{
    char path[PATH_MAX + 32], timing[PATH_MAX + 32];
    snprintf(path, sizeof(path), "%s/concurrent.db", tmpdir);
    snprintf(timing, sizeof(timing), "%s/writer-timing.txt", tmpdir);
    hd_db *db = NULL;
    int64_t sid = 0;
    CHECK(hd_db_open(path, &db) == HD_OK);
    if (!db)
        return;
    hd_db_session info = {.uid = "concurrent", .start_time = 1740987000};
    CHECK(hd_db_session_begin(db, &info, &sid) == HD_OK);

    pid_t pid = fork();
    if (pid == 0) {
        hd_db *w;
        double worst = 0, total = 0;
        if (hd_db_open(path, &w) < 0)
            _exit(1);
        for (int i = 1; i <= WRITER_REPS; i++) {
            hd_rep r = make_rep(i, 1 + (i - 1) / 15, expected_warnings(i));
            double t0 = now_s();
            if (hd_db_rep_add(w, sid, &r, i % 2 ? "left" : "right") < 0) {
                fprintf(stderr, "writer: %s\n", hd_last_error());
                _exit(1);
            }
            double dt = now_s() - t0;
            total += dt;
            if (dt > worst)
                worst = dt;
            usleep(2000);
        }
        if (hd_db_session_end(w, sid, 1740987600, 600, 100, 0, HD_SESSION_DONE) < 0)
            _exit(1);
        hd_db_close(w);
        FILE *f = fopen(timing, "w");
        if (f) {
            fprintf(f, "%.6f %.6f\n", total / WRITER_REPS, worst);
            fclose(f);
        }
        _exit(0);
    }

    int last = 0, reads = 0, bad = 0, done = 0;
    double worst = 0;
    while (!done) {
        hd_db_session_row *rows = NULL;
        hd_db_rep_row *reps = NULL;
        int n = 0, nr = 0;
        double t0 = now_s();
        hd_status s1 = hd_db_sessions_list(db, 0, 0, &rows, &n);
        hd_status s2 = hd_db_reps_list(db, sid, &reps, &nr);
        double dt = now_s() - t0;
        if (dt > worst)
            worst = dt;
        reads++;
        if (s1 != HD_OK || s2 != HD_OK || n != 1) {
            fprintf(stderr, "reader: %s\n", hd_last_error());
            bad++;
            free(rows);
            free(reps);
            break;
        }
        const hd_db_session_row *r = &rows[0];
        /* one snapshot: the aggregates agree with each other */
        int want_warned = 0, want_w[HD_WARN_COUNT] = {0};
        for (int i = 1; i <= r->reps; i++) {
            unsigned w = expected_warnings(i);
            want_warned += w != 0;
            for (int k = 0; k < HD_WARN_COUNT; k++)
                want_w[k] += (w >> k) & 1;
        }
        if (r->valid_reps != r->reps - want_warned || r->reps < last ||
            r->reps_left + r->reps_right != r->reps || r->sets != (r->reps + 14) / 15)
            bad++;
        for (int k = 0; k < HD_WARN_COUNT; k++)
            if (r->warnings[k] != want_w[k])
                bad++;
        /* every rep read is whole: contiguous indices, its own warnings */
        for (int i = 0; i < nr; i++)
            if (reps[i].rep.index != i + 1 || reps[i].rep.warnings != expected_warnings(i + 1))
                bad++;
        if (nr < last)
            bad++;
        last = r->reps;
        done = r->status == HD_SESSION_DONE;
        free(rows);
        free(reps);
        if (!done) {
            int status;
            if (waitpid(pid, &status, WNOHANG) == pid) {
                CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0);
                pid = -1;
            }
        }
    }
    if (pid > 0) {
        int status;
        waitpid(pid, &status, 0);
        CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0);
    }
    CHECK(bad == 0);
    CHECK(last == WRITER_REPS);
    CHECK(reads > 10);
    CHECK(worst < 1.0); /* never blocked behind the writer */
    FILE *f = fopen(timing, "r");
    double mean_w = -1, worst_w = -1;
    if (f) {
        if (fscanf(f, "%lf %lf", &mean_w, &worst_w) != 2)
            mean_w = -1;
        fclose(f);
    }
    CHECK(mean_w >= 0);
    fprintf(stderr,
            "  reader: %d reads, worst %.1f ms; writer: %d reps, commit mean %.1f ms, "
            "worst %.1f ms\n",
            reads, worst * 1e3, WRITER_REPS, mean_w * 1e3, worst_w * 1e3);
    hd_db_close(db);
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        fprintf(stderr, "usage: test_db FIXTURE_DIR\n");
        return 2;
    }
    fixtures = argv[1];
    snprintf(tmpdir, sizeof(tmpdir), "%s/hd-test-db-XXXXXX",
             getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp");
    if (!mkdtemp(tmpdir)) {
        perror("mkdtemp");
        return 1;
    }
    setenv("XDG_DATA_HOME", tmpdir, 1);
    RUN(test_folders);
    RUN(test_migrations);
    RUN(test_bad_databases);
    RUN(test_api);
    RUN(test_killed_session);
    RUN(test_concurrent_first_open);
    RUN(test_reader_while_writing);
    char cmd[PATH_MAX + 16];
    snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmpdir);
    if (!hd_test_failures && system(cmd) != 0)
        fprintf(stderr, "could not remove %s\n", tmpdir);
    return TEST_EXIT();
}

/* db.c - the session database: opening, the versioned schema and the writing calls.
 *
 * Every schema the program ever wrote is kept here as one migration step (k -> k+1), so
 * an old database is brought up to date step by step and the tests can build each older
 * version. Never edit a step once released: add a new one.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "store/db_internal.h"

/* ---- the schema, one step per version ---------------------------------------------- */

/* v1: sessions, reps (warnings as a bit mask, as the rep engine reports them), pain. */
static const char MIGRATE_1[] =
    "CREATE TABLE sessions("
    " id INTEGER PRIMARY KEY,"
    " uid TEXT NOT NULL UNIQUE,"
    " start_time INTEGER NOT NULL,"
    " end_time INTEGER,"
    " duration_s REAL,"
    " source_kind TEXT NOT NULL CHECK(source_kind IN ('camera','file')),"
    " source TEXT,"
    " near_leg TEXT,"
    " knee TEXT,"
    " load_kg REAL NOT NULL DEFAULT 0,"
    " status TEXT NOT NULL DEFAULT 'running'"
    "  CHECK(status IN ('running','done','interrupted')),"
    " frames INTEGER NOT NULL DEFAULT 0,"
    " dropped INTEGER NOT NULL DEFAULT 0);"
    "CREATE INDEX sessions_start ON sessions(start_time);"
    "CREATE TABLE reps("
    " session_id INTEGER NOT NULL REFERENCES sessions(id) ON DELETE CASCADE,"
    " idx INTEGER NOT NULL,"
    " set_no INTEGER NOT NULL,"
    " foot INTEGER NOT NULL DEFAULT 0,"
    " leg TEXT,"
    " t_descent_start REAL, t_bottom REAL, t_hold_end REAL, t_top REAL,"
    " descent_s REAL, hold_s REAL, rise_s REAL, below_s REAL,"
    " depth_mm REAL, top_mm REAL, lost_s REAL,"
    " warnings INTEGER NOT NULL DEFAULT 0,"
    " PRIMARY KEY(session_id, idx));"
    "CREATE TABLE pain("
    " id INTEGER PRIMARY KEY,"
    " t INTEGER NOT NULL,"
    " value INTEGER NOT NULL CHECK(value BETWEEN 0 AND 10),"
    " morning INTEGER NOT NULL DEFAULT 0,"
    " session_id INTEGER REFERENCES sessions(id) ON DELETE SET NULL,"
    " note TEXT);"
    "CREATE INDEX pain_t ON pain(t);";

/* v2: one row per warning per rep (queried by name) instead of the bit mask, and sets. */
static const char MIGRATE_2[] =
    "CREATE TABLE warnings("
    " session_id INTEGER NOT NULL,"
    " rep_idx INTEGER NOT NULL,"
    " name TEXT NOT NULL,"
    " PRIMARY KEY(session_id, rep_idx, name),"
    " FOREIGN KEY(session_id, rep_idx) REFERENCES reps(session_id, idx) ON DELETE CASCADE);"
    "WITH w(bit, name) AS (VALUES (1,'too_fast'),(2,'no_hold'),(4,'long_hold'),(8,'bounce'),"
    " (16,'bilateral'),(32,'partial'),(64,'uncertain'))"
    " INSERT INTO warnings(session_id, rep_idx, name)"
    " SELECT r.session_id, r.idx, w.name FROM reps r, w WHERE (r.warnings & w.bit) != 0;"
    "ALTER TABLE reps DROP COLUMN warnings;"
    "CREATE TABLE sets("
    " session_id INTEGER NOT NULL REFERENCES sessions(id) ON DELETE CASCADE,"
    " set_no INTEGER NOT NULL,"
    " t_start REAL, t_end REAL,"
    " reps INTEGER NOT NULL DEFAULT 0,"
    " PRIMARY KEY(session_id, set_no));"
    "INSERT INTO sets(session_id, set_no, t_start, t_end, reps)"
    " SELECT session_id, set_no, MIN(t_descent_start), MAX(t_top), COUNT(*)"
    " FROM reps GROUP BY session_id, set_no;";

/* v3: settings, note and the running process per session; a load log; programme state.
 * Sessions from before v3 have no runner: one still "running" is read as interrupted. */
static const char MIGRATE_3[] = "ALTER TABLE sessions ADD COLUMN settings TEXT;"
                                "ALTER TABLE sessions ADD COLUMN note TEXT;"
                                "ALTER TABLE sessions ADD COLUMN runner TEXT;"
                                "CREATE TABLE load_log("
                                " id INTEGER PRIMARY KEY,"
                                " t INTEGER NOT NULL,"
                                " session_id INTEGER REFERENCES sessions(id) ON DELETE SET NULL,"
                                " kg REAL NOT NULL CHECK(kg >= 0),"
                                " note TEXT);"
                                "INSERT INTO load_log(t, session_id, kg)"
                                " SELECT start_time, id, load_kg FROM sessions WHERE load_kg > 0;"
                                "CREATE TABLE programme("
                                " id INTEGER PRIMARY KEY,"
                                " chosen_at INTEGER NOT NULL,"
                                " preset TEXT NOT NULL,"
                                " legs TEXT NOT NULL CHECK(legs IN ('left','right','both')),"
                                " start_time INTEGER NOT NULL,"
                                " stage INTEGER NOT NULL DEFAULT 1,"
                                " load_step INTEGER NOT NULL DEFAULT 0,"
                                " stage_since INTEGER NOT NULL,"
                                " active INTEGER NOT NULL DEFAULT 1);";

static const char *const MIGRATIONS[HD_DB_SCHEMA_VERSION] = {MIGRATE_1, MIGRATE_2, MIGRATE_3};

/* ---- helpers ----------------------------------------------------------------------- */

hd_status hd_db_fail(hd_db *db, int rc, const char *what)
{
    const char *msg = db && db->sql ? sqlite3_errmsg(db->sql) : sqlite3_errstr(rc);
    const char *path = db && db->path ? db->path : "database";
    int prim = rc & 0xff;
    if (prim == SQLITE_CORRUPT || prim == SQLITE_NOTADB)
        return hd_fail(HD_ERR_FORMAT, "%s: %s: %s (not a HeelDrop database or damaged)", path, what,
                       msg);
    if (prim == SQLITE_FULL)
        return hd_fail(HD_ERR_IO, "%s: %s: disk full", path, what);
    if (prim == SQLITE_NOMEM)
        return hd_fail(HD_ERR_NOMEM, "%s: %s: out of memory", path, what);
    return hd_fail(HD_ERR_IO, "%s: %s: %s", path, what, msg);
}

hd_status hd_db_exec(hd_db *db, const char *sql, const char *what)
{
    char *err = NULL;
    int rc = sqlite3_exec(db->sql, sql, NULL, NULL, &err);
    sqlite3_free(err);
    if (rc != SQLITE_OK)
        return hd_db_fail(db, rc, what);
    return HD_OK;
}

hd_status hd_db_prepare(hd_db *db, const char *sql, sqlite3_stmt **st)
{
    int rc = sqlite3_prepare_v2(db->sql, sql, -1, st, NULL);
    if (rc != SQLITE_OK) {
        *st = NULL;
        return hd_db_fail(db, rc, "prepare");
    }
    return HD_OK;
}

void hd_db_copy(char *buf, size_t n, const unsigned char *text)
{
    if (!n)
        return;
    if (!text) {
        buf[0] = '\0';
        return;
    }
    snprintf(buf, n, "%s", (const char *)text);
}

int64_t hd_local_day_start(int64_t t)
{
    time_t tt = (time_t)t;
    struct tm tm;
    if (!localtime_r(&tt, &tm))
        return t - t % 86400;
    tm.tm_hour = 0;
    tm.tm_min = 0;
    tm.tm_sec = 0;
    tm.tm_isdst = -1;
    return (int64_t)mktime(&tm);
}

const char *hd_source_kind_name(hd_source_kind k)
{
    return k == HD_SOURCE_FILE ? "file" : "camera";
}

const char *hd_session_status_name(hd_session_status s)
{
    switch (s) {
    case HD_SESSION_RUNNING:
        return "running";
    case HD_SESSION_DONE:
        return "done";
    case HD_SESSION_INTERRUPTED:
        return "interrupted";
    }
    return "?";
}

/* ---- who is running a session ------------------------------------------------------ */

static void read_line(const char *path, char *buf, size_t n)
{
    buf[0] = '\0';
    FILE *f = fopen(path, "r");
    if (!f)
        return;
    if (fgets(buf, (int)n, f))
        buf[strcspn(buf, "\n")] = '\0';
    fclose(f);
}

/* Field 22 of /proc/<pid>/stat: the process's start time in clock ticks since boot. With
 * the boot id it tells a live process from a later one that got the same pid. */
static unsigned long long proc_start(long pid)
{
    char path[64], buf[1024];
    snprintf(path, sizeof(path), "/proc/%ld/stat", pid);
    read_line(path, buf, sizeof(buf));
    char *p = strrchr(buf, ')');
    if (!p)
        return 0;
    unsigned long long v = 0;
    int field = 2;
    for (char *tok = strtok(p + 1, " "); tok; tok = strtok(NULL, " ")) {
        if (++field == 22) {
            v = strtoull(tok, NULL, 10);
            break;
        }
    }
    return v;
}

static void runner_token(char *buf, size_t n)
{
    char boot[64];
    read_line("/proc/sys/kernel/random/boot_id", boot, sizeof(boot));
    snprintf(buf, n, "%s:%ld:%llu", boot, (long)getpid(), proc_start((long)getpid()));
}

int hd_db_runner_alive(const char *runner)
{
    char boot[64], want_boot[64];
    long pid = 0;
    unsigned long long start = 0;
    if (!runner || !*runner)
        return 0;
    if (sscanf(runner, "%63[^:]:%ld:%llu", want_boot, &pid, &start) != 3 || pid <= 0)
        return 0;
    read_line("/proc/sys/kernel/random/boot_id", boot, sizeof(boot));
    if (strcmp(boot, want_boot) != 0)
        return 0;
    if (kill((pid_t)pid, 0) != 0 && errno == ESRCH)
        return 0;
    return proc_start(pid) == start;
}

/* ---- opening and migrating --------------------------------------------------------- */

static int user_version(sqlite3 *sql)
{
    sqlite3_stmt *st;
    int v = -1;
    if (sqlite3_prepare_v2(sql, "PRAGMA user_version", -1, &st, NULL) != SQLITE_OK)
        return -1;
    if (sqlite3_step(st) == SQLITE_ROW)
        v = sqlite3_column_int(st, 0);
    sqlite3_finalize(st);
    return v;
}

/* Refuses a database newer than this program and a version-0 file that has tables. */
static hd_status check_version(hd_db *tmp, int v)
{
    if (v < 0)
        return hd_db_fail(tmp, sqlite3_errcode(tmp->sql), "read schema version");
    if (v > HD_DB_SCHEMA_VERSION)
        return hd_fail(HD_ERR_FORMAT,
                       "database schema version %d is newer than this program's (%d): "
                       "update HeelDrop",
                       v, HD_DB_SCHEMA_VERSION);
    if (v == 0) {
        sqlite3_stmt *st;
        int n = 0;
        if (sqlite3_prepare_v2(tmp->sql, "SELECT count(*) FROM sqlite_schema", -1, &st, NULL) !=
            SQLITE_OK)
            return hd_db_fail(tmp, sqlite3_errcode(tmp->sql), "read schema");
        if (sqlite3_step(st) == SQLITE_ROW)
            n = sqlite3_column_int(st, 0);
        sqlite3_finalize(st);
        if (n > 0)
            return hd_fail(HD_ERR_FORMAT, "not a HeelDrop database (it has other tables)");
    }
    return HD_OK;
}

hd_status hd_db_migrate(sqlite3 *sql, int version)
{
    hd_db tmp = {sql, NULL};
    int v = user_version(sql);
    hd_status res = check_version(&tmp, v);
    if (res < 0 || v >= version)
        return res;
    for (;;) {
        char *err = NULL, pragma[48], what[64];
        /* The version is read again under the write lock: another process opening the
         * same new database at the same time may have migrated it meanwhile. Foreign keys
         * cannot be switched inside a transaction; the steps keep them consistent. */
        int rc = sqlite3_exec(sql, "BEGIN IMMEDIATE", NULL, NULL, &err);
        if (rc != SQLITE_OK) {
            sqlite3_free(err);
            return hd_db_fail(&tmp, rc, "migrate schema");
        }
        v = user_version(sql);
        if ((res = check_version(&tmp, v)) < 0 || v >= version) {
            sqlite3_exec(sql, "COMMIT", NULL, NULL, NULL);
            return res;
        }
        rc = sqlite3_exec(sql, MIGRATIONS[v], NULL, NULL, &err);
        snprintf(pragma, sizeof(pragma), "PRAGMA user_version = %d", v + 1);
        if (rc == SQLITE_OK)
            rc = sqlite3_exec(sql, pragma, NULL, NULL, &err);
        if (rc == SQLITE_OK)
            rc = sqlite3_exec(sql, "COMMIT", NULL, NULL, &err);
        sqlite3_free(err);
        if (rc != SQLITE_OK) {
            sqlite3_exec(sql, "ROLLBACK", NULL, NULL, NULL);
            snprintf(what, sizeof(what), "migrate schema %d -> %d", v, v + 1);
            return hd_db_fail(&tmp, rc, what);
        }
    }
}

/* Marks the sessions whose process died while they were running. */
static void mark_dead_sessions(hd_db *db)
{
    sqlite3_stmt *sel = NULL, *upd = NULL;
    if (hd_db_prepare(db, "SELECT id, runner FROM sessions WHERE status='running'", &sel) < 0)
        goto done;
    if (hd_db_prepare(db,
                      "UPDATE sessions SET status='interrupted' WHERE id=?1 AND "
                      "status='running'",
                      &upd) < 0)
        goto done;
    while (sqlite3_step(sel) == SQLITE_ROW) {
        if (hd_db_runner_alive((const char *)sqlite3_column_text(sel, 1)))
            continue;
        sqlite3_bind_int64(upd, 1, sqlite3_column_int64(sel, 0));
        sqlite3_step(upd); /* a read-only database: it is read as interrupted anyway */
        sqlite3_reset(upd);
    }
done:
    sqlite3_finalize(sel);
    sqlite3_finalize(upd);
    hd_clear_error();
}

/* Switches to WAL. Changing the journal mode of a new database needs a lock that SQLite
 * does not wait for (the busy handler is skipped to avoid a deadlock), so when several
 * processes open a new database at once it is retried here, for up to the busy timeout. */
static hd_status set_wal(hd_db *db)
{
    for (int tries = 0;; tries++) {
        char *err = NULL;
        int rc = sqlite3_exec(db->sql, "PRAGMA journal_mode=WAL", NULL, NULL, &err);
        sqlite3_free(err);
        if (rc == SQLITE_OK)
            return HD_OK;
        int prim = rc & 0xff;
        if ((prim != SQLITE_BUSY && prim != SQLITE_LOCKED) || tries >= 250)
            return hd_db_fail(db, rc, "set up");
        struct timespec ts = {0, 20 * 1000 * 1000};
        nanosleep(&ts, NULL);
    }
}

hd_status hd_db_open(const char *path, hd_db **out)
{
    char def[PATH_MAX];
    hd_status st;
    hd_db *db = NULL;
    int fd, rc;

    *out = NULL;
    if (!path) {
        char dir[PATH_MAX - 16];
        st = hd_user_data_dir(dir, sizeof(dir));
        if (st < 0)
            return st;
        snprintf(def, sizeof(def), "%s/heeldrop.db", dir);
        path = def;
    }
    /* Create the file ourselves so that it is 0600 from the start; SQLite gives its -wal
     * and -shm files the database file's mode. */
    fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
    if (fd < 0)
        return hd_fail(HD_ERR_IO, "cannot open database %s: %s", path, strerror(errno));
    if (fchmod(fd, 0600) != 0) {
        int e = errno;
        close(fd);
        return hd_fail(HD_ERR_IO, "cannot make database %s private (0600): %s", path, strerror(e));
    }
    close(fd);

    db = calloc(1, sizeof(*db));
    if (!db || !(db->path = strdup(path))) {
        free(db);
        return hd_fail(HD_ERR_NOMEM, "out of memory");
    }
    rc = sqlite3_open_v2(path, &db->sql, SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX, NULL);
    if (rc != SQLITE_OK) {
        st = hd_db_fail(db, rc, "open");
        goto fail;
    }
    sqlite3_busy_timeout(db->sql, 5000);
    sqlite3_extended_result_codes(db->sql, 1);
    /* WAL: readers see the last committed rep while a session writes; synchronous=FULL
     * so a committed rep also survives a power cut, not only a killed process. */
    st = set_wal(db);
    if (st == HD_OK)
        st = hd_db_exec(db, "PRAGMA synchronous=FULL; PRAGMA foreign_keys=ON;", "set up");
    if (st < 0)
        goto fail;
    st = hd_db_migrate(db->sql, HD_DB_SCHEMA_VERSION);
    if (st < 0) {
        st = hd_fail(st, "%s: %s", path, hd_last_error());
        goto fail;
    }
    mark_dead_sessions(db);
    *out = db;
    return HD_OK;
fail:
    hd_db_close(db);
    return st;
}

void hd_db_close(hd_db *db)
{
    if (!db)
        return;
    sqlite3_close(db->sql);
    free(db->path);
    free(db);
}

const char *hd_db_path(const hd_db *db)
{
    return db->path;
}

/* ---- writing ----------------------------------------------------------------------- */

static void bind_text_or_null(sqlite3_stmt *st, int i, const char *s)
{
    if (s && *s)
        sqlite3_bind_text(st, i, s, -1, SQLITE_TRANSIENT);
    else
        sqlite3_bind_null(st, i);
}

static int session_exists(hd_db *db, int64_t id)
{
    sqlite3_stmt *st;
    int found = 0;
    if (hd_db_prepare(db, "SELECT 1 FROM sessions WHERE id=?1", &st) < 0)
        return -1;
    sqlite3_bind_int64(st, 1, id);
    int rc = sqlite3_step(st);
    found = rc == SQLITE_ROW ? 1 : rc == SQLITE_DONE ? 0 : -1;
    sqlite3_finalize(st);
    return found;
}

hd_status hd_db_session_begin(hd_db *db, const hd_db_session *info, int64_t *session_id)
{
    sqlite3_stmt *st = NULL;
    char runner[160];
    hd_status res;
    int rc;

    if (!info || !info->uid || !*info->uid)
        return hd_fail(HD_ERR_INVALID, "a session needs an id");
    if (info->load_kg < 0 || info->load_kg != info->load_kg)
        return hd_fail(HD_ERR_INVALID, "load must be 0 kg or more");
    runner_token(runner, sizeof(runner));
    if ((res = hd_db_exec(db, "BEGIN IMMEDIATE", "begin session")) < 0)
        return res;
    res = hd_db_prepare(db,
                        "INSERT INTO sessions(uid, start_time, source_kind, source, near_leg,"
                        " knee, load_kg, status, settings, note, runner)"
                        " VALUES(?1,?2,?3,?4,?5,?6,?7,'running',?8,?9,?10)",
                        &st);
    if (res < 0)
        goto fail;
    sqlite3_bind_text(st, 1, info->uid, -1, SQLITE_TRANSIENT);
    sqlite3_bind_int64(st, 2, info->start_time);
    sqlite3_bind_text(st, 3, hd_source_kind_name(info->source_kind), -1, SQLITE_STATIC);
    bind_text_or_null(st, 4, info->source);
    bind_text_or_null(st, 5, info->near_leg);
    bind_text_or_null(st, 6, info->knee);
    sqlite3_bind_double(st, 7, info->load_kg);
    bind_text_or_null(st, 8, info->settings_json);
    bind_text_or_null(st, 9, info->note);
    sqlite3_bind_text(st, 10, runner, -1, SQLITE_TRANSIENT);
    rc = sqlite3_step(st);
    if (rc != SQLITE_DONE) {
        if ((rc & 0xff) == SQLITE_CONSTRAINT)
            res = hd_fail(HD_ERR_INVALID, "session id %s is already in the database", info->uid);
        else
            res = hd_db_fail(db, rc, "add session");
        goto fail;
    }
    sqlite3_finalize(st);
    st = NULL;
    int64_t id = sqlite3_last_insert_rowid(db->sql);
    if (info->load_kg > 0) {
        res = hd_db_prepare(db, "INSERT INTO load_log(t, session_id, kg) VALUES(?1,?2,?3)", &st);
        if (res < 0)
            goto fail;
        sqlite3_bind_int64(st, 1, info->start_time);
        sqlite3_bind_int64(st, 2, id);
        sqlite3_bind_double(st, 3, info->load_kg);
        rc = sqlite3_step(st);
        if (rc != SQLITE_DONE) {
            res = hd_db_fail(db, rc, "log load");
            goto fail;
        }
        sqlite3_finalize(st);
        st = NULL;
    }
    if ((res = hd_db_exec(db, "COMMIT", "commit session")) < 0)
        goto fail;
    if (session_id)
        *session_id = id;
    return HD_OK;
fail:
    sqlite3_finalize(st);
    sqlite3_exec(db->sql, "ROLLBACK", NULL, NULL, NULL);
    return res;
}

static const char *leg_of_foot(int foot)
{
    return foot == 1 ? "near" : foot == 2 ? "far" : "";
}

/* Runs one statement with the given int64 bindings; HD_OK when it completed. */
static hd_status step_once(hd_db *db, sqlite3_stmt *st, const char *what)
{
    int rc = sqlite3_step(st);
    if (rc != SQLITE_DONE && rc != SQLITE_ROW)
        return hd_db_fail(db, rc, what);
    return HD_OK;
}

/* Runs one statement whose ?1 is a session id (and ?2 a rep index, when rep_idx > 0). */
static hd_status run_for_session(hd_db *db, const char *sql, int64_t session_id, int rep_idx,
                                 const char *what)
{
    sqlite3_stmt *st;
    hd_status res = hd_db_prepare(db, sql, &st);
    if (res < 0)
        return res;
    sqlite3_bind_int64(st, 1, session_id);
    if (rep_idx > 0)
        sqlite3_bind_int(st, 2, rep_idx);
    res = step_once(db, st, what);
    sqlite3_finalize(st);
    return res;
}

static hd_status no_session(int64_t session_id)
{
    return hd_fail(HD_ERR_INVALID, "no session %lld in the database", (long long)session_id);
}

hd_status hd_db_rep_add(hd_db *db, int64_t session_id, const hd_rep *rep, const char *leg_label)
{
    sqlite3_stmt *st = NULL;
    hd_status res;
    int ex;

    if (!rep || rep->index < 1)
        return hd_fail(HD_ERR_INVALID, "a rep needs an index of 1 or more");
    if (!leg_label)
        leg_label = leg_of_foot(rep->foot);
    if ((res = hd_db_exec(db, "BEGIN IMMEDIATE", "begin rep")) < 0)
        return res;
    ex = session_exists(db, session_id);
    if (ex <= 0) {
        res = ex < 0 ? HD_ERR_IO : no_session(session_id);
        goto fail;
    }
    /* Replacing a rep: its warnings go first (explicitly: REPLACE does not cascade). */
    res = run_for_session(db, "DELETE FROM warnings WHERE session_id=?1 AND rep_idx=?2",
                          session_id, rep->index, "replace rep");
    if (res < 0)
        goto fail;
    res = hd_db_prepare(db,
                        "INSERT OR REPLACE INTO reps(session_id, idx, set_no, foot, leg,"
                        " t_descent_start, t_bottom, t_hold_end, t_top, descent_s, hold_s,"
                        " rise_s, below_s, depth_mm, top_mm, lost_s)"
                        " VALUES(?1,?2,?3,?4,?5,?6,?7,?8,?9,?10,?11,?12,?13,?14,?15,?16)",
                        &st);
    if (res < 0)
        goto fail;
    sqlite3_bind_int64(st, 1, session_id);
    sqlite3_bind_int(st, 2, rep->index);
    sqlite3_bind_int(st, 3, rep->set > 0 ? rep->set : 1);
    sqlite3_bind_int(st, 4, rep->foot);
    bind_text_or_null(st, 5, leg_label);
    const double v[] = {rep->t_descent_start, rep->t_bottom, rep->t_hold_end, rep->t_top,
                        rep->descent_s,       rep->hold_s,   rep->rise_s,     rep->below_s,
                        rep->depth_mm,        rep->top_mm,   rep->lost_s};
    for (int i = 0; i < 11; i++) {
        if (v[i] == v[i])
            sqlite3_bind_double(st, 6 + i, v[i]);
        else
            sqlite3_bind_null(st, 6 + i);
    }
    if ((res = step_once(db, st, "add rep")) < 0)
        goto fail;
    sqlite3_finalize(st);
    res =
        hd_db_prepare(db, "INSERT INTO warnings(session_id, rep_idx, name) VALUES(?1,?2,?3)", &st);
    if (res < 0)
        goto fail;
    for (int i = 0; i < HD_WARN_COUNT; i++) {
        if (!(rep->warnings & (1u << i)))
            continue;
        sqlite3_bind_int64(st, 1, session_id);
        sqlite3_bind_int(st, 2, rep->index);
        sqlite3_bind_text(st, 3, hd_warn_name(i), -1, SQLITE_STATIC);
        if ((res = step_once(db, st, "add warning")) < 0)
            goto fail;
        sqlite3_reset(st);
    }
    sqlite3_finalize(st);
    st = NULL;
    /* Sets are derived from the reps; rebuilt so that renumbered sets stay right. */
    res = run_for_session(db, "DELETE FROM sets WHERE session_id=?1", session_id, 0,
                          "update sets");
    if (res < 0)
        goto fail;
    res = run_for_session(db,
                          "INSERT INTO sets(session_id, set_no, t_start, t_end, reps)"
                          " SELECT session_id, set_no, MIN(t_descent_start), MAX(t_top), COUNT(*)"
                          " FROM reps WHERE session_id=?1 GROUP BY set_no",
                          session_id, 0, "update sets");
    if (res < 0)
        goto fail;
    if ((res = hd_db_exec(db, "COMMIT", "commit rep")) < 0)
        goto fail;
    return HD_OK;
fail:
    sqlite3_finalize(st);
    sqlite3_exec(db->sql, "ROLLBACK", NULL, NULL, NULL);
    return res;
}

hd_status hd_db_session_end(hd_db *db, int64_t session_id, int64_t end_time, double duration_s,
                            int64_t frames, int64_t dropped, hd_session_status status)
{
    sqlite3_stmt *st;
    hd_status res;
    if (status == HD_SESSION_RUNNING)
        return hd_fail(HD_ERR_INVALID, "a session ends as done or interrupted");
    res = hd_db_prepare(db,
                        "UPDATE sessions SET end_time=?2, duration_s=?3, frames=?4,"
                        " dropped=?5, status=?6 WHERE id=?1",
                        &st);
    if (res < 0)
        return res;
    sqlite3_bind_int64(st, 1, session_id);
    sqlite3_bind_int64(st, 2, end_time);
    sqlite3_bind_double(st, 3, duration_s);
    sqlite3_bind_int64(st, 4, frames);
    sqlite3_bind_int64(st, 5, dropped);
    sqlite3_bind_text(st, 6, hd_session_status_name(status), -1, SQLITE_STATIC);
    res = step_once(db, st, "end session");
    sqlite3_finalize(st);
    if (res == HD_OK && sqlite3_changes(db->sql) == 0)
        res = no_session(session_id);
    return res;
}

hd_status hd_db_session_set_note(hd_db *db, int64_t session_id, const char *note)
{
    sqlite3_stmt *st;
    hd_status res = hd_db_prepare(db, "UPDATE sessions SET note=?2 WHERE id=?1", &st);
    if (res < 0)
        return res;
    sqlite3_bind_int64(st, 1, session_id);
    bind_text_or_null(st, 2, note);
    res = step_once(db, st, "set note");
    sqlite3_finalize(st);
    if (res == HD_OK && sqlite3_changes(db->sql) == 0)
        res = no_session(session_id);
    return res;
}

hd_status hd_db_pain_add(hd_db *db, int64_t t, int value, int morning, int64_t session_id,
                         const char *note, int64_t *pain_id)
{
    sqlite3_stmt *st;
    hd_status res;
    if (value < 0 || value > 10)
        return hd_fail(HD_ERR_INVALID, "pain must be a whole number from 0 to 10, not %d", value);
    if (session_id > 0) {
        int ex = session_exists(db, session_id);
        if (ex < 0)
            return HD_ERR_IO;
        if (!ex)
            return no_session(session_id);
    }
    res = hd_db_prepare(db,
                        "INSERT INTO pain(t, value, morning, session_id, note)"
                        " VALUES(?1,?2,?3,?4,?5)",
                        &st);
    if (res < 0)
        return res;
    sqlite3_bind_int64(st, 1, t);
    sqlite3_bind_int(st, 2, value);
    sqlite3_bind_int(st, 3, morning ? 1 : 0);
    if (session_id > 0)
        sqlite3_bind_int64(st, 4, session_id);
    else
        sqlite3_bind_null(st, 4);
    bind_text_or_null(st, 5, note);
    res = step_once(db, st, "log pain");
    sqlite3_finalize(st);
    if (res == HD_OK && pain_id)
        *pain_id = sqlite3_last_insert_rowid(db->sql);
    return res;
}

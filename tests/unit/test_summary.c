/* test_summary.c - the summary JSON/CSV and trace CSV: round trips, layout, and writes
 * that must fail cleanly. */
#define _POSIX_C_SOURCE 200809L
#include <stdint.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cjson/cJSON.h>

#include "heeldrop/paths.h"
#include "heeldrop/summary.h"
#include "heeldrop/tracker.h"
#include "test.h"

static char tmpdir[256];

static void path_in(char *buf, size_t size, const char *name)
{
    snprintf(buf, size, "%s/%s", tmpdir, name);
}

static char *read_all(const char *path)
{
    return hd_read_text(path, SIZE_MAX - 1, NULL, NULL);
}

static void write_all(const char *path, const char *text)
{
    FILE *f = fopen(path, "w");
    if (f) {
        fputs(text, f);
        fclose(f);
    }
}

/* Number of entries of dir other than . and .. */
static int count_entries(const char *dir)
{
    DIR *d = opendir(dir);
    struct dirent *e;
    int n = 0;
    if (!d)
        return -1;
    while ((e = readdir(d)))
        n += strcmp(e->d_name, ".") && strcmp(e->d_name, "..");
    closedir(d);
    return n;
}

static hd_rep make_rep(int index, int foot, double t0, unsigned warnings, int set)
{
    hd_rep r;
    memset(&r, 0, sizeof(r));
    r.index = index;
    r.foot = foot;
    r.t_descent_start = t0;
    r.t_bottom = t0 + 3.06;
    r.t_hold_end = t0 + 4.3;
    r.t_top = t0 + 5.55;
    r.descent_s = 3.06;
    r.hold_s = 1.24;
    r.rise_s = 1.25;
    r.below_s = 2.1;
    r.depth_mm = 60.7;
    r.top_mm = 48.2;
    r.lost_s = 0.13;
    r.set = set;
    r.warnings = warnings;
    return r;
}

/* A summary with three reps: near (valid), far (too_fast|bounce), unknown foot (all). */
static void make_summary(hd_summary *s, int near_leg)
{
    memset(s, 0, sizeof(*s));
    snprintf(s->source, sizeof(s->source), "clips/heel \"drop\" 1.mp4");
    snprintf(s->kind, sizeof(s->kind), "analysis");
    s->fps = 30.0;
    s->frames = 900;
    s->duration_s = 30.0;
    s->has_step_edge = 1;
    s->step_edge[0] = 12.5;
    s->step_edge[1] = 300.0;
    s->step_edge[2] = 630.0;
    s->step_edge[3] = 310.5;
    s->mm_per_px = 1.9;
    s->near_leg = near_leg;
    s->lost_share = 0.0123;
    s->nreps = 3;
    s->reps = calloc(3, sizeof(hd_rep));
    s->reps[0] = make_rep(1, HD_FOOT_NEAR, 3.01, 0, 1);
    s->reps[1] = make_rep(2, HD_FOOT_FAR, 10.0, HD_WARN_TOO_FAST | HD_WARN_BOUNCE, 1);
    s->reps[2] = make_rep(3, HD_FOOT_UNKNOWN, 30.0, (1u << HD_WARN_COUNT) - 1, 2);
    CHECK(hd_summary_add_setting(s, "shoe-mm", "270", 1) == HD_OK);
    CHECK(hd_summary_add_setting(s, "insertional", "false", 2) == HD_OK);
    CHECK(hd_summary_add_setting(s, "near-leg", "left", 0) == HD_OK);
    CHECK(hd_summary_add_setting(s, "too-fast-s", "2.5", 1) == HD_OK);
}

static void check_rep_equal(const hd_rep *a, const hd_rep *b, int expect_foot)
{
    CHECK(a->index == b->index);
    CHECK(b->foot == expect_foot);
    CHECK_NEAR(a->t_descent_start, b->t_descent_start, 0.005);
    CHECK_NEAR(a->t_bottom, b->t_bottom, 0.005);
    CHECK_NEAR(a->t_hold_end, b->t_hold_end, 0.005);
    CHECK_NEAR(a->t_top, b->t_top, 0.005);
    CHECK_NEAR(a->descent_s, b->descent_s, 0.005);
    CHECK_NEAR(a->hold_s, b->hold_s, 0.005);
    CHECK_NEAR(a->rise_s, b->rise_s, 0.005);
    CHECK_NEAR(a->below_s, b->below_s, 0.005);
    CHECK_NEAR(a->depth_mm, b->depth_mm, 0.05);
    CHECK_NEAR(a->top_mm, b->top_mm, 0.05);
    CHECK_NEAR(a->lost_s, b->lost_s, 0.005);
    CHECK(a->set == b->set);
    CHECK(a->warnings == b->warnings);
}

static void test_json_round_trip(void)
{
    const int sides[3] = {'L', 'R', 0};
    for (int k = 0; k < 3; k++) {
        hd_summary s, back;
        char path[512];
        make_summary(&s, sides[k]);
        path_in(path, sizeof(path), "round.json");
        CHECK(hd_summary_write_json(&s, path) == HD_OK);
        memset(&back, 0xA5, sizeof(back)); /* the reader must not trust what was there */
        CHECK(hd_summary_read_json(path, &back) == HD_OK);
        CHECK(strcmp(back.source, s.source) == 0);
        CHECK(strcmp(back.kind, "analysis") == 0);
        CHECK_NEAR(back.fps, 30.0, 1e-9);
        CHECK(back.frames == 900);
        CHECK_NEAR(back.duration_s, 30.0, 1e-9);
        CHECK(back.has_step_edge == 1);
        for (int i = 0; i < 4; i++)
            CHECK_NEAR(back.step_edge[i], s.step_edge[i], 0.05);
        CHECK_NEAR(back.mm_per_px, 1.9, 1e-4);
        CHECK(back.near_leg == sides[k]);
        CHECK_NEAR(back.lost_share, 0.0123, 1e-4);
        CHECK(back.nsettings == 4);
        if (back.nsettings == 4) {
            CHECK(strcmp(back.settings[0].name, "shoe-mm") == 0);
            CHECK(strcmp(back.settings[0].value, "270") == 0);
            CHECK(back.settings[0].is_number == 1);
            CHECK(strcmp(back.settings[1].value, "false") == 0);
            CHECK(back.settings[1].is_number == 2);
            CHECK(strcmp(back.settings[2].value, "left") == 0);
            CHECK(back.settings[2].is_number == 0);
            CHECK(strcmp(back.settings[3].value, "2.5") == 0);
        }
        CHECK(back.nreps == 3);
        if (back.nreps == 3) {
            check_rep_equal(&s.reps[0], &back.reps[0], HD_FOOT_NEAR);
            check_rep_equal(&s.reps[1], &back.reps[1], HD_FOOT_FAR);
            /* an unknown foot is written as the near leg, like totals.by_leg counts it */
            check_rep_equal(&s.reps[2], &back.reps[2], HD_FOOT_NEAR);
        }
        hd_summary_clear(&back);
        hd_summary_clear(&s);
        CHECK(s.reps == NULL && s.settings == NULL && s.nreps == 0);
    }
}

/* The JSON text itself: the contract's names, labels, totals and nulls. */
static void test_json_layout(void)
{
    hd_summary s;
    make_summary(&s, 'R');
    s.has_step_edge = 0;
    s.reps[0].hold_s = NAN; /* unknown numbers are null, never NaN text */
    char *text = hd_summary_to_json(&s);
    CHECK(text != NULL);
    cJSON *root = text ? cJSON_Parse(text) : NULL;
    CHECK(root != NULL);
    if (root) {
        CHECK(cJSON_IsNull(cJSON_GetObjectItem(root, "step_edge_px")));
        CHECK(strcmp(cJSON_GetObjectItem(root, "near_leg")->valuestring, "right") == 0);
        cJSON *reps = cJSON_GetObjectItem(root, "reps");
        CHECK(cJSON_GetArraySize(reps) == 3);
        cJSON *r0 = cJSON_GetArrayItem(reps, 0), *r1 = cJSON_GetArrayItem(reps, 1);
        CHECK(strcmp(cJSON_GetObjectItem(r0, "leg")->valuestring, "right") == 0);
        CHECK(strcmp(cJSON_GetObjectItem(r1, "leg")->valuestring, "left") == 0);
        CHECK(cJSON_IsNull(cJSON_GetObjectItem(r0, "hold_s")));
        CHECK(cJSON_IsTrue(cJSON_GetObjectItem(r0, "valid")));
        CHECK(cJSON_IsFalse(cJSON_GetObjectItem(r1, "valid")));
        cJSON *w1 = cJSON_GetObjectItem(r1, "warnings");
        CHECK(cJSON_GetArraySize(w1) == 2);
        CHECK(strcmp(cJSON_GetArrayItem(w1, 0)->valuestring, "too_fast") == 0);
        CHECK(strcmp(cJSON_GetArrayItem(w1, 1)->valuestring, "bounce") == 0);
        CHECK_NEAR(cJSON_GetObjectItem(r0, "t_bottom")->valuedouble, 6.07, 1e-9);
        /* the field order of a rep is the CSV's column order */
        const char *order[] = {
            "index",  "leg",    "t_descent_start", "t_bottom", "t_hold_end", "t_top", "descent_s",
            "hold_s", "rise_s", "below_s",         "depth_mm", "top_mm",     "set",   "warnings",
            "valid",  "lost_s"};
        cJSON *it = r0->child;
        for (size_t i = 0; i < sizeof(order) / sizeof(order[0]); i++, it = it ? it->next : NULL)
            CHECK(it && strcmp(it->string, order[i]) == 0);
        cJSON *tot = cJSON_GetObjectItem(root, "totals");
        CHECK(cJSON_GetObjectItem(tot, "reps")->valueint == 3);
        CHECK(cJSON_GetObjectItem(tot, "valid_reps")->valueint == 1);
        CHECK(cJSON_GetObjectItem(tot, "sets")->valueint == 2);
        cJSON *legs = cJSON_GetObjectItem(tot, "by_leg");
        CHECK(cJSON_GetObjectItem(legs, "right")->valueint == 2); /* near + unknown */
        CHECK(cJSON_GetObjectItem(legs, "left")->valueint == 1);
        CHECK(cJSON_GetObjectItem(legs, "near") == NULL);
        cJSON *tw = cJSON_GetObjectItem(tot, "warnings");
        CHECK(cJSON_GetObjectItem(tw, "too_fast")->valueint == 2);
        CHECK(cJSON_GetObjectItem(tw, "uncertain")->valueint == 1);
        CHECK(cJSON_GetObjectItem(tw, "no_hold")->valueint == 1);
        cJSON *settings = cJSON_GetObjectItem(root, "settings");
        CHECK(cJSON_IsNumber(cJSON_GetObjectItem(settings, "shoe-mm")));
        CHECK(cJSON_IsFalse(cJSON_GetObjectItem(settings, "insertional")));
        CHECK(cJSON_IsString(cJSON_GetObjectItem(settings, "near-leg")));
        CHECK(cJSON_IsNumber(
            cJSON_GetObjectItem(cJSON_GetObjectItem(root, "tracking"), "lost_share")));
        cJSON_Delete(root);
    }
    CHECK(text && !strstr(text, "nan") && !strstr(text, "-0,"));
    free(text);

    /* unset near_leg: near/far labels and a null near_leg */
    s.near_leg = 0;
    text = hd_summary_to_json(&s);
    root = text ? cJSON_Parse(text) : NULL;
    CHECK(root != NULL);
    if (root) {
        CHECK(cJSON_IsNull(cJSON_GetObjectItem(root, "near_leg")));
        cJSON *legs = cJSON_GetObjectItem(cJSON_GetObjectItem(root, "totals"), "by_leg");
        CHECK(cJSON_GetObjectItem(legs, "near")->valueint == 2);
        CHECK(cJSON_GetObjectItem(legs, "far")->valueint == 1);
        cJSON *r1 = cJSON_GetArrayItem(cJSON_GetObjectItem(root, "reps"), 1);
        CHECK(strcmp(cJSON_GetObjectItem(r1, "leg")->valuestring, "far") == 0);
        cJSON_Delete(root);
    }
    free(text);

    /* written null reads back as NaN; no step edge reads back as none */
    char path[512];
    hd_summary back;
    path_in(path, sizeof(path), "nulls.json");
    CHECK(hd_summary_write_json(&s, path) == HD_OK);
    CHECK(hd_summary_read_json(path, &back) == HD_OK);
    CHECK(back.has_step_edge == 0);
    CHECK(back.nreps == 3 && isnan(back.reps[0].hold_s));
    hd_summary_clear(&back);
    hd_summary_clear(&s);
}

static void test_leg_labels(void)
{
    hd_summary s;
    memset(&s, 0, sizeof(s));
    CHECK(strcmp(hd_summary_leg_label(&s, HD_FOOT_NEAR), "near") == 0);
    CHECK(strcmp(hd_summary_leg_label(&s, HD_FOOT_FAR), "far") == 0);
    CHECK(strcmp(hd_summary_leg_label(&s, HD_FOOT_UNKNOWN), "near") == 0);
    s.near_leg = 'L';
    CHECK(strcmp(hd_summary_leg_label(&s, HD_FOOT_NEAR), "left") == 0);
    CHECK(strcmp(hd_summary_leg_label(&s, HD_FOOT_FAR), "right") == 0);
    s.near_leg = 'R';
    CHECK(strcmp(hd_summary_leg_label(&s, HD_FOOT_NEAR), "right") == 0);
    CHECK(strcmp(hd_summary_leg_label(&s, HD_FOOT_FAR), "left") == 0);
}

static void test_csv(void)
{
    hd_summary s;
    char path[512];
    make_summary(&s, 'L');
    path_in(path, sizeof(path), "reps.csv");
    CHECK(hd_summary_write_csv(&s, path) == HD_OK);
    char *text = read_all(path);
    CHECK(text != NULL);
    if (text) {
        const char *expect =
            "index,leg,t_descent_start,t_bottom,t_hold_end,t_top,descent_s,hold_s,rise_s,"
            "below_s,depth_mm,top_mm,set,warnings,valid,lost_s\n"
            "1,left,3.01,6.07,7.31,8.56,3.06,1.24,1.25,2.10,60.7,48.2,1,,true,0.13\n"
            "2,right,10.00,13.06,14.30,15.55,3.06,1.24,1.25,2.10,60.7,48.2,1,"
            "too_fast;bounce,false,0.13\n"
            "3,left,30.00,33.06,34.30,35.55,3.06,1.24,1.25,2.10,60.7,48.2,2,"
            "too_fast;no_hold;long_hold;bounce;bilateral;partial;uncertain,false,0.13\n";
        CHECK(strcmp(text, expect) == 0);
        if (strcmp(text, expect) != 0)
            fprintf(stderr, "got:\n%s", text);
    }
    free(text);

    /* no reps: the header alone */
    hd_summary_clear(&s);
    memset(&s, 0, sizeof(s));
    CHECK(hd_summary_write_csv(&s, path) == HD_OK);
    text = read_all(path);
    CHECK(text && strchr(text, '\n') && strchr(text, '\n')[1] == '\0');
    free(text);
}

static void test_trace_round_trip(void)
{
    hd_trace_row rows[5];
    char path[512];
    memset(rows, 0, sizeof(rows));
    for (int i = 0; i < 5; i++) {
        rows[i].t = i / 30.0;
        rows[i].heel_px = 20.25f + (float)i;
        rows[i].heel_mm = 38.5f - 2.0f * (float)i;
        rows[i].foot_deg = 12.5f;
        rows[i].conf = 0.875f;
        rows[i].phase = HD_PHASE_DESCENT;
        rows[i].off_step = (int8_t)(i % 3 - 1);
        rows[i].visible = (int8_t)(i != 3);
    }
    /* rows 2 and 3 lost: NaN values, confidence 0 */
    for (int i = 2; i <= 3; i++) {
        rows[i].heel_px = rows[i].heel_mm = rows[i].foot_deg = NAN;
        rows[i].conf = 0;
        rows[i].phase = HD_PHASE_LOST;
    }
    rows[4].heel_mm = -12.25f;

    for (int with_visible = 0; with_visible <= 1; with_visible++) {
        hd_trace_row *back = NULL;
        int64_t n = -1;
        path_in(path, sizeof(path), "trace.csv");
        CHECK(hd_trace_write_csv(rows, 5, with_visible, path) == HD_OK);
        char *text = read_all(path);
        const char *hdr = with_visible
                              ? "t,heel_px,heel_mm,foot_deg,phase,confidence,off_step,visible\n"
                              : "t,heel_px,heel_mm,foot_deg,phase,confidence,off_step\n";
        CHECK(text && strncmp(text, hdr, strlen(hdr)) == 0);
        /* lost values are empty cells, not "nan" */
        CHECK(text && !strstr(text, "nan") && strstr(text, ",,,lost,0.000,"));
        free(text);
        CHECK(hd_trace_read_csv(path, &back, &n) == HD_OK);
        CHECK(n == 5);
        for (int i = 0; back && n == 5 && i < 5; i++) {
            CHECK_NEAR(back[i].t, rows[i].t, 1e-6);
            CHECK(back[i].phase == rows[i].phase);
            CHECK(back[i].off_step == rows[i].off_step);
            CHECK(back[i].visible == (with_visible ? rows[i].visible : -1));
            CHECK_NEAR(back[i].conf, rows[i].conf, 1e-3);
            if (i == 2 || i == 3) {
                CHECK(isnan(back[i].heel_px) && isnan(back[i].heel_mm));
                CHECK(isnan(back[i].foot_deg));
            } else {
                CHECK_NEAR(back[i].heel_px, rows[i].heel_px, 0.005);
                CHECK_NEAR(back[i].heel_mm, rows[i].heel_mm, 0.005);
                CHECK_NEAR(back[i].foot_deg, rows[i].foot_deg, 0.005);
            }
        }
        free(back);
    }

    /* an empty trace: header only, zero rows */
    hd_trace_row *back = NULL;
    int64_t n = -1;
    CHECK(hd_trace_write_csv(NULL, 0, 1, path) == HD_OK);
    CHECK(hd_trace_read_csv(path, &back, &n) == HD_OK && n == 0);
    free(back);
}

static void test_trace_read_errors(void)
{
    char path[512];
    hd_trace_row *rows = (hd_trace_row *)1;
    int64_t n = 7;
    path_in(path, sizeof(path), "missing.csv");
    CHECK(hd_trace_read_csv(path, &rows, &n) == HD_ERR_NOTFOUND);
    CHECK(rows == NULL && n == 0);
    CHECK(strstr(hd_last_error(), path) != NULL);

    path_in(path, sizeof(path), "bad.csv");
    write_all(path, "t,heel_mm,confidence\n0.0,1.0,1\n0.033,abc,1\n");
    CHECK(hd_trace_read_csv(path, &rows, &n) == HD_ERR_FORMAT);
    CHECK(strstr(hd_last_error(), ":3:") != NULL && strstr(hd_last_error(), "heel_mm"));
    CHECK(rows == NULL);

    write_all(path, "t,heel_mm\n0.0,1.0,7\n");
    CHECK(hd_trace_read_csv(path, &rows, &n) == HD_ERR_FORMAT);
    write_all(path, "time,height\n0.0,1.0\n");
    CHECK(hd_trace_read_csv(path, &rows, &n) == HD_ERR_FORMAT);
    write_all(path, "");
    CHECK(hd_trace_read_csv(path, &rows, &n) == HD_ERR_FORMAT);

    /* columns in another order, extra columns, CRLF, no confidence column */
    write_all(path, "extra,heel_mm,t,visible\r\nx,5.5,0.0,1\r\ny,,0.033333,0\r\n");
    CHECK(hd_trace_read_csv(path, &rows, &n) == HD_OK);
    CHECK(n == 2);
    if (rows && n == 2) {
        CHECK_NEAR(rows[0].heel_mm, 5.5, 1e-6);
        CHECK(rows[0].conf == 1.0f && rows[1].conf == 0.0f);
        CHECK(rows[0].visible == 1 && rows[1].visible == 0);
        CHECK(isnan(rows[1].heel_mm) && isnan(rows[0].heel_px));
        CHECK(rows[0].off_step == -1);
    }
    free(rows);
}

static void test_read_errors(void)
{
    char path[512];
    hd_summary s;
    path_in(path, sizeof(path), "nope.json");
    CHECK(hd_summary_read_json(path, &s) == HD_ERR_NOTFOUND);
    CHECK(strstr(hd_last_error(), path) != NULL);
    CHECK(s.reps == NULL && s.nreps == 0);

    path_in(path, sizeof(path), "broken.json");
    write_all(path, "{\n\"reps\": [\n{\"index\": 1,,}\n]}\n");
    CHECK(hd_summary_read_json(path, &s) == HD_ERR_FORMAT);
    CHECK(strstr(hd_last_error(), path) && strstr(hd_last_error(), "line 3"));
    CHECK(s.reps == NULL && s.nreps == 0);

    write_all(path, "{\"source\": \"x\"}");
    CHECK(hd_summary_read_json(path, &s) == HD_ERR_FORMAT);
    write_all(path, "[1, 2]");
    CHECK(hd_summary_read_json(path, &s) == HD_ERR_FORMAT);
    write_all(path, "{\"reps\": [1]}");
    CHECK(hd_summary_read_json(path, &s) == HD_ERR_FORMAT);
    CHECK(s.reps == NULL && s.nreps == 0);

    CHECK(hd_summary_read_json(tmpdir, &s) == HD_ERR_NOTFOUND);
}

/* A truth file from the generator: the same schema plus fields the reader ignores. */
static void test_read_truth(void)
{
    char path[512];
    hd_summary s;
    path_in(path, sizeof(path), "clip.truth.json");
    write_all(path,
              "{\"source\": \"synth:seed=4\", \"kind\": \"truth\", \"fps\": 25, \"frames\": 250,"
              " \"generator\": {\"seed\": 4, \"noise\": [1, 2]}, \"near_leg\": \"right\","
              " \"settings\": {\"shoe-mm\": 265, \"nested\": {\"a\": 1}, \"flag\": true},"
              " \"reps\": [{\"index\": 1, \"leg\": \"left\", \"t_bottom\": 4.5,"
              "   \"descent_s\": 3.5, \"warnings\": [\"partial\", \"from_the_future\"],"
              "   \"valid\": false, \"true_min_mm\": -61.25},"
              "  {\"leg\": \"right\", \"t_bottom\": 9.5, \"warnings\": []}],"
              " \"totals\": {\"reps\": 2}}");
    CHECK(hd_summary_read_json(path, &s) == HD_OK);
    CHECK(strcmp(s.kind, "truth") == 0);
    CHECK(s.near_leg == 'R');
    CHECK(s.nreps == 2);
    if (s.nreps == 2) {
        CHECK(s.reps[0].foot == HD_FOOT_FAR);
        CHECK(s.reps[1].foot == HD_FOOT_NEAR);
        CHECK(s.reps[0].warnings == HD_WARN_PARTIAL);
        CHECK(s.reps[1].index == 2 && s.reps[1].set == 1);
        CHECK(isnan(s.reps[0].hold_s)); /* missing fields are unknown, not zero */
        CHECK_NEAR(s.reps[0].t_bottom, 4.5, 1e-9);
    }
    CHECK(s.nsettings == 3);
    if (s.nsettings == 3) {
        CHECK(strcmp(s.settings[0].value, "265") == 0 && s.settings[0].is_number == 1);
        CHECK(strcmp(s.settings[1].value, "{\"a\":1}") == 0);
        CHECK(s.settings[2].is_number == 2);
    }
    CHECK(isnan(s.mm_per_px) && s.has_step_edge == 0);
    hd_summary_clear(&s);
}

static void test_write_failures(void)
{
    hd_summary s;
    char dir[512], path[600];
    make_summary(&s, 0);

    /* a folder that does not exist */
    snprintf(path, sizeof(path), "%s/no/such/dir/s.json", tmpdir);
    CHECK(hd_summary_write_json(&s, path) == HD_ERR_IO);
    CHECK(strstr(hd_last_error(), path) != NULL);

    /* an unwritable folder: fails and leaves nothing behind */
    snprintf(dir, sizeof(dir), "%s/ro", tmpdir);
    CHECK(mkdir(dir, 0755) == 0);
    CHECK(chmod(dir, 0555) == 0);
    snprintf(path, sizeof(path), "%s/s.json", dir);
    int probe = open(path, O_WRONLY | O_CREAT | O_EXCL, 0644);
    if (probe >= 0) {
        /* root ignores permission bits: use a folder no one may create files in */
        close(probe);
        unlink(path);
        fprintf(stderr, "note: running as root, testing /proc instead of a 0555 folder\n");
        CHECK(hd_summary_write_json(&s, "/proc/heeldrop-test-summary.json") == HD_ERR_IO);
        CHECK(strstr(hd_last_error(), "/proc/heeldrop-test-summary.json") != NULL);
        CHECK(hd_summary_write_csv(&s, "/proc/heeldrop-test-summary.csv") == HD_ERR_IO);
    } else {
        CHECK(hd_summary_write_json(&s, path) == HD_ERR_IO);
        CHECK(strstr(hd_last_error(), path) != NULL);
        CHECK(hd_summary_write_csv(&s, path) == HD_ERR_IO);
        CHECK(hd_trace_write_csv(NULL, 0, 0, path) == HD_ERR_IO);
    }
    CHECK(count_entries(dir) == 0);
    chmod(dir, 0755);
    rmdir(dir);

    /* the path is a folder: the rename fails, the temporary file is removed, the folder
     * is untouched */
    snprintf(dir, sizeof(dir), "%s/isdir", tmpdir);
    CHECK(mkdir(dir, 0755) == 0);
    int before = count_entries(tmpdir);
    CHECK(hd_summary_write_json(&s, dir) == HD_ERR_IO);
    CHECK(strstr(hd_last_error(), dir) != NULL);
    CHECK(hd_summary_write_csv(&s, dir) == HD_ERR_IO);
    CHECK(count_entries(tmpdir) == before);
    struct stat st;
    CHECK(stat(dir, &st) == 0 && S_ISDIR(st.st_mode) && count_entries(dir) == 0);
    rmdir(dir);

    /* rewriting an existing file replaces it whole */
    snprintf(path, sizeof(path), "%s/keep.json", tmpdir);
    CHECK(hd_summary_write_json(&s, path) == HD_OK);
    s.nreps = 1;
    CHECK(hd_summary_write_json(&s, path) == HD_OK);
    hd_summary back;
    CHECK(hd_summary_read_json(path, &back) == HD_OK && back.nreps == 1);
    hd_summary_clear(&back);
    unlink(path);
    hd_summary_clear(&s);
}

static void test_print_table(void)
{
    hd_summary s;
    char *buf = NULL;
    size_t len = 0;
    make_summary(&s, 'L');
    FILE *f = open_memstream(&buf, &len);
    CHECK(f != NULL);
    if (!f)
        return;
    hd_summary_print_table(&s, f);
    fclose(f);
    CHECK(strstr(buf, "too fast, bounce") != NULL);
    CHECK(strstr(buf, "3 reps, 1 valid, 2 sets") != NULL);
    CHECK(strstr(buf, "left 2, right 1") != NULL);
    CHECK(strstr(buf, "60.7 mm") != NULL);
    CHECK(strstr(buf, "3.06 s") != NULL);
    free(buf);
    hd_summary_clear(&s);

    memset(&s, 0, sizeof(s));
    buf = NULL;
    f = open_memstream(&buf, &len);
    hd_summary_print_table(&s, f);
    fclose(f);
    CHECK(strstr(buf, "no reps found") != NULL);
    free(buf);
}

static void test_settings(void)
{
    hd_summary s;
    char longv[300];
    memset(&s, 0, sizeof(s));
    memset(longv, 'x', sizeof(longv) - 1);
    longv[sizeof(longv) - 1] = '\0';
    CHECK(hd_summary_add_setting(&s, "ok", "1", 1) == HD_OK);
    CHECK(hd_summary_add_setting(&s, "long", longv, 0) == HD_ERR_INVALID);
    CHECK(hd_summary_add_setting(&s, "a-name-that-is-much-too-long-for-the-field", "1", 1) ==
          HD_ERR_INVALID);
    CHECK(s.nsettings == 1);
    /* a "number" that is not one is kept as text, not dropped */
    CHECK(hd_summary_add_setting(&s, "shoe-mm", "big", 1) == HD_OK);
    char *text = hd_summary_to_json(&s);
    CHECK(text && strstr(text, "\"shoe-mm\":\t\"big\""));
    free(text);
    hd_summary_clear(&s);
}

static void rm_tree(const char *dir)
{
    DIR *d = opendir(dir);
    struct dirent *e;
    char p[1024];
    if (!d)
        return;
    while ((e = readdir(d))) {
        if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
            continue;
        snprintf(p, sizeof(p), "%s/%s", dir, e->d_name);
        if (unlink(p) != 0)
            rm_tree(p);
    }
    closedir(d);
    rmdir(dir);
}

int main(void)
{
    const char *base = getenv("TMPDIR");
    snprintf(tmpdir, sizeof(tmpdir), "%s/hd_test_summary.XXXXXX", base && *base ? base : "/tmp");
    if (!mkdtemp(tmpdir)) {
        perror("mkdtemp");
        return 1;
    }
    RUN(test_leg_labels);
    RUN(test_json_round_trip);
    RUN(test_json_layout);
    RUN(test_csv);
    RUN(test_trace_round_trip);
    RUN(test_trace_read_errors);
    RUN(test_read_errors);
    RUN(test_read_truth);
    RUN(test_write_failures);
    RUN(test_print_table);
    RUN(test_settings);
    rm_tree(tmpdir);
    return TEST_EXIT();
}

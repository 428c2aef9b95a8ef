/* options.h - all user settings in one table.
 *
 * The table drives `--help`, command-line parsing, the config file
 * ($XDG_CONFIG_HOME/heeldrop/config, lines "name = value") and the "settings" block of
 * every summary. A subcommand names the options it accepts with a mask.
 */
#ifndef HEELDROP_OPTIONS_H
#define HEELDROP_OPTIONS_H

#include <stddef.h>

#include "heeldrop/status.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef enum hd_opt_type {
    HD_OPT_FLAG,   /* no value: sets an int to 1 */
    HD_OPT_INT,
    HD_OPT_DOUBLE,
    HD_OPT_STRING,
    HD_OPT_CHOICE  /* a string from a '|'-separated list */
} hd_opt_type;

/* Which commands take an option (a mask). */
enum {
    HD_CMD_ANALYZE = 1 << 0,
    HD_CMD_SYNTH = 1 << 1,
    HD_CMD_SCORE = 1 << 2,
    HD_CMD_LIVE = 1 << 3,
    HD_CMD_DEVICES = 1 << 4,
    HD_CMD_REVIEW = 1 << 5,
    HD_CMD_HISTORY = 1 << 6,
    HD_CMD_REPORT = 1 << 7,
    HD_CMD_PLAN = 1 << 8,
    HD_CMD_PAIN = 1 << 9
};

/* All settings. Strings point into argv, the config file buffer or static defaults. */
typedef struct hd_settings {
    const char *json, *csv, *trace, *annotate;
    const char *near_leg;          /* "", "left" or "right" */
    const char *step_edge;         /* "x0,y0,x1,y1" or "" */
    double shoe_mm;
    int quiet, verbose;
    const char *model;             /* tracker parameter file, "" = models/tracker.json */
    int insertional;
    double too_fast_s, min_hold_s, long_hold_s, set_gap_s, top_mm;
    double bounce_mm, partial_frac, uncertain_s;
    double target_lo_s, target_hi_s;
    /* live */
    const char *device;            /* "/dev/videoN", "" = the first camera found */
    const char *size;              /* "WxH", "" = 1280x720 */
    double fps;                    /* 0 = 30 */
    const char *source;            /* live mode on a saved video at its own pace */
    int no_record, record_overlay, fullscreen, mute;
    double load_kg;                /* added load (backpack) for this session */
    const char *knee;              /* "", "straight" or "bent": the variant trained */
    /* history, report, plan, pain */
    const char *out;               /* report: the HTML file to write */
    int week;                      /* report: the last 7 days instead of one session */
    int weeks;                     /* history: how many weeks back (0 = all) */
    const char *preset;            /* plan: preset name (a file in models/programmes/) */
    const char *leg;               /* plan: "left", "right" or "both" */
    int morning;                   /* pain: the next-morning rating */
    const char *note;              /* pain/live: free text from the user */
} hd_settings;

typedef struct hd_option {
    const char *name;       /* long option and config key, e.g. "shoe-mm" */
    hd_opt_type type;
    const char *arg;        /* argument name in --help, e.g. "MM" */
    const char *defval;     /* default as text ("" for none) */
    const char *choices;    /* for HD_OPT_CHOICE */
    size_t offset;          /* offsetof(hd_settings, field) */
    unsigned commands;      /* HD_CMD_* mask */
    int in_summary;         /* 1: appears in the summary's settings block */
    int in_config;          /* 1: may be set in the config file */
    const char *help;
} hd_option;

/* The table, terminated by an entry with name NULL. */
extern const hd_option hd_options[];

/* Fills s with every option's default. */
void hd_settings_default(hd_settings *s);

/* Reads the config file if there is one (a missing file is fine; a bad line is
 * HD_ERR_INVALID naming file and line). */
hd_status hd_settings_load_config(hd_settings *s, unsigned command);

/* Parses argv[first..] for command; options and positional arguments may mix; "--" ends
 * options. Positional arguments are collected in pos (up to max_pos, count in *npos).
 * Returns HD_ERR_INVALID with a one-line message for an unknown option, a missing or
 * bad value. "--help" sets *help. */
hd_status hd_settings_parse(hd_settings *s, unsigned command, int argc, char **argv, int first,
                            const char **pos, int max_pos, int *npos, int *help);

/* Prints the options of a command, one per line, for --help. */
void hd_settings_print_help(unsigned command, void *file /* FILE* */);

/* Writes the value of option o in s as text. */
void hd_settings_format(const hd_settings *s, const hd_option *o, char *buf, size_t size);

#ifdef __cplusplus
}
#endif
#endif

/* log.c - levelled logging to stderr. */
#include <stdarg.h>
#include <stdio.h>

#include "heeldrop/log.h"

int hd_log_level_current = HD_LOG_WARN;

void hd_log_set_level(hd_log_level level)
{
    hd_log_level_current = (int)level;
}

void hd_log_write(hd_log_level level, const char *fmt, ...)
{
    static const char *const prefix[] = {"", "error: ", "warning: ", "", "debug: "};
    va_list ap;
    fprintf(stderr, "heeldrop: %s", prefix[level >= 0 && level <= 4 ? level : 0]);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
}

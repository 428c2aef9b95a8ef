/* log.h - levelled logging to stderr. The level is checked before formatting. */
#ifndef HEELDROP_LOG_H
#define HEELDROP_LOG_H

#ifdef __cplusplus
extern "C" {
#endif

typedef enum hd_log_level {
    HD_LOG_QUIET = 0,
    HD_LOG_ERROR = 1,
    HD_LOG_WARN = 2,
    HD_LOG_INFO = 3,
    HD_LOG_DEBUG = 4
} hd_log_level;

extern int hd_log_level_current;

void hd_log_set_level(hd_log_level level);
void hd_log_write(hd_log_level level, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 2, 3)))
#endif
    ;

#define HD_LOG(level, ...)                                                                     \
    do {                                                                                       \
        if ((int)(level) <= hd_log_level_current)                                              \
            hd_log_write((level), __VA_ARGS__);                                                \
    } while (0)

#ifdef __cplusplus
}
#endif
#endif

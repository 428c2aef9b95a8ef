/* clips.h - the test clip maker shared by the capture tests: a moving bright square
 * written with the video writer and read back with the file source, in a temporary
 * folder (tmpdir, set by each test's main). */
#ifndef HEELDROP_TEST_CLIPS_H
#define HEELDROP_TEST_CLIPS_H

#include <stdint.h>

#include "heeldrop/source.h"
#include "heeldrop/video_writer.h"

#define MAXF 128
#define SQ 32 /* side of the moving square */

typedef struct clip_spec {
    const char *codec;
    const char *container;
    int w, h, n;
    double fps;
    const int64_t *pts; /* NULL: i / fps */
    int rotation;
    hd_pixfmt fmt; /* YUV420P or BGR24 */
    int noise;     /* background noise amplitude, to make frames big */
} clip_spec;

typedef struct clip_read {
    int n;
    int w, h;
    hd_pixfmt fmt;
    int64_t pts[MAXF];
    int64_t seq[MAXF];
    double cx[MAXF], cy[MAXF]; /* centre of the bright pixels, -1 when none */
    int u[MAXF], v[MAXF];      /* chroma at that centre */
    hd_status end;
    hd_source_info info;
} clip_read;

extern char tmpdir[512];

/* tmpdir/name, from a ring of four buffers. */
const char *tpath(const char *name);
/* Removes every file and empty folder inside dir. */
void dir_clear(const char *dir);
/* Top-left corner of the square in frame i of a w x h clip. */
void square_at(int i, int w, int h, int *x, int *y);
/* Writes the clip c describes to path. */
hd_status write_clip(const char *path, const clip_spec *c);
/* Centre and chroma of the bright pixels of a frame (cx = -1 when none). */
void measure(const hd_frame *f, double *cx, double *cy, int *u, int *v);
/* Reads a whole clip with the file source. */
hd_status read_clip(const char *path, hd_pixfmt want, clip_read *g);

#endif

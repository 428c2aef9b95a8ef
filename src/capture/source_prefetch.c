/* source_prefetch.c - runs another source in its own thread, a few frames ahead.
 *
 * Decoding and tracking then overlap on two cores: a reader thread fills a small ring of
 * frames and acquire() hands them out in order. A file source's frames are not copied:
 * the ring slot takes a reference on the decoder's buffers (source_keep.h), dropped when
 * the consumer releases the frame. Other frames (other backends, or a file's converted or
 * rotated copies) are copied into the slot's own buffer (luma, and chroma for YUV420P).
 * The wrapped source is used from the reader thread only. A failure or the end of the
 * stream is passed on after the frames before it.
 */
#define _POSIX_C_SOURCE 200809L
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "capture/source_keep.h"
#include "heeldrop/source_prefetch.h"

/* Frames decoded ahead (one of them is the frame handed out): as many as fit in
 * RING_BYTES of luma, within RING_MIN..RING_MAX. More slots let the reader go on decoding
 * through the consumer's slow frames (the tracker's scene search takes tens of
 * milliseconds at a time) instead of idling with a full ring; each slot holds one frame's
 * pixels (0.92 MB of luma at 1280x720: 6 slots; 1920x1080: 4; YUV420P holds 1.5 times
 * that). */
#define RING_BYTES (6u << 20)
#define RING_MIN 4
#define RING_MAX 32

typedef struct slot {
    uint8_t *buf;       /* owned pixels when copied: plane 0, then 1 and 2 */
    size_t cap;
    hd_frame_keep keep; /* or references on the decoder's buffers holding them */
    hd_frame frame;     /* planes point into buf or into the kept buffers */
} slot;

typedef struct prefetch {
    hd_source *inner;
    pthread_t thread;
    int started;
    pthread_mutex_t lock;
    pthread_cond_t cond;
    slot ring[RING_MAX];
    int nslots;         /* slots in use, RING_MIN..RING_MAX */
    int head, count;    /* next slot to hand out, filled slots */
    int out;            /* a slot is handed out and not yet released */
    int done;           /* the reader stopped */
    int stop;           /* close asked the reader to stop */
    hd_status end;      /* HD_EOF or the failure the reader met */
    char err[512];      /* its message, for hd_fail in the caller's thread */
} prefetch;

static hd_status copy_frame(slot *s, const hd_frame *f)
{
    int planes = f->format == HD_PIX_YUV420P ? 3 : 1;
    int w[3] = {f->width, (f->width + 1) / 2, (f->width + 1) / 2};
    int h[3] = {f->height, (f->height + 1) / 2, (f->height + 1) / 2};
    if (f->format == HD_PIX_BGR24)
        w[0] = f->width * 3;
    size_t need = 0;
    for (int p = 0; p < planes; p++)
        need += (size_t)w[p] * h[p];
    if (need > s->cap) {
        uint8_t *nb = realloc(s->buf, need);
        if (!nb)
            return HD_ERR_NOMEM;
        s->buf = nb;
        s->cap = need;
    }
    s->frame = *f;
    uint8_t *dst = s->buf;
    for (int p = 0; p < 3; p++) {
        if (p >= planes) {
            s->frame.plane[p] = NULL;
            s->frame.stride[p] = 0;
            continue;
        }
        for (int y = 0; y < h[p]; y++)
            memcpy(dst + (size_t)y * w[p], f->plane[p] + (size_t)y * f->stride[p], (size_t)w[p]);
        s->frame.plane[p] = dst;
        s->frame.stride[p] = w[p];
        dst += (size_t)w[p] * h[p];
    }
    s->frame.opaque = NULL;
    return HD_OK;
}

static void *reader(void *arg)
{
    prefetch *pf = arg;
    for (;;) {
        pthread_mutex_lock(&pf->lock);
        /* keep one slot free for the frame handed out */
        while (!pf->stop && pf->count + pf->out >= pf->nslots)
            pthread_cond_wait(&pf->cond, &pf->lock);
        int stop = pf->stop;
        int tail = (pf->head + pf->count) % pf->nslots;
        pthread_mutex_unlock(&pf->lock);
        if (stop)
            break;
        hd_frame f;
        hd_status st = hd_source_acquire(pf->inner, &f);
        if (st == HD_AGAIN)
            continue;
        if (st == HD_OK) {
            /* the slot at tail is not visible to the consumer until count grows */
            slot *s = &pf->ring[tail];
            if (hd_source_file_keep(pf->inner, &f, &s->keep) == HD_OK) {
                s->frame = f;
                s->frame.opaque = NULL;
            } else {
                st = copy_frame(s, &f);
            }
            hd_source_release(pf->inner, &f);
            if (st == HD_ERR_NOMEM)
                hd_fail(st, "out of memory reading ahead");
        }
        pthread_mutex_lock(&pf->lock);
        if (st == HD_OK) {
            pf->count++;
        } else {
            pf->end = st;
            snprintf(pf->err, sizeof(pf->err), "%s", hd_last_error());
            pf->done = 1;
        }
        pthread_cond_broadcast(&pf->cond);
        pthread_mutex_unlock(&pf->lock);
        if (st != HD_OK)
            break;
    }
    return NULL;
}

static hd_status pf_open(hd_source *src, const char *uri, const hd_source_opts *o)
{
    (void)src;
    (void)uri;
    (void)o;
    return hd_fail(HD_ERR_INVALID, "the prefetch source wraps another: use hd_source_prefetch");
}

static hd_status pf_acquire(hd_source *src, hd_frame *out)
{
    prefetch *pf = src->priv;
    pthread_mutex_lock(&pf->lock);
    while (pf->count == 0 && !pf->done)
        pthread_cond_wait(&pf->cond, &pf->lock);
    if (pf->count == 0) {
        hd_status st = pf->end;
        char msg[512];
        snprintf(msg, sizeof(msg), "%s", pf->err);
        pthread_mutex_unlock(&pf->lock);
        return st == HD_EOF ? HD_EOF : hd_fail(st, "%s", msg);
    }
    *out = pf->ring[pf->head].frame;
    pf->out = 1;
    pthread_mutex_unlock(&pf->lock);
    return HD_OK;
}

static void pf_release(hd_source *src, hd_frame *frame)
{
    prefetch *pf = src->priv;
    pthread_mutex_lock(&pf->lock);
    if (pf->out) {
        /* the reader never touches the slot handed out; the buffer goes back to the
         * decoder's pool, which has a lock of its own */
        hd_source_file_unkeep(&pf->ring[pf->head].keep);
        pf->out = 0;
        pf->head = (pf->head + 1) % pf->nslots;
        pf->count--;
        pthread_cond_broadcast(&pf->cond);
    }
    pthread_mutex_unlock(&pf->lock);
    memset(frame, 0, sizeof(*frame));
}

static void pf_close(hd_source *src)
{
    prefetch *pf = src->priv;
    if (pf->started) {
        pthread_mutex_lock(&pf->lock);
        pf->stop = 1;
        pthread_cond_broadcast(&pf->cond);
        pthread_mutex_unlock(&pf->lock);
        pthread_join(pf->thread, NULL);
        pthread_mutex_destroy(&pf->lock);
        pthread_cond_destroy(&pf->cond);
    }
    for (int i = 0; i < RING_MAX; i++) {
        hd_source_file_unkeep(&pf->ring[i].keep);
        free(pf->ring[i].buf);
    }
    hd_source_close(pf->inner);
}

const hd_source_ops hd_source_prefetch_ops = {
    "prefetch", sizeof(prefetch), pf_open, pf_acquire, pf_release, pf_close,
};

hd_status hd_source_prefetch(hd_source *inner, hd_source **out)
{
    *out = NULL;
    hd_source *src = calloc(1, sizeof(*src));
    prefetch *pf = calloc(1, sizeof(*pf));
    if (!src || !pf) {
        free(src);
        free(pf);
        return hd_fail(HD_ERR_NOMEM, "out of memory");
    }
    src->ops = &hd_source_prefetch_ops;
    src->priv = pf;
    src->info = *hd_source_get_info(inner);
    pf->inner = inner;
    pf->end = HD_EOF;
    {
        size_t luma = (size_t)(src->info.width > 0 ? src->info.width : 640) *
                      (size_t)(src->info.height > 0 ? src->info.height : 480);
        size_t n = RING_BYTES / luma;
        pf->nslots = n < RING_MIN ? RING_MIN : n > RING_MAX ? RING_MAX : (int)n;
    }
    if (pthread_mutex_init(&pf->lock, NULL) != 0) {
        free(pf);
        free(src);
        return hd_fail(HD_ERR_INTERNAL, "cannot create a lock");
    }
    if (pthread_cond_init(&pf->cond, NULL) != 0) {
        pthread_mutex_destroy(&pf->lock);
        free(pf);
        free(src);
        return hd_fail(HD_ERR_INTERNAL, "cannot create a condition");
    }
    if (pthread_create(&pf->thread, NULL, reader, pf) != 0) {
        pthread_cond_destroy(&pf->cond);
        pthread_mutex_destroy(&pf->lock);
        free(pf);
        free(src);
        return hd_fail(HD_ERR_INTERNAL, "cannot start the reader thread");
    }
    pf->started = 1;
    *out = src;
    return HD_OK;
}

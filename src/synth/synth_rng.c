/* synth_rng.c - deterministic random numbers and noise for the clip generator.
 *
 * Our own generators (splitmix64 to seed, xoshiro256** to draw) rather than rand(), so a
 * seed means the same clip on every libc. */
#include <math.h>

#include "synth/synth_priv.h"

uint64_t sy_mix64(uint64_t z)
{
    z += 0x9e3779b97f4a7c15ULL;
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

void sy_rng_seed(sy_rng *r, uint64_t seed)
{
    uint64_t x = seed;
    for (int i = 0; i < 4; i++) {
        x += 0x9e3779b97f4a7c15ULL;
        r->s[i] = sy_mix64(x);
    }
}

static inline uint64_t rotl(uint64_t x, int k)
{
    return (x << k) | (x >> (64 - k));
}

uint64_t sy_next(sy_rng *r)
{
    uint64_t *s = r->s;
    uint64_t res = rotl(s[1] * 5, 7) * 9;
    uint64_t t = s[1] << 17;
    s[2] ^= s[0];
    s[3] ^= s[1];
    s[1] ^= s[2];
    s[0] ^= s[3];
    s[2] ^= t;
    s[3] = rotl(s[3], 45);
    return res;
}

double sy_uni(sy_rng *r)
{
    return (double)(sy_next(r) >> 11) * (1.0 / 9007199254740992.0);
}

double sy_range(sy_rng *r, double a, double b)
{
    return a + (b - a) * sy_uni(r);
}

int sy_int(sy_rng *r, int n)
{
    if (n <= 1)
        return 0;
    return (int)((sy_next(r) >> 33) % (uint64_t)n);
}

int sy_chance(sy_rng *r, double p)
{
    return sy_uni(r) < p;
}

double sy_normal(sy_rng *r)
{
    /* Box-Muller; one value per call keeps the stream simple. */
    double u1 = sy_uni(r), u2 = sy_uni(r);
    if (u1 < 1e-300)
        u1 = 1e-300;
    return sqrt(-2.0 * log(u1)) * cos(2.0 * SY_PI * u2);
}

int sy_pick(sy_rng *r, const double *w, int n)
{
    double sum = 0;
    for (int i = 0; i < n; i++)
        sum += w[i];
    double x = sy_uni(r) * sum;
    for (int i = 0; i < n; i++) {
        if (x < w[i])
            return i;
        x -= w[i];
    }
    return n - 1;
}

static inline uint32_t hash32(uint32_t x)
{
    x ^= x >> 16;
    x *= 0x7feb352dU;
    x ^= x >> 15;
    x *= 0x846ca68bU;
    x ^= x >> 16;
    return x;
}

float sy_hashf(uint32_t seed, int x, int y)
{
    uint32_t h = hash32(seed ^ hash32((uint32_t)x * 0x27d4eb2dU ^ hash32((uint32_t)y + 0x9e37U)));
    return (float)(h >> 8) * (1.0f / 16777216.0f);
}

static inline double fade(double t)
{
    return t * t * t * (t * (t * 6 - 15) + 10);
}

double sy_noise1(uint32_t seed, double t)
{
    double fl = floor(t);
    int i = (int)fl;
    double f = fade(t - fl);
    double a = sy_hashf(seed, i, 7), b = sy_hashf(seed, i + 1, 7);
    return 2.0 * (a + (b - a) * f) - 1.0;
}

float sy_vnoise(uint32_t seed, float x, float y)
{
    float fx = floorf(x), fy = floorf(y);
    int ix = (int)fx, iy = (int)fy;
    float u = (float)fade(x - fx), v = (float)fade(y - fy);
    float a = sy_hashf(seed, ix, iy), b = sy_hashf(seed, ix + 1, iy);
    float c = sy_hashf(seed, ix, iy + 1), d = sy_hashf(seed, ix + 1, iy + 1);
    float ab = a + (b - a) * u, cd = c + (d - c) * u;
    return ab + (cd - ab) * v;
}

float sy_fbm(uint32_t seed, float x, float y, int octaves)
{
    float sum = 0, amp = 0.5f, norm = 0;
    for (int o = 0; o < octaves; o++) {
        sum += amp * sy_vnoise(seed + (uint32_t)o * 1013U, x, y);
        norm += amp;
        amp *= 0.5f;
        x = x * 2.03f + 17.1f;
        y = y * 2.03f - 5.3f;
    }
    return sum / norm;
}

/* The tile is periodic so that lookups wrap without seams: octave k uses a lattice of
 * 8 << k cells across the tile. */
void sy_noise_build(sy_noise *nz, uint64_t seed)
{
    uint32_t s = (uint32_t)sy_mix64(seed);
    for (int y = 0; y < SY_NOISE_N; y++) {
        for (int x = 0; x < SY_NOISE_N; x++) {
            float sum = 0, amp = 0.5f, norm = 0;
            for (int o = 0; o < 4; o++) {
                int cells = 8 << o;
                float cs = (float)SY_NOISE_N / (float)cells;
                float gx = (float)x / cs, gy = (float)y / cs;
                int ix = (int)gx, iy = (int)gy;
                float u = (float)fade(gx - (float)ix), v = (float)fade(gy - (float)iy);
                uint32_t so = s + (uint32_t)o * 7919U;
                float a = sy_hashf(so, ix % cells, iy % cells);
                float b = sy_hashf(so, (ix + 1) % cells, iy % cells);
                float c = sy_hashf(so, ix % cells, (iy + 1) % cells);
                float d = sy_hashf(so, (ix + 1) % cells, (iy + 1) % cells);
                float ab = a + (b - a) * u, cd = c + (d - c) * u;
                sum += amp * (ab + (cd - ab) * v);
                norm += amp;
                amp *= 0.55f;
            }
            nz->v[y * SY_NOISE_N + x] = sum / norm;
        }
    }
}

/* synth_priv.h - the clip generator's private types: random numbers, the camera, the
 * static scene, the person, the scenario timeline and the rasterizer.
 *
 * Units: world millimetres, X along the stairs (the person faces +X, toes towards +X,
 * heels hanging over X < 0), Y up (tread top of the working step at Y = 0, nosing edge
 * at X = 0), Z away from the camera (near foot's mid-plane at Z = 0). Image coordinates
 * are continuous pixels of the upright frame: pixel (i, j) covers [i, i+1) x [j, j+1).
 */
#ifndef HEELDROP_SYNTH_PRIV_H
#define HEELDROP_SYNTH_PRIV_H

#include <stddef.h>
#include <stdint.h>

#include "heeldrop/synth.h"

#define SY_PI 3.14159265358979323846

/* ---- random numbers (synth_rng.c) ------------------------------------------------ */

/* xoshiro256** seeded through splitmix64: deterministic on every platform. */
typedef struct sy_rng {
    uint64_t s[4];
} sy_rng;

uint64_t sy_mix64(uint64_t x);
void sy_rng_seed(sy_rng *r, uint64_t seed);
uint64_t sy_next(sy_rng *r);
double sy_uni(sy_rng *r);                       /* [0, 1) */
double sy_range(sy_rng *r, double a, double b); /* [a, b) */
int sy_int(sy_rng *r, int n);                   /* 0 .. n-1 */
int sy_chance(sy_rng *r, double p);
double sy_normal(sy_rng *r);
/* Picks an index with the given weights (n entries, not all zero). */
int sy_pick(sy_rng *r, const double *w, int n);

/* Smooth 1-D noise in [-1, 1] (value noise with quintic fade), for sway and tremor. */
double sy_noise1(uint32_t seed, double t);

/* A periodic 2-D value-noise tile (fbm, values 0..1) sampled with bilinear filtering;
 * cheap enough for per-pixel use on moving objects. */
#define SY_NOISE_N 256
typedef struct sy_noise {
    float v[SY_NOISE_N * SY_NOISE_N];
} sy_noise;

void sy_noise_build(sy_noise *nz, uint64_t seed);

/* Bilinear lookup, x and y in tile texels (wrapping). */
static inline float sy_noise_at(const sy_noise *nz, float x, float y)
{
    int ix = (int)x - (x < 0 && x != (float)(int)x), iy = (int)y - (y < 0 && y != (float)(int)y);
    float u = x - (float)ix, v = y - (float)iy;
    ix &= SY_NOISE_N - 1;
    iy &= SY_NOISE_N - 1;
    int jx = (ix + 1) & (SY_NOISE_N - 1), jy = (iy + 1) & (SY_NOISE_N - 1);
    const float *r0 = nz->v + iy * SY_NOISE_N, *r1 = nz->v + jy * SY_NOISE_N;
    float ab = r0[ix] + (r0[jx] - r0[ix]) * u;
    float cd = r1[ix] + (r1[jx] - r1[ix]) * u;
    return ab + (cd - ab) * v;
}
/* Hash-based value noise (no tile), 0..1, for the one-off background render. */
float sy_vnoise(uint32_t seed, float x, float y);
float sy_fbm(uint32_t seed, float x, float y, int octaves);
float sy_hashf(uint32_t seed, int x, int y); /* 0..1 */

/* ---- small vector helpers --------------------------------------------------------- */

typedef struct sy_v3 {
    double x, y, z;
} sy_v3;

static inline sy_v3 sy_v3_make(double x, double y, double z)
{
    sy_v3 v = {x, y, z};
    return v;
}

/* ---- camera (synth_scene.c) ------------------------------------------------------- */

typedef struct sy_cam {
    int w, h;      /* image size (upright) */
    double fx, fy; /* focal lengths in pixels */
    double cx, cy; /* principal point */
    double r[9];   /* world -> camera rotation, rows are the camera's x, y, z axes */
    sy_v3 pos;     /* camera centre in the world */
    int mirror;    /* 1: image flipped left-right (the person faces the other way) */
} sy_cam;

/* Projects a world point. Returns 0 when it is behind the camera. */
int sy_project(const sy_cam *c, sy_v3 p, double *u, double *v);
/* World-space direction of the ray through image point (u, v) (not normalized). */
sy_v3 sy_ray_dir(const sy_cam *c, double u, double v);
/* The same camera for an image scaled by (sx, sy). */
sy_cam sy_cam_scaled(const sy_cam *c, int w, int h);
/* Point of the plane Z = z seen at image point (u, v). */
void sy_unproject_z(const sy_cam *c, double u, double v, double z, double *x, double *y);

/* ---- materials ------------------------------------------------------------------- */

enum {
    SY_TEX_PAINT = 0, /* flat paint with faint roller texture */
    SY_TEX_WOOD,      /* wood grain along dir */
    SY_TEX_PLANKS,    /* boards along dir with gaps and per-board tone */
    SY_TEX_TILES,     /* square or rectangular tiles with grout */
    SY_TEX_CARPET,    /* fine fibre noise */
    SY_TEX_CONCRETE,  /* blotchy grey noise with pits */
    SY_TEX_STRIPES,   /* wallpaper stripes along dir */
    SY_TEX_BRICK,     /* running-bond bricks */
    SY_TEX_RUBBER,    /* aerobic step mat: ribs along dir */
    SY_TEX_PLASTIC,   /* smooth, tiny speckle */
    SY_TEX_COUNT
};

typedef struct sy_mat {
    int tex;
    float c0[3], c1[3]; /* base and second colour (albedo 0..1) */
    float scale;        /* feature size, mm */
    float contrast;     /* 0..1 */
    float grout;        /* gap width for tiles, planks, bricks (mm) */
    int dir;            /* pattern runs along axis 0 or 1 of the face */
    uint32_t seed;
    float emissive; /* > 0: a light source (window), albedo ignored */
} sy_mat;

/* Colour of a material at face coordinates (a, b) in mm. */
void sy_mat_eval(const sy_mat *m, double a, double b, float rgb[3]);

/* Linear RGB 0..1 of hue h (degrees, any value), saturation s and value v (0..1). */
void sy_hsv(double h, double s, double v, float out[3]);

/* ---- static scene (synth_scene.c, synth_bg.c) ------------------------------------ */

#define SY_MAX_MATS 48
#define SY_MAX_BOXES 48
#define SY_MAX_DECALS 40

enum { SY_STEP_PLATFORM = 0, SY_STEP_SOLID, SY_STEP_WOOD, SY_STEP_BLOCK, SY_STEP_COUNT };

typedef struct sy_box {
    double lo[3], hi[3];
    int mat[6];      /* per face: -x, +x, -y, +y, -z, +z */
    int front;       /* 1: its -z face is in front of the person (step side faces) */
    int bevel;       /* 1: fake rounded front-top edge (nosing lip) */
    double strip_mm; /* > 0: a nosing strip of strip_mat along the front-top edge */
    int strip_mat;
} sy_box;

/* A flat polygon painted on the wall (plane 0) or the floor (plane 1). */
typedef struct sy_decal {
    int plane;
    int n;
    double pt[12][2]; /* wall: (X, Y); floor: (X, Z) */
    int mat;
    float relief;  /* > 0: shade its edges like a raised moulding */
    float edge_mm; /* width of the shaded edge */
} sy_decal;

typedef struct sy_light {
    sy_v3 key_dir;     /* unit vector towards the key light (window / sun) */
    float key[3];      /* key light colour * intensity */
    float amb[3];      /* ambient */
    sy_v3 lamp_pos;    /* a point lamp */
    float lamp[3];     /* its colour * intensity at 1 m */
    float shadow_soft; /* angular jitter of key shadow rays (radians) */
} sy_light;

/* ---- the person ------------------------------------------------------------------ */

enum { SY_FOOT_SHOE = 0, SY_FOOT_SOCK, SY_FOOT_BARE };
enum { SY_LEGWEAR_LONG = 0, SY_LEGWEAR_THREEQ, SY_LEGWEAR_SHORTS, SY_LEGWEAR_LEGGINGS };
enum {
    SY_FAB_PLAIN = 0,
    SY_FAB_NOISE,
    SY_FAB_DENIM,
    SY_FAB_STRIPE_RING,
    SY_FAB_STRIPE_SIDE,
    SY_FAB_RIB,
    SY_FAB_CHECK,
    SY_FAB_SKIN
};

typedef struct sy_fab {
    int pattern;
    float c0[3], c1[3];
    float scale; /* mm */
    float contrast;
    float gloss; /* 0..1 specular sheen */
    float off;   /* noise tile offset */
    float folds; /* depth of cloth folds (shading streaks along the leg), 0..1 */
} sy_fab;

#define SY_OUTLINE_MAX 96

/* A foot outline in foot coordinates: x forward from the heel's back (0..L), h up from
 * the sole bottom. */
typedef struct sy_outline {
    int n;
    float x[SY_OUTLINE_MAX], h[SY_OUTLINE_MAX];
} sy_outline;

typedef struct sy_person {
    double L;                /* foot length, mm */
    double ball_frac;        /* ball of the foot from the heel's back, share of L */
    double heel_round;       /* heel rounding radius: the heel point is this far from the back */
    double r_heel;           /* ball -> heel bottom point along the sole */
    double width;            /* foot width (z) */
    double collar_h;         /* ankle opening height */
    double sole_t;           /* sole band thickness (0 for socks and bare feet) */
    double ankle_x, ankle_h; /* ankle joint in foot coordinates */
    double shank_len, thigh_len;
    double w_ankle, w_calf, w_knee, w_thigh; /* leg widths */
    double calf_at;         /* calf widest at this share of the shank from the ankle */
    int foot_kind;          /* SY_FOOT_* */
    int legwear;            /* SY_LEGWEAR_* */
    double hem_t;           /* hem position: share of leg from ankle (0) to hip (1 + ...) */
    double sock_top;        /* sock top above the ankle, mm (0: no sock band visible) */
    double looseness;       /* trousers: extra half-width, mm */
    sy_outline upper, sole; /* shoe (or foot) silhouette and its sole band */
    sy_outline stripe;      /* a side logo / stripe / toe cap region (n = 0: none) */
    sy_fab f_upper, f_sole, f_stripe, f_sock, f_skin, f_trouser;
    float far_dim;    /* brightness factor of the far leg (it is in the near leg's shade) */
    int low_contrast; /* shoes or socks coloured like the step, the wall or the floor */
} sy_person;

/* ---- poses ---------------------------------------------------------------------- */

/* Where a foot is: the ball point on the sole, the forefoot's angle and the rear foot's
 * angle (radians, counter-clockwise in the X-Y plane; the rear foot's angle is -theta).
 * facing: +1 toes towards +X, -1 towards -X. */
typedef struct sy_foot_pose {
    double bx, by;
    double rot_f, rot_r;
    int facing;
    int on_step; /* 1: standing on the working step's tread */
    int present; /* 0: not in the scene at all */
} sy_foot_pose;

/* ---- scenario timeline (synth_script.c) ------------------------------------------ */

enum {
    SY_EASE_LINEAR = 0,
    SY_EASE_SMOOTH,
    SY_EASE_MINJERK,
    SY_EASE_TRAP,
    SY_EASE_BOUNCE,
    SY_EASE_HOLD
};

/* One piece of a scalar track: v0 -> v1 over [t0, t1] with a shape. */
typedef struct sy_seg {
    double t0, t1, v0, v1;
    int shape;
    double p[4]; /* shape parameters */
} sy_seg;

typedef struct sy_track {
    sy_seg *seg;
    int n, cap;
} sy_track;

/* Foot placements: between steps a foot stands somewhere; a swing moves it. */
enum {
    SY_PLACE_STEP = 0, /* on the working step, heel from its h track */
    SY_PLACE_AIR,      /* held off the step (knee flexed) relative to its step spot */
    SY_PLACE_LOWER,    /* flat on the level below the step at ball x = pos */
    SY_PLACE_FLOOR     /* flat on the floor at ball x = pos (walkers) */
};

typedef struct sy_place {
    int kind;
    double pos;  /* LOWER/FLOOR: ball x; AIR: back shift (mm, > 0 towards heels) */
    double up;   /* AIR: lift of the ball (mm) */
    double rot;  /* AIR: toe-down rotation of the whole foot (rad) */
    double rear; /* AIR: extra heel-up angle of the rear foot (rad) */
} sy_place;

/* A foot's plan: stands and swings in time order. */
typedef struct sy_fstep {
    double t0, t1; /* swing interval (t0 == t1: instant placement) */
    sy_place to;
    double arc; /* swing clearance, mm */
} sy_fstep;

typedef struct sy_fplan {
    sy_place start;
    sy_fstep *st;
    int n, cap;
} sy_fplan;

/* Something passing in front (occluder) or a walking person. */
enum { SY_OCC_TOWEL = 0, SY_OCC_BAG, SY_OCC_BOX };

typedef struct sy_occ {
    int kind;
    double tc0, tc1;            /* planned interval during which it covers the working heel */
    int cover;                  /* 1: placed to cover the heel; 0: a passing distractor */
    double t0, t1;              /* moving from p0 (at t0) through pm (at tm) to p1 (at t1) */
    double tm0, tm1;            /* held at pm between tm0 and tm1 */
    double p0[2], pm[2], p1[2]; /* centre (X, Y) at depth z */
    double z;
    double w, h; /* size, mm */
    sy_fab fab;
    uint32_t seed;
} sy_occ;

#define SY_MAX_OCC 16
#define SY_MAX_SETS 16

typedef struct sy_person_track {
    sy_track h[2]; /* heel height on the step, per foot (0 near, 1 far) */
    sy_fplan plan[2];
    sy_track pelvis_dx; /* sway / lean of the pelvis (mm) */
    double z[2];        /* depth of each foot's mid-plane */
    double spot[2];     /* ball x of each foot on the step */
    double reach;       /* hip-to-ankle distance when standing (knee straightness) */
    sy_track reach_k;   /* knee-bend factor over time (1 = as set) */
    double lean;        /* pelvis x relative to the balls */
    double sway_amp;    /* pelvis sway, mm */
    double heel_sway;   /* heel height sway, mm */
    uint32_t sway_seed;
    int pelvis_abs; /* 1: pelvis_dx is the absolute pelvis x (walkers) */
    int facing;
    int present;
} sy_person_track;

typedef struct sy_script {
    int kind;      /* HD_SYNTH_EXERCISE or HD_SYNTH_NOEXERCISE */
    char name[32]; /* scenario name for the settings */
    double duration;
    sy_person_track me;     /* the exerciser (or the one standing / stretching) */
    sy_person_track walker; /* someone walking past (present = 0 when none) */
    sy_track work;          /* working foot over time: 0 near, 1 far */
    int mirror;             /* 1: seen from the other side (heels hang to the other side) */
    int nocc;
    sy_occ occ[SY_MAX_OCC];
    int nsets;
    int set_foot[SY_MAX_SETS]; /* 0 near, 1 far, 2 alternating */
    int planned_reps;
    int planned_faults[HD_WARN_COUNT_SYNTH];
    int nplan; /* the planned reps: descent start and fault bits */
    double plan_t[128];
    unsigned plan_f[128];
    sy_track gain;     /* scene light gain over time (lamp switched) */
    double edge_cut_y; /* > -1e9: heel height at which the frame's bottom edge should cut */
    double edge_cut_x; /* ... at this heel x */
    double top_max, bottom_min; /* heel extremes of the script */
} sy_script;

void sy_track_free(sy_track *t);
int sy_track_add(sy_track *t, double t0, double t1, double v0, double v1, int shape);
sy_seg *sy_track_last(sy_track *t);
double sy_track_eval(const sy_track *t, double time);
double sy_track_end(const sy_track *t);
double sy_track_endv(const sy_track *t);
void sy_fplan_free(sy_fplan *p);
int sy_fplan_add(sy_fplan *p, double t0, double t1, sy_place to, double arc);
double sy_ease(int shape, const double *p, double u);

/* ---- the whole generator (synth_clip.c) ------------------------------------------ */

typedef struct sy_look {    /* per-clip camera and appearance choices beyond geometry */
    double render_scale;    /* internal render size / output size */
    float blur;             /* > 0: soften (3-tap) with this weight; < 0: sharpen */
    float vignette;         /* 0..0.5 darkening at the corners */
    float noise_y, noise_c; /* noise sigma (0..255 units) at mid grey */
    float noise_static;     /* share of the luma noise that stays the same every frame */
    float flicker;          /* mains flicker of fluorescent light, amplitude of the gain */
    float flicker_hz;       /* ... its frequency as sampled by the frame rate (aliased) */
    float target_luma;      /* auto-exposure target (0..1) */
    float exposure;         /* scene -> image gain */
    float wb[3];            /* white balance error */
    float ae_tau;           /* auto-exposure time constant after a light change (s) */
    float ae_amount;        /* share of a light change the exposure compensates */
    float shutter_s;        /* exposure time (motion blur) */
    float gamma;            /* tone curve exponent */
    float sat;              /* colour saturation factor */
} sy_look;

typedef struct sy_scene {
    int step_kind;
    double tread, riser, lip, board_t;
    int n_below, n_above;
    double z_side, z_back, z_wall, y_floor;
    int nmat;
    sy_mat mat[SY_MAX_MATS];
    int nbox;
    sy_box box[SY_MAX_BOXES];
    int ndecal;
    sy_decal decal[SY_MAX_DECALS];
    int wall_mat, floor_mat;
    sy_light light;
    sy_person person;
    sy_person walker;
    char desc_step[32], desc_wall[32], desc_floor[32], desc_light[32];
} sy_scene;

/* Internal buffers of the renderer (synth_render.c). */
typedef struct sy_canvas sy_canvas;

struct hd_synth {
    hd_synth_opts opts;
    uint64_t seed;
    hd_synth_info info;
    sy_scene scene;
    sy_script script;
    sy_cam cam; /* output (upright) camera */
    sy_look look;
    int64_t nframes;
    int64_t *pts;     /* per frame, microseconds */
    sy_noise *noise;  /* texture tile for moving things */
    sy_canvas *cv;    /* render buffers (created on first render) */
    uint8_t *yuv;     /* upright YUV420P output */
    uint8_t *yuv_rot; /* rotated copy for storage */
    char fab_desc[96];
};

/* Per-frame geometric state shared by truth and rendering. */
typedef struct sy_state {
    double t;
    sy_foot_pose foot[2]; /* exerciser near, far */
    sy_v3 hip[2], knee[2], ankle[2];
    sy_foot_pose wfoot[2]; /* walker */
    sy_v3 whip[2], wknee[2], wankle[2];
    int work; /* 0 near, 1 far */
    double gain;
} sy_state;

/* synth_scene.c */
void sy_scene_generate(hd_synth *s, sy_rng *r);
void sy_person_generate(sy_person *p, sy_rng *r, const sy_scene *sc, int walker);
int sy_camera_choose(hd_synth *s, sy_rng *r);
void sy_look_choose(hd_synth *s, sy_rng *r);

/* synth_script.c */
int sy_script_generate(hd_synth *s, sy_rng *r);
void sy_script_free(sy_script *sc);
/* Positions the occluders once the camera is known. */
void sy_script_place_occluders(hd_synth *s, sy_rng *r);
void sy_state_eval(const hd_synth *s, double t, sy_state *st);
/* Foot kinematics: pose of a foot standing on the step with heel height h (mm). */
void sy_step_pose(const sy_person *p, double spot, double h, sy_foot_pose *out, double *theta);
/* World point of foot coordinates (x from the heel back, h up) under a pose. */
void sy_foot_point(const sy_person *p, const sy_foot_pose *fp, double x, double h, double *wx,
                   double *wy);
/* The heel bottom point and the rear foot angle (radians, heel up positive). */
void sy_heel_point(const sy_person *p, const sy_foot_pose *fp, double *wx, double *wy,
                   double *theta);

/* synth_truth.c */
int sy_truth_frame(hd_synth *s, int64_t i, hd_synth_truth *t);

/* synth_render.c */
int sy_render_frame(hd_synth *s, int64_t i);
void sy_canvas_destroy(sy_canvas *cv);
/* Image-space polygons of what covers the working heel (for truth). */
int sy_cover_test(const hd_synth *s, const sy_state *st, double hu, double hv, int work,
                  double margin_px);

/* synth_bg.c: ray casting of the static scene */
typedef struct sy_hit {
    double t;
    sy_v3 p, n;
    int mat;
    int front;
    int box;     /* -1 floor/wall */
    double a, b; /* face coordinates */
    int bevel;
    int face;
} sy_hit;
int sy_scene_cast(const sy_scene *sc, sy_v3 o, sy_v3 d, int skip_front, sy_hit *hit);
int sy_scene_occluded(const sy_scene *sc, sy_v3 o, sy_v3 d, double tmax);
/* Colour of a static surface point; keyshare (may be NULL) gets the share of the light
 * that comes from the key light (what a shadow cast on it takes away). */
void sy_shade_static(const sy_scene *sc, const sy_hit *h, sy_v3 eye, uint32_t sample, float rgb[3],
                     float *keyshare);

#endif

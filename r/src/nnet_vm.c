/*
 * Fast, bit-identical refit of R's nnet::nnet() for one architecture:
 * one hidden layer of logistic units, one logistic output unit, least-squares error
 * (entropy = FALSE, linout = FALSE, softmax = FALSE, skip = FALSE), unit case weights,
 * one weight-decay constant, no mask.
 *
 * The error function and its gradient follow the published back-propagation of
 * Ripley (1996), *Pattern Recognition and Neural Networks*, ch. 5, and Venables & Ripley
 * (2002), *MASS*, 4th ed., sec. 8.10, with the weights stored in nnet's order (by
 * destination unit; for each unit the bias first, then its sources in order).
 *
 * The minimiser is the variable-metric (BFGS) method of Nash (1990), *Compact Numerical
 * Methods for Computers*, 2nd ed., Algorithm 21, as R 4.2's vmmin (src/main/optim.c) runs
 * it for nnet (reimplemented from the algorithm, not copied): acceptable-point line search
 * with step reduction 0.2 and acceptance tolerance 1e-4, "no change" test against 10 + x,
 * restarts from the identity when the search is uphill, the line search makes no progress,
 * the curvature test fails or 2n gradients have passed since the last restart, and stops on
 * abstol / reltol / maxit.
 *
 * Every floating-point operation is the one R's code does, in the same order, so that the
 * result is identical to nnet's bit for bit; only the storage of the symmetric inverse
 * Hessian approximation B differs: its lower triangle is kept in square tiles, each stored
 * contiguously column by column, and both products B v needed per iteration are formed tile
 * by tile (each tile read once, from cache) in an order that keeps, for every element of
 * the result, the left-to-right order of its sum over j = 0..n-1.  The rank-two update of
 * B is fused with the next iteration's product B g.
 *
 * Floating-point contraction (fused multiply-add) would change results; it is switched off
 * here, and the build reports itself inexact (the R code then uses nnet) if compiled with
 * -ffast-math or with excess-precision evaluation.
 */

#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC optimize("fp-contract=off")
#pragma GCC optimize("O3")
#endif
#if defined(__clang__)
#pragma STDC FP_CONTRACT OFF
#endif

#include <R.h>
#include <Rinternals.h>
#include <float.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "nnet_vm.h"

/* ------------------------------------------------------------------ the network */

typedef struct {
    int nrow;          /* training rows */
    int p;             /* inputs */
    int size;          /* hidden units */
    int nw;            /* weights = (p + 1) * size + size + 1 */
    const double *xr;  /* inputs, row-major nrow x p */
    const double *y;   /* targets, nrow */
    double decay;
    double *hid;       /* hidden outputs of one row, size */
} Net;

static double logistic(double s)
{
    /* nnet clips the logistic at |s| > 15 */
    if (s < -15.0) return 0.0;
    if (s > 15.0) return 1.0;
    return 1.0 / (1.0 + exp(-s));
}

/* forward pass for row r; fills net->hid, returns the output */
static double forward(const Net *net, const double *w, int r)
{
    const int p = net->p, size = net->size;
    const double *x = net->xr + (size_t) r * p;
    double *hid = net->hid;
    for (int h = 0; h < size; h++) {
        const double *wh = w + (size_t) h * (p + 1);
        double s = 0.0;
        s += wh[0];                    /* bias unit: output 1.0 */
        for (int k = 0; k < p; k++) s += x[k] * wh[k + 1];
        hid[h] = logistic(s);
    }
    const double *wo = w + (size_t) size * (p + 1);
    double s = 0.0;
    s += wo[0];
    for (int h = 0; h < size; h++) s += hid[h] * wo[h + 1];
    return logistic(s);
}

static double decay_term(const Net *net, const double *w)
{
    double s = 0.0;
    for (int i = 0; i < net->nw; i++) s += net->decay * w[i] * w[i];
    return s;
}

static double fn(const Net *net, const double *w)
{
    double tot = 0.0;
    for (int r = 0; r < net->nrow; r++) {
        double dif = forward(net, w, r) - net->y[r];
        tot += dif * dif;
    }
    return tot + decay_term(net, w);
}

static void gr(const Net *net, const double *w, double *df)
{
    const int p = net->p, size = net->size, nw = net->nw;
    const size_t ob = (size_t) size * (p + 1);
    for (int i = 0; i < nw; i++) df[i] = 2 * net->decay * w[i];
    for (int r = 0; r < net->nrow; r++) {
        double o = forward(net, w, r);
        const double *x = net->xr + (size_t) r * p;
        const double *hid = net->hid;
        /* output unit: derivative of (o - y)^2 through the logistic */
        double eo = 2 * (o - net->y[r]);
        eo *= o * (1.0 - o);
        df[ob] += eo * 1.0;
        for (int h = 0; h < size; h++) df[ob + 1 + h] += eo * hid[h];
        /* hidden units */
        for (int h = size - 1; h >= 0; h--) {
            double eh = 0.0;
            eh += eo * w[ob + 1 + h];
            eh *= hid[h] * (1.0 - hid[h]);
            double *dh = df + (size_t) h * (p + 1);
            dh[0] += eh * 1.0;
            for (int k = 0; k < p; k++) dh[k + 1] += eh * x[k];
        }
    }
}

/* ------------------------------------------------------------------ tiled B */

#define TILE 32

typedef struct {
    int n, nt;        /* order, tiles per side */
    size_t *off;      /* offset of tile (I, J), J <= I, at off[I * (I + 1) / 2 + J] */
    double *a;        /* tiles; tile (I, J): rows of I x cols of J, column-major; the
                         diagonal tiles are stored full (both triangles, mirrored) */
} TiledB;

static int tile_len(const TiledB *B, int I)
{
    int r = B->n - I * TILE;
    return r < TILE ? r : TILE;
}

static int tiled_alloc(TiledB *B, int n)
{
    B->n = n;
    B->nt = (n + TILE - 1) / TILE;
    size_t ntiles = (size_t) B->nt * (B->nt + 1) / 2;
    B->off = (size_t *) malloc(ntiles * sizeof(size_t));
    if (!B->off) return 0;
    size_t pos = 0;
    for (int I = 0; I < B->nt; I++)
        for (int J = 0; J <= I; J++) {
            B->off[(size_t) I * (I + 1) / 2 + J] = pos;
            pos += (size_t) tile_len(B, I) * tile_len(B, J);
        }
    B->a = (double *) malloc(pos * sizeof(double));
    if (!B->a) { free(B->off); B->off = NULL; return 0; }
    return 1;
}

static void tiled_free(TiledB *B)
{
    free(B->a);
    free(B->off);
    B->a = NULL;
    B->off = NULL;
}

static double *tile(const TiledB *B, int I, int J)
{
    return B->a + B->off[(size_t) I * (I + 1) / 2 + J];
}

static void tiled_identity(TiledB *B)
{
    for (int I = 0; I < B->nt; I++) {
        int ri = tile_len(B, I);
        for (int J = 0; J <= I; J++) {
            int cj = tile_len(B, J);
            double *T = tile(B, I, J);
            memset(T, 0, sizeof(double) * (size_t) ri * cj);
            if (I == J)
                for (int k = 0; k < ri; k++) T[(size_t) k * ri + k] = 1.0;
        }
    }
}

/*
 * The products below are out[i] = 0.0 (+|-)= B(i, j) * v[j] for j = 0..n-1 in order, for
 * every i ("-=" when sub).  With upd, every element of B is first updated with R's rank-two
 * formula, for the lower element (i >= j):
 *   B(i, j) += (D2 * t[i] * t[j] - X[i] * t[j] - t[i] * X[j]) / D1   (Dt[i] = D2 * t[i])
 * and the product is formed with the updated B.
 *
 * Order: tiles are visited row of tiles by row of tiles, I = 0..nt-1, and in each row
 * J = 0..I.  For a target i in tile row K its terms j in a tile column J < K come from tile
 * (K, J) (row K, J increasing: use "a"), the terms j in K from the diagonal tile (K, K) (end
 * of row K), the terms j in a tile M > K from tile (M, K) transposed (rows M = K+1.. in
 * order: use "b").  Inside a tile the terms are taken with j increasing, so every out[i]
 * is the sum R forms, term by term in the same order.
 */

/* off-diagonal tile (I, J), I > J: ri rows (I), cj columns (J) */
static inline __attribute__((always_inline)) void
tile_offdiag(double *restrict T, const int ri, const int cj,
             const double *restrict vI, const double *restrict vJ,
             double *restrict outI, double *restrict outJ, const int sub, const int upd,
             const double *restrict DtI, const double *restrict tI,
             const double *restrict XI, const double *restrict tJ,
             const double *restrict XJ, const double D1)
{
    /* update, and use a: targets i in I, terms j in J */
    for (int jj = 0; jj < cj; jj++) {
        double *restrict col = T + (size_t) jj * ri;
        const double vj = vJ[jj];
        if (upd) {
            const double tj = tJ[jj], Xj = XJ[jj];
            for (int ii = 0; ii < ri; ii++) {
                const double val = col[ii] + (DtI[ii] * tj - XI[ii] * tj - tI[ii] * Xj) / D1;
                col[ii] = val;
                if (sub) outI[ii] -= val * vj;
                else outI[ii] += val * vj;
            }
        } else if (sub) {
            for (int ii = 0; ii < ri; ii++) outI[ii] -= col[ii] * vj;
        } else {
            for (int ii = 0; ii < ri; ii++) outI[ii] += col[ii] * vj;
        }
    }
    /* use b: targets j in J, terms i in I (i increasing), four targets at a time */
    int jj = 0;
    for (; jj + 4 <= cj; jj += 4) {
        const double *c0 = T + (size_t) jj * ri, *c1 = c0 + ri, *c2 = c1 + ri, *c3 = c2 + ri;
        double s0 = outJ[jj], s1 = outJ[jj + 1], s2 = outJ[jj + 2], s3 = outJ[jj + 3];
        if (sub)
            for (int ii = 0; ii < ri; ii++) {
                const double vi = vI[ii];
                s0 -= c0[ii] * vi;
                s1 -= c1[ii] * vi;
                s2 -= c2[ii] * vi;
                s3 -= c3[ii] * vi;
            }
        else
            for (int ii = 0; ii < ri; ii++) {
                const double vi = vI[ii];
                s0 += c0[ii] * vi;
                s1 += c1[ii] * vi;
                s2 += c2[ii] * vi;
                s3 += c3[ii] * vi;
            }
        outJ[jj] = s0;
        outJ[jj + 1] = s1;
        outJ[jj + 2] = s2;
        outJ[jj + 3] = s3;
    }
    for (; jj < cj; jj++) {
        const double *c0 = T + (size_t) jj * ri;
        double s0 = outJ[jj];
        if (sub)
            for (int ii = 0; ii < ri; ii++) s0 -= c0[ii] * vI[ii];
        else
            for (int ii = 0; ii < ri; ii++) s0 += c0[ii] * vI[ii];
        outJ[jj] = s0;
    }
}

/* diagonal tile (I, I), stored full: the lower value is computed once and mirrored */
static inline __attribute__((always_inline)) void
tile_diag(double *restrict T, const int ri, const double *restrict vI,
          double *restrict outI, const int sub, const int upd, const double *restrict DtI,
          const double *restrict tI, const double *restrict XI, const double D1)
{
    if (upd)
        for (int jj = 0; jj < ri; jj++)
            for (int ii = jj; ii < ri; ii++) {
                const double val = T[(size_t) jj * ri + ii] +
                    (DtI[ii] * tI[jj] - XI[ii] * tI[jj] - tI[ii] * XI[jj]) / D1;
                T[(size_t) jj * ri + ii] = val;
                T[(size_t) ii * ri + jj] = val;
            }
    for (int jj = 0; jj < ri; jj++) {
        const double vj = vI[jj];
        const double *col = T + (size_t) jj * ri;
        if (sub)
            for (int ii = 0; ii < ri; ii++) outI[ii] -= col[ii] * vj;
        else
            for (int ii = 0; ii < ri; ii++) outI[ii] += col[ii] * vj;
    }
}

#if defined(__GNUC__) && defined(__x86_64__)
#define HAVE_AVX2_SWEEPS 1
#include <immintrin.h>

/*
 * A full off-diagonal tile (TILE x TILE) with AVX2 (no FMA: separate multiply and add, so
 * every lane does R's operations).  Use a keeps the 32 targets of I in eight registers; use b
 * takes four targets of J at a time, transposing 4 x 4 blocks of the tile so that one vector
 * holds the four targets' terms for one i, and subtracts (adds) them in i order.
 */
/* rows ii..ii+3 of the four columns starting at c (leading dimension TILE): Wm holds the
   four columns' elements of row ii + m */
#define AVX2_TRANSPOSE4(c, ii, W0, W1, W2, W3)                                               \
    do {                                                                                     \
        __m256d r0_ = _mm256_loadu_pd((c) + (ii)), r1_ = _mm256_loadu_pd((c) + TILE + (ii)), \
                r2_ = _mm256_loadu_pd((c) + 2 * TILE + (ii)),                                \
                r3_ = _mm256_loadu_pd((c) + 3 * TILE + (ii));                                \
        __m256d t0_ = _mm256_unpacklo_pd(r0_, r1_), t1_ = _mm256_unpackhi_pd(r0_, r1_),      \
                t2_ = _mm256_unpacklo_pd(r2_, r3_), t3_ = _mm256_unpackhi_pd(r2_, r3_);      \
        W0 = _mm256_permute2f128_pd(t0_, t2_, 0x20);                                         \
        W1 = _mm256_permute2f128_pd(t1_, t3_, 0x20);                                         \
        W2 = _mm256_permute2f128_pd(t0_, t2_, 0x31);                                         \
        W3 = _mm256_permute2f128_pd(t1_, t3_, 0x31);                                         \
    } while (0)

/* acc = acc -/+ w * v (a separate multiply, then the subtraction or addition) */
#define AVX2_STEP(SUB, acc, w, v)                                                            \
    acc = (SUB) ? _mm256_sub_pd(acc, _mm256_mul_pd(w, v)) : _mm256_add_pd(acc, _mm256_mul_pd(w, v))

#define AVX2_OFFDIAG_BODY(SUB, UPD)                                                          \
    do {                                                                                     \
        __m256d A[TILE / 4];                                                                 \
        for (int q = 0; q < TILE / 4; q++) A[q] = _mm256_loadu_pd(outI + 4 * q);             \
        const __m256d d1 = _mm256_set1_pd(D1);                                               \
        for (int jj = 0; jj < TILE; jj++) {                                                  \
            double *col = T + (size_t) jj * TILE;                                            \
            const __m256d vj = _mm256_set1_pd(vJ[jj]);                                      \
            if (UPD) {                                                                       \
                const __m256d tj = _mm256_set1_pd(tJ[jj]), Xj = _mm256_set1_pd(XJ[jj]);      \
                for (int q = 0; q < TILE / 4; q++) {                                         \
                    __m256d num = _mm256_sub_pd(                                             \
                        _mm256_sub_pd(_mm256_mul_pd(_mm256_loadu_pd(DtI + 4 * q), tj),       \
                                      _mm256_mul_pd(_mm256_loadu_pd(XI + 4 * q), tj)),       \
                        _mm256_mul_pd(_mm256_loadu_pd(tI + 4 * q), Xj));                     \
                    __m256d c = _mm256_add_pd(_mm256_loadu_pd(col + 4 * q),                  \
                                              _mm256_div_pd(num, d1));                       \
                    _mm256_storeu_pd(col + 4 * q, c);                                        \
                    A[q] = SUB ? _mm256_sub_pd(A[q], _mm256_mul_pd(c, vj))                   \
                               : _mm256_add_pd(A[q], _mm256_mul_pd(c, vj));                  \
                }                                                                            \
            } else {                                                                         \
                for (int q = 0; q < TILE / 4; q++) {                                         \
                    __m256d c = _mm256_loadu_pd(col + 4 * q);                                \
                    A[q] = SUB ? _mm256_sub_pd(A[q], _mm256_mul_pd(c, vj))                   \
                               : _mm256_add_pd(A[q], _mm256_mul_pd(c, vj));                  \
                }                                                                            \
            }                                                                                \
        }                                                                                    \
        for (int q = 0; q < TILE / 4; q++) _mm256_storeu_pd(outI + 4 * q, A[q]);             \
        for (int G = 0; G < TILE / 4; G += 2) {                                              \
            const double *c0 = T + (size_t) (4 * G) * TILE, *c4 = c0 + 4 * TILE;             \
            __m256d acc = _mm256_loadu_pd(outJ + 4 * G);                                     \
            __m256d acd = _mm256_loadu_pd(outJ + 4 * G + 4);                                 \
            for (int ii = 0; ii < TILE; ii += 4) {                                           \
                __m256d w0, w1, w2, w3, x0, x1, x2, x3;                                      \
                AVX2_TRANSPOSE4(c0, ii, w0, w1, w2, w3);                                     \
                AVX2_TRANSPOSE4(c4, ii, x0, x1, x2, x3);                                     \
                const __m256d v0 = _mm256_set1_pd(vI[ii]), v1 = _mm256_set1_pd(vI[ii + 1]),  \
                              v2 = _mm256_set1_pd(vI[ii + 2]), v3 = _mm256_set1_pd(vI[ii + 3]); \
                AVX2_STEP(SUB, acc, w0, v0);                                                 \
                AVX2_STEP(SUB, acd, x0, v0);                                                 \
                AVX2_STEP(SUB, acc, w1, v1);                                                 \
                AVX2_STEP(SUB, acd, x1, v1);                                                 \
                AVX2_STEP(SUB, acc, w2, v2);                                                 \
                AVX2_STEP(SUB, acd, x2, v2);                                                 \
                AVX2_STEP(SUB, acc, w3, v3);                                                 \
                AVX2_STEP(SUB, acd, x3, v3);                                                 \
            }                                                                                \
            _mm256_storeu_pd(outJ + 4 * G, acc);                                             \
            _mm256_storeu_pd(outJ + 4 * G + 4, acd);                                         \
        }                                                                                    \
    } while (0)

__attribute__((target("avx2"))) static void
tile_full_avx2(double *T, const double *vI, const double *vJ, double *outI, double *outJ,
               int sub, int upd, const double *DtI, const double *tI, const double *XI,
               const double *tJ, const double *XJ, double D1)
{
    if (upd) AVX2_OFFDIAG_BODY(1, 1);       /* the update is always followed by -B g */
    else if (sub) AVX2_OFFDIAG_BODY(1, 0);
    else AVX2_OFFDIAG_BODY(0, 0);
}
#else
#define HAVE_AVX2_SWEEPS 0
#endif

static inline __attribute__((always_inline)) void
tiled_sweep(TiledB *B, const double *v, double *out, const int sub, const int upd,
            const double *Dt, const double *t, const double *X, const double D1,
            const int avx2)
{
    for (int i = 0; i < B->n; i++) out[i] = 0.0;
    for (int I = 0; I < B->nt; I++) {
        /* only the last row/column of tiles can be short: J < I has TILE columns */
        const int ri = tile_len(B, I), i0 = I * TILE;
        const double *DtI = upd ? Dt + i0 : NULL, *tI = upd ? t + i0 : NULL,
            *XI = upd ? X + i0 : NULL;
        for (int J = 0; J < I; J++) {
            const int j0 = J * TILE;
            const double *tJ = upd ? t + j0 : NULL, *XJ = upd ? X + j0 : NULL;
#if HAVE_AVX2_SWEEPS
            if (avx2 && ri == TILE)
                tile_full_avx2(tile(B, I, J), v + i0, v + j0, out + i0, out + j0, sub, upd,
                               DtI, tI, XI, tJ, XJ, D1);
            else
#endif
            if (ri == TILE)
                tile_offdiag(tile(B, I, J), TILE, TILE, v + i0, v + j0, out + i0, out + j0,
                             sub, upd, DtI, tI, XI, tJ, XJ, D1);
            else
                tile_offdiag(tile(B, I, J), ri, TILE, v + i0, v + j0, out + i0, out + j0,
                             sub, upd, DtI, tI, XI, tJ, XJ, D1);
        }
        if (ri == TILE)
            tile_diag(tile(B, I, I), TILE, v + i0, out + i0, sub, upd, DtI, tI, XI, D1);
        else
            tile_diag(tile(B, I, I), ri, v + i0, out + i0, sub, upd, DtI, tI, XI, D1);
    }
}

/* The three products, compiled for the baseline instruction set and, on x86-64, for AVX2
   (chosen at run time).  Neither enables FMA: each lane does the same IEEE operations. */
#define DEFINE_SWEEPS(SUFFIX, ATTR, AVX2)                                                       \
    ATTR static void neg_mult_##SUFFIX(TiledB *B, const double *g, double *t)            \
    {                                                                                     \
        tiled_sweep(B, g, t, 1, 0, NULL, NULL, NULL, 1.0, AVX2);                              \
    }                                                                                     \
    ATTR static void mult_##SUFFIX(TiledB *B, const double *c, double *X)                \
    {                                                                                     \
        tiled_sweep(B, c, X, 0, 0, NULL, NULL, NULL, 1.0, AVX2);                              \
    }                                                                                     \
    ATTR static void update_neg_mult_##SUFFIX(TiledB *B, const double *Dt, const double *t, \
                                              const double *X, double D1, const double *g, \
                                              double *tnext)                              \
    {                                                                                     \
        tiled_sweep(B, g, tnext, 1, 1, Dt, t, X, D1, AVX2);                                \
    }

DEFINE_SWEEPS(base, , 0)

#if HAVE_AVX2_SWEEPS
DEFINE_SWEEPS(avx2, __attribute__((target("avx2"))), 1)
#endif

typedef struct {
    void (*neg_mult)(TiledB *, const double *, double *);
    void (*mult)(TiledB *, const double *, double *);
    void (*update_neg_mult)(TiledB *, const double *, const double *, const double *, double,
                            const double *, double *);
} Sweeps;

static Sweeps choose_sweeps(int simd)
{
    Sweeps s = {neg_mult_base, mult_base, update_neg_mult_base};
#if HAVE_AVX2_SWEEPS
    if (simd) {
        __builtin_cpu_init();
        if (__builtin_cpu_supports("avx2")) {
            s.neg_mult = neg_mult_avx2;
            s.mult = mult_avx2;
            s.update_neg_mult = update_neg_mult_avx2;
        }
    }
#else
    (void) simd;
#endif
    return s;
}

/* ------------------------------------------------------------------ the minimiser */

#define STEPREDN 0.2
#define ACCTOL 0.0001
#define RELTEST 10.0

typedef struct {
    double *b;     /* weights in, fitted weights out */
    double Fmin;
    int fail;
    int fncount, grcount;
    int restarts;  /* resets of B to the identity after the first iteration */
    int stalls;    /* line searches that made no progress (or met abstol / reltol) */
} VmResult;

/* returns 0 on success, 1 when the initial value is not finite, 2 when out of memory */
static int vm_minimise(const Net *net, VmResult *res, int maxit, double abstol,
                       double reltol, int simd)
{
    const int n = net->nw;
    double *b = res->b;
    if (maxit <= 0) {
        res->fail = 0;
        res->Fmin = fn(net, b);
        res->fncount = res->grcount = 0;
        res->restarts = res->stalls = 0;
        return 0;
    }
    double *g = (double *) malloc(sizeof(double) * (size_t) n);
    double *t = (double *) malloc(sizeof(double) * (size_t) n);
    double *X = (double *) malloc(sizeof(double) * (size_t) n);
    double *c = (double *) malloc(sizeof(double) * (size_t) n);
    double *Dt = (double *) malloc(sizeof(double) * (size_t) n);
    TiledB B = {0, 0, NULL, NULL};
    const Sweeps sw = choose_sweeps(simd);
    int rc = 0;
    if (!g || !t || !X || !c || !Dt || !tiled_alloc(&B, n)) {
        rc = 2;
        goto done;
    }

    double f = fn(net, b);
    if (!R_FINITE(f)) {
        rc = 1;
        goto done;
    }
    double Fmin = f;
    int funcount = 1, gradcount = 1, iter = 0, count = 0, ilast;
    gr(net, b, g);
    iter++;
    ilast = gradcount;
    /* t already holds -B g for the current B and g (set after each update) */
    int t_ready = 0, resets = 0, stalls = 0;

    do {
        if (ilast == gradcount) {
            resets++;
            tiled_identity(&B);
            t_ready = 0;
        }
        for (int i = 0; i < n; i++) {
            X[i] = b[i];
            c[i] = g[i];
        }
        if (!t_ready) sw.neg_mult(&B, g, t);
        t_ready = 0;
        double gradproj = 0.0;
        for (int i = 0; i < n; i++) gradproj += t[i] * g[i];

        if (gradproj < 0.0) {   /* downhill */
            double steplength = 1.0;
            int accpoint = 0;
            do {
                count = 0;
                for (int i = 0; i < n; i++) {
                    b[i] = X[i] + steplength * t[i];
                    if (RELTEST + X[i] == RELTEST + b[i]) count++;
                }
                if (count < n) {
                    f = fn(net, b);
                    funcount++;
                    accpoint = R_FINITE(f) && (f <= Fmin + gradproj * steplength * ACCTOL);
                    if (!accpoint) steplength *= STEPREDN;
                }
            } while (!(count == n || accpoint));
            int enough = (f > abstol) && fabs(f - Fmin) > reltol * (fabs(Fmin) + reltol);
            if (!enough) {
                count = n;
                Fmin = f;
            }
            if (count < n) {    /* progress */
                Fmin = f;
                gr(net, b, g);
                gradcount++;
                iter++;
                double D1 = 0.0;
                for (int i = 0; i < n; i++) {
                    t[i] = steplength * t[i];
                    c[i] = g[i] - c[i];
                    D1 += t[i] * c[i];
                }
                if (D1 > 0) {
                    sw.mult(&B, c, X);
                    double D2 = 0.0;
                    for (int i = 0; i < n; i++) D2 += X[i] * c[i];
                    D2 = 1.0 + D2 / D1;
                    for (int i = 0; i < n; i++) Dt[i] = D2 * t[i];
                    /* the update, and -B g for the next iteration into c (not needed
                       any more: the next iteration starts with c = g) */
                    sw.update_neg_mult(&B, Dt, t, X, D1, g, c);
                    memcpy(t, c, sizeof(double) * (size_t) n);
                    t_ready = 1;
                } else {
                    ilast = gradcount;
                }
            } else {            /* no progress */
                stalls++;
                if (ilast < gradcount) {
                    count = 0;
                    ilast = gradcount;
                }
            }
        } else {                /* uphill: restart unless just restarted */
            count = 0;
            if (ilast == gradcount) count = n;
            else ilast = gradcount;
        }
        if (iter >= maxit) break;
        if (gradcount - ilast > 2 * n) ilast = gradcount;   /* periodic restart */
    } while (count != n || ilast != gradcount);

    res->Fmin = Fmin;
    res->fail = (iter < maxit) ? 0 : 1;
    res->fncount = funcount;
    res->grcount = gradcount;
    res->restarts = resets - 1;
    res->stalls = stalls;
done:
    free(g);
    free(t);
    free(X);
    free(c);
    free(Dt);
    tiled_free(&B);
    return rc;
}

/* ------------------------------------------------------------------ R entry points */

/* TRUE when this build does IEEE double arithmetic operation by operation (no fast-math,
   no excess precision), the condition for results identical to nnet's */
SEXP pyradiogen_nnet_vm_exact(void)
{
    int ok = 1;
#if defined(__FAST_MATH__)
    ok = 0;
#endif
#if !defined(FLT_EVAL_METHOD) || FLT_EVAL_METHOD != 0
    ok = 0;
#endif
    return ScalarLogical(ok);
}

/*
 * x: double matrix nrow x p (column-major, as R stores it); y: double, nrow;
 * size, maxit: integer; decay, abstol, reltol: double; wts: double, initial weights;
 * simd: logical, whether the AVX2 build of the matrix products may be used (the results are
 * the same; FALSE exercises the baseline build).
 * Returns list(wts, value, convergence, counts = c(function evaluations, gradient
 * evaluations, restarts of B after the first iteration, line searches without progress)).
 */
SEXP pyradiogen_nnet_vm_fit(SEXP x, SEXP y, SEXP size, SEXP decay, SEXP wts, SEXP maxit,
                            SEXP abstol, SEXP reltol, SEXP simd)
{
    if (!isReal(x) || !isReal(y) || !isReal(wts) || !isReal(decay) || !isReal(abstol) ||
        !isReal(reltol))
        error("nnet_vm_fit: x, y, wts, decay, abstol and reltol must be double");
    SEXP dim = getAttrib(x, R_DimSymbol);
    if (!isInteger(dim) || LENGTH(dim) != 2) error("nnet_vm_fit: x must be a matrix");
    const int nrow = INTEGER(dim)[0], p = INTEGER(dim)[1];
    const int sz = asInteger(size), mit = asInteger(maxit);
    if (sz == NA_INTEGER || sz < 1) error("nnet_vm_fit: size must be >= 1");
    if (mit == NA_INTEGER) error("nnet_vm_fit: maxit must not be NA");
    if (XLENGTH(y) != nrow) error("nnet_vm_fit: length(y) must equal nrow(x)");
    const double nwd = ((double) p + 1) * sz + sz + 1;
    if (nwd > 46340) error("nnet_vm_fit: too many weights");
    const int nw = (int) nwd;
    if (XLENGTH(wts) != nw) error("nnet_vm_fit: wts must have length %d", nw);

    double *xr = (double *) R_alloc((size_t) nrow * (p > 0 ? p : 1), sizeof(double));
    const double *xc = REAL(x);
    for (int r = 0; r < nrow; r++)
        for (int k = 0; k < p; k++) xr[(size_t) r * p + k] = xc[(size_t) k * nrow + r];
    Net net;
    net.nrow = nrow;
    net.p = p;
    net.size = sz;
    net.nw = nw;
    net.xr = xr;
    net.y = REAL(y);
    net.decay = REAL(decay)[0];
    net.hid = (double *) R_alloc((size_t) sz, sizeof(double));

    SEXP out = PROTECT(allocVector(VECSXP, 4));
    SEXP w = allocVector(REALSXP, nw);
    SET_VECTOR_ELT(out, 0, w);
    memcpy(REAL(w), REAL(wts), sizeof(double) * (size_t) nw);
    VmResult res = {NULL, 0.0, 0, 0, 0, 0, 0};
    res.b = REAL(w);
    int rc = vm_minimise(&net, &res, mit, REAL(abstol)[0], REAL(reltol)[0],
                         asLogical(simd) == TRUE);
    if (rc == 1) error("initial value in 'vmmin' is not finite");
    if (rc == 2) error("nnet_vm_fit: cannot allocate the %d x %d inverse Hessian", nw, nw);
    SET_VECTOR_ELT(out, 1, ScalarReal(res.Fmin));
    SET_VECTOR_ELT(out, 2, ScalarInteger(res.fail));
    SEXP counts = allocVector(INTSXP, 4);
    SET_VECTOR_ELT(out, 3, counts);
    INTEGER(counts)[0] = res.fncount;
    INTEGER(counts)[1] = res.grcount;
    INTEGER(counts)[2] = res.restarts;
    INTEGER(counts)[3] = res.stalls;
    SEXP nms = PROTECT(allocVector(STRSXP, 4));
    SET_STRING_ELT(nms, 0, mkChar("wts"));
    SET_STRING_ELT(nms, 1, mkChar("value"));
    SET_STRING_ELT(nms, 2, mkChar("convergence"));
    SET_STRING_ELT(nms, 3, mkChar("counts"));
    setAttrib(out, R_NamesSymbol, nms);
    UNPROTECT(2);
    return out;
}

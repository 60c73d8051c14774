/* Two-sample equal-variance t statistics of every column (ClassifyR-style ranking).
 *
 * The same floating-point operations, in the same order, as the R definition
 *   a <- x[rows_a, ]; ma <- colMeans(a); va <- colSums(sweep(a, 2, ma)^2) / (na - 1)
 *   (and b likewise); sp <- ((na - 1) * va + (nb - 1) * vb) / (na + nb - 2)
 *   t <- (ma - mb) / sqrt(sp * (1 / na + 1 / nb))
 * colMeans and colSums accumulate in long double as R's do (where R has no long double,
 * R/classifyr.R evaluates the R expression instead), x^2 is x * x as in R's arithmetic, and
 * every other step is one double operation, so the statistics are identical to R's (tests/testthat/test-classifyr.R compares them with identical()), computed without
 * forming the class sub-matrices and their centred squares.
 */
#include <R.h>
#include <Rinternals.h>
#include <math.h>
#include "pyradiogen.h"

/* Mean and variance of the rows `rows` (1-based, m of them) of one column, as R's colMeans
 * and colSums compute them. */
static void moments1(const double *col, const int *rows, int m, double *mean, double *var)
{
    long double sum = 0.0;
    for (int i = 0; i < m; i++) sum += col[rows[i] - 1];
    sum /= m;
    double mu = (double) sum;
    long double ss = 0.0;
    for (int i = 0; i < m; i++) {
        double d = col[rows[i] - 1] - mu;
        ss += d * d;
    }
    *mean = mu;
    *var = ((double) ss) / (double) (m - 1);
}

/* The same for four adjacent columns (stride n) at once: each column keeps its own sums in R's
 * order; interleaving four independent sums only hides the long-double adder's latency. */
static void moments4(const double *col, R_xlen_t n, const int *rows, int m, double *mean,
                     double *var)
{
    const double *c0 = col, *c1 = col + n, *c2 = col + 2 * n, *c3 = col + 3 * n;
    long double s0 = 0.0, s1 = 0.0, s2 = 0.0, s3 = 0.0;
    for (int i = 0; i < m; i++) {
        int r = rows[i] - 1;
        s0 += c0[r];
        s1 += c1[r];
        s2 += c2[r];
        s3 += c3[r];
    }
    s0 /= m;
    s1 /= m;
    s2 /= m;
    s3 /= m;
    double m0 = (double) s0, m1 = (double) s1, m2 = (double) s2, m3 = (double) s3;
    long double q0 = 0.0, q1 = 0.0, q2 = 0.0, q3 = 0.0;
    for (int i = 0; i < m; i++) {
        int r = rows[i] - 1;
        double d0 = c0[r] - m0, d1 = c1[r] - m1, d2 = c2[r] - m2, d3 = c3[r] - m3;
        q0 += d0 * d0;
        q1 += d1 * d1;
        q2 += d2 * d2;
        q3 += d3 * d3;
    }
    double dm = (double) (m - 1);
    mean[0] = m0;
    mean[1] = m1;
    mean[2] = m2;
    mean[3] = m3;
    var[0] = ((double) q0) / dm;
    var[1] = ((double) q1) / dm;
    var[2] = ((double) q2) / dm;
    var[3] = ((double) q3) / dm;
}

SEXP prg_class_tstat(SEXP x, SEXP rows_a, SEXP rows_b)
{
    if (!isReal(x) || !isMatrix(x)) error("x must be a double matrix");
    if (!isInteger(rows_a) || !isInteger(rows_b)) error("row indices must be integer");
    int n = nrows(x), p = ncols(x);
    int na = LENGTH(rows_a), nb = LENGTH(rows_b);
    const int *ra = INTEGER(rows_a), *rb = INTEGER(rows_b);
    for (int i = 0; i < na; i++) if (ra[i] < 1 || ra[i] > n) error("row index out of range");
    for (int i = 0; i < nb; i++) if (rb[i] < 1 || rb[i] > n) error("row index out of range");
    SEXP out = PROTECT(allocVector(REALSXP, p));
    const double *px = REAL(x);
    double *pt = REAL(out);
    double wa = (double) (na - 1), wb = (double) (nb - 1), df = (double) (na + nb - 2);
    double inv = 1.0 / (double) na + 1.0 / (double) nb;
    for (int j = 0; j < p; j += 4) {
        const double *col = px + (R_xlen_t) n * j;
        double ma[4], mb[4], va[4], vb[4];
        int kcols = p - j < 4 ? p - j : 4;
        if (kcols == 4) {
            moments4(col, n, ra, na, ma, va);
            moments4(col, n, rb, nb, mb, vb);
        } else {
            for (int k = 0; k < kcols; k++) {
                moments1(col + (R_xlen_t) n * k, ra, na, ma + k, va + k);
                moments1(col + (R_xlen_t) n * k, rb, nb, mb + k, vb + k);
            }
        }
        for (int k = 0; k < kcols; k++) {
            double sp = (wa * va[k] + wb * vb[k]) / df;
            pt[j + k] = (ma[k] - mb[k]) / sqrt(sp * inv);
        }
    }
    UNPROTECT(1);
    return out;
}

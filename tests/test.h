/* test.h - a tiny test harness: CHECK records failures and goes on; main returns the
 * count. No framework: each test file is a small program CTest runs. */
#ifndef HEELDROP_TEST_H
#define HEELDROP_TEST_H

#include <math.h>
#include <stdio.h>

static int hd_test_failures;

#define CHECK(cond)                                                                            \
    do {                                                                                       \
        if (!(cond)) {                                                                         \
            fprintf(stderr, "%s:%d: CHECK failed: %s\n", __FILE__, __LINE__, #cond);           \
            hd_test_failures++;                                                                \
        }                                                                                      \
    } while (0)

#define CHECK_NEAR(a, b, tol)                                                                  \
    do {                                                                                       \
        double a_ = (a), b_ = (b);                                                             \
        if (!(fabs(a_ - b_) <= (tol))) {                                                       \
            fprintf(stderr, "%s:%d: CHECK_NEAR failed: %s = %g, %s = %g, tol %g\n", __FILE__,  \
                    __LINE__, #a, a_, #b, b_, (double)(tol));                                  \
            hd_test_failures++;                                                                \
        }                                                                                      \
    } while (0)

#define RUN(fn)                                                                                \
    do {                                                                                       \
        int before_ = hd_test_failures;                                                        \
        fn();                                                                                  \
        fprintf(stderr, "%s %s\n", hd_test_failures == before_ ? "ok  " : "FAIL", #fn);        \
    } while (0)

#define TEST_EXIT() (hd_test_failures ? 1 : 0)

#endif

# The fast engine of nnet_fit() / nnet_predict() must reproduce nnet::nnet() bit for bit:
# every comparison below is identical(), so one differing bit fails.

# one problem: inputs, response and nnet settings
nnet_problem <- function(id, n, p, size, decay, maxit, x_kind = "normal", y_kind = "01") {
  set.seed(1000 + id)
  x <- matrix(rnorm(n * p), n, p)
  if (x_kind == "large") x[, 1] <- x[, 1] * 1e4           # saturates the hidden units
  if (x_kind == "constant") x[, p] <- 3.25                # a constant column
  if (x_kind == "integer") x <- matrix(sample(-3:3, n * p, TRUE), n, p)
  y <- switch(y_kind,
    "01" = as.numeric(x[, 1] + rnorm(n) > 0),
    unbalanced = as.numeric(seq_len(n) %in% c(2, 7)),     # 2 of n are 1
    continuous = stats::plogis(x[, 1] + rnorm(n, sd = 0.3)))
  list(id = id, x = x, y = y, size = size, decay = decay, maxit = maxit,
       newx = matrix(rnorm(5 * p), 5, p))
}

# both engines from the same seed; returns the raw compiled fit for coverage checks
expect_same_fit <- function(pr) {
  label <- sprintf("problem %d (n %d, p %d, size %d, decay %g, maxit %d)", pr$id,
                   nrow(pr$x), ncol(pr$x), pr$size, pr$decay, pr$maxit)
  set.seed(pr$id)
  ref <- nnet::nnet(pr$x, pr$y, size = pr$size, decay = pr$decay, maxit = pr$maxit,
                    MaxNWts = 1e5, trace = FALSE)
  set.seed(pr$id)
  fast <- nnet_fit(pr$x, pr$y, size = pr$size, decay = pr$decay, maxit = pr$maxit)
  expect_identical(fast$wts, ref$wts, label = paste(label, "weights"))
  expect_identical(fast$value, ref$value, label = paste(label, "value"))
  expect_identical(fast$convergence, ref$convergence, label = paste(label, "convergence"))
  expect_identical(fast$fitted.values, ref$fitted.values, label = paste(label, "fitted"))
  expect_identical(predict(fast, pr$newx), predict(ref, pr$newx),
                   label = paste(label, "predictions"))
  # the raw compiled fit from the same initial weights, for the coverage checks
  set.seed(pr$id)
  w0 <- stats::runif(length(ref$wts), -0.7, 0.7)
  raw <- pyradiogen:::.nnet_vm_fit(pr$x, pr$y, pr$size, pr$decay, w0, pr$maxit)
  expect_identical(raw$wts, ref$wts, label = paste(label, "raw weights"))
  raw
}

problems <- list(
  # tile edges of the inverse-Hessian storage (32): 32, 33, 64, 65, 31 weights
  nnet_problem(1, 40, 29, 1, 0, 50),
  nnet_problem(2, 40, 30, 1, 1e-6, 50),
  nnet_problem(3, 40, 61, 1, 1e-3, 50),
  nnet_problem(4, 40, 62, 1, 0, 50),
  nnet_problem(5, 40, 28, 1, 1e-3, 2000),
  # maxit 0 and 1
  nnet_problem(6, 30, 4, 3, 0, 0),
  nnet_problem(7, 30, 4, 3, 1e-3, 1),
  nnet_problem(8, 60, 20, 35, 1e-6, 0),
  nnet_problem(9, 60, 20, 35, 1e-6, 1),
  # long runs on small networks: converge early (reltol) or hit maxit
  nnet_problem(10, 50, 2, 1, 0, 2000),
  nnet_problem(11, 50, 2, 2, 1e-3, 2000),
  nnet_problem(12, 50, 3, 3, 1e-6, 2000),
  nnet_problem(13, 80, 2, 5, 0, 2000),
  nnet_problem(14, 60, 3, 4, 1e-3, 2000, y_kind = "unbalanced"),
  nnet_problem(15, 60, 2, 2, 1e-6, 2000, x_kind = "large"),
  nnet_problem(16, 40, 3, 2, 0, 2000, y_kind = "continuous"),
  # the study's range of sizes at moderate width
  nnet_problem(17, 90, 10, 15, 1e-5, 50),
  nnet_problem(18, 90, 12, 25, 1e-6, 50),
  nnet_problem(19, 90, 10, 35, 1e-3, 50),
  nnet_problem(20, 90, 8, 50, 0, 50),
  nnet_problem(21, 90, 8, 65, 1e-6, 50),
  nnet_problem(22, 70, 30, 65, 1e-3, 50),
  # awkward inputs
  nnet_problem(23, 60, 6, 8, 0, 200, x_kind = "large"),
  nnet_problem(24, 60, 6, 8, 1e-3, 200, x_kind = "large"),
  nnet_problem(25, 60, 6, 5, 1e-6, 200, x_kind = "constant"),
  nnet_problem(26, 60, 9, 12, 1e-3, 200, x_kind = "constant"),
  nnet_problem(27, 80, 5, 6, 0, 300, y_kind = "unbalanced"),
  nnet_problem(28, 80, 10, 20, 1e-6, 100, y_kind = "unbalanced"),
  nnet_problem(29, 50, 4, 3, 1e-3, 300, x_kind = "integer"),
  nnet_problem(30, 60, 5, 4, 0, 300, y_kind = "continuous"),
  nnet_problem(31, 12, 3, 10, 0, 500),                      # more weights than rows
  nnet_problem(32, 90, 40, 30, 1e-5, 30),                   # W = 1261
  nnet_problem(33, 5, 1, 1, 1e-6, 100),
  nnet_problem(34, 60, 3, 2, 1e-3, 2000, x_kind = "large", y_kind = "unbalanced")
)

test_that("nnet_fit's fast engine is identical to nnet::nnet (weights, value, predictions)", {
  raws <- lapply(problems, expect_same_fit)
  counts <- vapply(raws, function(r) r$counts, integer(4))
  conv <- vapply(raws, function(r) r$convergence, integer(1))
  maxit <- vapply(problems, function(pr) pr$maxit, numeric(1))
  # the problems cover: runs stopped by maxit, runs that converge early, restarts of the
  # inverse Hessian after the first iteration, and line searches without progress
  expect_true(any(conv == 1L & maxit >= 50))
  expect_true(any(conv == 0L & maxit >= 50))
  expect_true(any(counts[3, ] > 0L))
  expect_true(any(counts[4, ] > 0L))
})

test_that("the baseline (non-AVX2) build of the matrix products gives the same fits", {
  old <- options(pyradiogen.nnet_simd = FALSE)
  on.exit(options(old))
  for (pr in problems[c(3, 4, 10, 15, 22, 23, 32)]) expect_same_fit(pr)
})

test_that("nnet_predict's engines agree bit for bit", {
  set.seed(11)
  x <- matrix(rnorm(70 * 25), 70, 25)
  y <- as.numeric(x[, 2] - x[, 3] > 0)
  a <- nnet_predict(x[1:55, ], y[1:55], x[56:70, ], size = 35, decay = 1e-4, maxit = 60)
  b <- nnet_predict(x[1:55, ], y[1:55], x[56:70, ], size = 35, decay = 1e-4, maxit = 60,
                    engine = "nnet")
  expect_identical(a, b)
  expect_length(a, 15)
})

test_that("cases outside the fast architecture use nnet itself", {
  set.seed(12)
  x <- matrix(rnorm(40 * 3), 40, 3)
  y2 <- cbind(as.numeric(x[, 1] > 0), as.numeric(x[, 2] > 0))   # two outputs
  set.seed(1)
  a <- nnet_fit(x, y2, size = 2, maxit = 20)
  set.seed(1)
  b <- nnet::nnet(x, y2, size = 2, maxit = 20, trace = FALSE)
  expect_identical(a$wts, b$wts)
  expect_false(pyradiogen:::.nnet_fast_supported(x, y2, 2, 0, 20, 1e-4, 1e-8, 11))
  expect_false(pyradiogen:::.nnet_fast_supported(x, x[, 1], 2, c(0, 1), 20, 1e-4, 1e-8, 11))
  xna <- x
  xna[1, 1] <- NA
  expect_false(pyradiogen:::.nnet_fast_supported(xna, x[, 1], 2, 0, 20, 1e-4, 1e-8, 11))
  expect_error(nnet_fit(xna, as.numeric(x[, 1] > 0), size = 2), "missing values")
  expect_error(nnet_fit(x, as.numeric(x[, 1] > 0), size = 2, Wts = 1:3), "incorrect length")
  expect_true(pyradiogen:::.nnet_fast_supported(x, x[, 1], 2, 0, 20, 1e-4, 1e-8, 11))
})

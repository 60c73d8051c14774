test_that("DLDA: pooled MLE variances, log-prior score, first class on ties", {
  x <- matrix(c(1, 2, 3, 7, 8, 9), ncol = 1)
  cls <- factor(c("a", "a", "a", "b", "b", "b"))
  fit <- dlda_fit(x, cls)
  expect_equal(fit$var, (3 * (2 / 3) + 3 * (2 / 3)) / 6)
  expect_equal(as.character(dlda_predict(fit, matrix(c(0, 5, 10), ncol = 1))), c("a", "a", "b"))
  expect_error(dlda_fit(x[1:4, , drop = FALSE], cls[1:4]), "fewer than 2")
})

test_that("top-N chosen by the smallest minimum resubstitution balanced error", {
  set.seed(2)
  x <- matrix(rnorm(40 * 30), 40, 30, dimnames = list(NULL, paste0("g", 1:30)))
  cls <- factor(rep(c("0", "1"), each = 20))
  x[cls == "1", 1:3] <- x[cls == "1", 1:3] + 3
  sel <- select_top_features(x, cls, n_features = c(3, 10, 20))
  expect_equal(sort(sel[1:3]), 1:3)
  expect_true(length(sel) %in% c(3, 10, 20))
})

test_that("selection frequency: percentages over permutations x folds, planted features at 100", {
  set.seed(3)
  x <- matrix(rnorm(50 * 120), 50, 120, dimnames = list(NULL, paste0("g", 1:120)))
  cls <- factor(rep(c("0", "1"), c(35, 15)))
  x[cls == "1", 1:2] <- x[cls == "1", 1:2] + 2.5
  f <- selection_frequency(x, cls, permutations = 3, seed = 1)
  expect_equal(unname(f[c("g1", "g2")]), c(100, 100))
  expect_true(all((f * 15 / 100) %% 1 < 1e-9))
  expect_false(is.unsorted(rev(f)))
  f2 <- selection_frequency(x, cls, permutations = 3, seed = 1)
  expect_identical(f, f2)
  # 2.x ranks by the signed t of first-level minus second-level mean: features higher in
  # the second class rank last and are never selected
  old <- selection_frequency(x, cls, permutations = 2, version = "2.12", seed = 1)
  expect_true(all(is.na(old[c("g1", "g2")])))
})

test_that("fewer than 100 features: error as 2.x, or the 3.1.6 guard", {
  x <- matrix(rnorm(30 * 12), 30, 12, dimnames = list(NULL, paste0("g", 1:12)))
  cls <- factor(rep(c("0", "1"), 15))
  expect_error(selection_frequency(x, cls, permutations = 1, guard = FALSE), "only 12")
  expect_length(selection_frequency(x, cls, permutations = 1, seed = 1) >= 0, 12)
})

test_that("balanced fold scheme: fold sizes differ by at most one", {
  set.seed(5)
  cls <- factor(rep(c("a", "b"), c(13, 9)))
  fold <- pyradiogen:::.folds_by_class(cls, 5, "balanced")
  expect_lte(diff(range(table(fold))), 1)
  fold2 <- pyradiogen:::.folds_by_class(cls, 5, "roundrobin")
  expect_equal(as.vector(table(fold2[cls == "a"])), c(3, 3, 3, 2, 2))
})

test_that("nnet_predict is reproducible and allows big networks", {
  set.seed(1)
  x <- matrix(rnorm(60 * 40), 60, 40)
  y <- as.numeric(x[, 1] > 0)
  a <- nnet_predict(x[1:45, ], y[1:45], x[46:60, ], size = 35, maxit = 20)
  b <- nnet_predict(x[1:45, ], y[1:45], x[46:60, ], size = 35, maxit = 20)
  expect_identical(a, b)
  expect_length(a, 15)
})

test_that("ranking uses the equal-variance t test (signed for 2.x, p-value for 3.x)", {
  set.seed(7)
  x <- matrix(rnorm(30 * 6), 30, 6)
  cls <- factor(rep(c("0", "1"), c(12, 18)))
  x[cls == "1", 2] <- x[cls == "1", 2] - 2
  x[cls == "1", 5] <- x[cls == "1", 5] + 1
  tt <- apply(x, 2, function(v) t.test(v[cls == "0"], v[cls == "1"], var.equal = TRUE))
  tstat <- vapply(tt, function(r) unname(r$statistic), numeric(1))
  pval <- vapply(tt, function(r) r$p.value, numeric(1))
  expect_equal(pyradiogen:::.rank_features(x, cls, "signed"), order(tstat, decreasing = TRUE))
  expect_equal(pyradiogen:::.rank_features(x, cls, "pvalue"), order(pval))
})

test_that("a feature constant in training does not break DLDA", {
  x <- cbind(a = c(1, 2, 3, 7, 8, 9), b = 5)
  cls <- factor(rep(c("0", "1"), each = 3))
  fit <- dlda_fit(x, cls)
  expect_equal(as.character(dlda_predict(fit, x)), as.character(cls))
})

test_that("one DLDA fit over the largest candidate set equals a refit per candidate", {
  # the direct definition: refit DLDA on each leading set of the ranking
  refit_per_candidate <- function(x, cls, n_features, by) {
    cls <- droplevels(as.factor(cls))
    ord <- pyradiogen:::.rank_features(x, cls, by)
    errs <- vapply(n_features, function(nf) {
      cols <- ord[seq_len(nf)]
      fit <- pyradiogen:::dlda_fit(x[, cols, drop = FALSE], cls)
      pyradiogen:::.balanced_error(pyradiogen:::dlda_predict(fit, x[, cols, drop = FALSE]), cls)
    }, numeric(1))
    errs[!is.finite(errs)] <- Inf
    ord[seq_len(n_features[which(errs == min(errs))[1]])]
  }
  set.seed(11)
  chosen <- integer(0)
  for (r in 1:40) {
    n <- sample(c(12, 30, 70), 1)
    p <- sample(c(15, 60, 150), 1)
    x <- matrix(rnorm(n * p, sd = sample(c(1e-3, 1, 1e3), 1)), n, p,
                dimnames = list(NULL, paste0("g", seq_len(p))))
    if (r %% 3 == 0) x[, sample(p, 4)] <- 2  # constant features: zero pooled variance
    if (r %% 4 == 0) x <- round(x, 1)        # ties in the scores
    cls <- factor(sample(rep(c("a", "b"), c(n - n %/% 3, n %/% 3))))
    x[cls == "b", 1:3] <- x[cls == "b", 1:3] + rnorm(1, 1)
    nf <- sort(unique(pmin(p, c(1, 3, 10, 20, 50, 100))))
    for (by in c("pvalue", "signed")) {
      got <- pyradiogen:::select_top_features(x, cls, nf, by)
      expect_identical(got, refit_per_candidate(x, cls, nf, by))
      chosen <- c(chosen, length(got))
    }
  }
  expect_gt(length(unique(chosen)), 3)  # the problems choose different candidate sizes
})

test_that("the compiled t statistics are R's own arithmetic, bit for bit", {
  # the R definition of the ranking statistic
  tstat_r <- function(x, cls) {
    pyradiogen:::.class_tstat_r(x, which(cls == levels(cls)[1]), which(cls == levels(cls)[2]))
  }
  set.seed(12)
  for (r in 1:30) {
    n <- sample(c(4, 25, 90), 1)
    p <- sample(c(1, 7, 300), 1)
    x <- matrix(rnorm(n * p, mean = sample(c(0, 1e4), 1), sd = sample(c(1e-6, 1, 1e5), 1)), n, p)
    if (p > 2) x[, 2] <- 3                 # constant: 0/0
    if (p > 2 && r %% 2 == 0) x[1, 3] <- NA  # missing value propagates
    cls <- factor(sample(rep(c("a", "b"), c(n - n %/% 2, n %/% 2))))
    got <- .Call(pyradiogen:::prg_class_tstat, x, which(cls == "a"), which(cls == "b"))
    expect_identical(got, tstat_r(x, cls))
    for (by in c("pvalue", "signed")) {
      ref <- if (by == "signed") order(tstat_r(x, cls), decreasing = TRUE, na.last = TRUE) else
        order(2 * stats::pt(-abs(tstat_r(x, cls)), n - 2), na.last = TRUE)
      expect_identical(pyradiogen:::.rank_features(x, cls, by), ref)
    }
  }
  expect_error(.Call(pyradiogen:::prg_class_tstat, matrix(1, 2, 2), 1:3, 1L), "out of range")
})

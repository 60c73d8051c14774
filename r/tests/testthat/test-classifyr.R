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

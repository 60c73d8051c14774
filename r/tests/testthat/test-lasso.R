sim_xy <- function(n = 60, p = 8, seed = 3) {
  set.seed(seed)
  x <- matrix(rnorm(n * p, sd = 2) + 1, n, p, dimnames = list(NULL, paste0("f", seq_len(p))))
  y <- rbinom(n, 1, plogis(1.5 * x[, 1] - 0.5 * x[, 4]))
  list(x = x, y = y)
}

test_that("biglasso grid: lambda_max formula, log spacing and lambda.min by dimensions", {
  d <- sim_xy()
  lam <- biglasso_lambda(d$x, d$y, nlambda = 5)
  n <- nrow(d$x)
  s <- sqrt(colMeans(d$x^2) - colMeans(d$x)^2)
  lmax <- max(abs(colSums(sweep(d$x, 2, colMeans(d$x)) * d$y)) / (n * s))
  expect_equal(lam[1], lmax, tolerance = 1e-12)
  expect_equal(lam[5] / lam[1], 0.001, tolerance = 1e-12)
  expect_equal(diff(log(lam)), rep(log(0.001) / 4, 4), tolerance = 1e-12)
  expect_equal(biglasso_lambda_min(c(10, 20)), 0.05)
  # glmnet's own first lambda is the same lambda_max (spec section 8)
  expect_equal(glmnet::glmnet(d$x, d$y, family = "binomial")$lambda[1], lmax, tolerance = 1e-10)
})

test_that("path: null model at lambda_max, KKT of biglasso's objective, constant column zero", {
  d <- sim_xy()
  x <- cbind(d$x, const = 3)
  path <- biglasso_glmnet(x, d$y, nlambda = 6)
  expect_equal(path$nzero[1], 0)
  expect_equal(path$a0[1], qlogis(mean(d$y)))
  expect_true(all(path$beta["const", ] == 0))
  expect_equal(path$dropped, 9L)
  n <- nrow(x)
  xs <- scale(d$x, scale = sqrt(colMeans(d$x^2) - colMeans(d$x)^2))
  for (l in seq_along(path$lambda)[-1]) {
    eta <- path$a0[l] + x %*% path$beta[, l]
    g <- drop(crossprod(xs, d$y - plogis(eta))) / n
    bt <- path$beta[1:8, l] * sqrt(colMeans(d$x^2) - colMeans(d$x)^2)
    act <- bt != 0
    # absolute: glmnet stops on coefficient change, so KKT holds to ~1e-8 here
    expect_lt(max(abs(g[act] - path$lambda[l] * sign(bt[act]))), 1e-6)
    expect_true(all(abs(g[!act]) <= path$lambda[l] + 1e-7))
  }
})

test_that("path stops where biglasso saturates (dev.ratio > 0.99)", {
  set.seed(1)
  x <- matrix(rnorm(200), 40, 5)
  y <- as.numeric(x[, 1] > 0)
  path <- biglasso_glmnet(x, y, nlambda = 30)
  expect_lt(length(path$lambda), 30)
  expect_true(all(path$dev_ratio <= 0.99))
})

test_that("author split is set.seed(101); sample.int(n, floor(.7 n))", {
  set.seed(101)
  ref <- sample.int(n = 57, size = floor(.7 * 57), replace = FALSE)
  expect_identical(author_split(57), ref)
  expect_length(author_split(10, 0.8), 8)
})

test_that("rocr_auc equals the Mann-Whitney statistic with ties", {
  s <- c(0.1, 0.4, 0.4, 0.8, 0.3, 0.9, 0.4)
  y <- c(0, 0, 1, 1, 0, 1, 1)
  w <- wilcox.test(s[y == 1], s[y == 0], exact = FALSE)$statistic
  expect_equal(rocr_auc(s, y), unname(w) / (4 * 3))
  expect_equal(rocr_auc(c(0.2, 0.8, 0.5, 0.1), c(0, 1, 1, 0)), 1)
})

test_that("F1 of class 1; the authors' 0 when one class is predicted", {
  expect_equal(f1_binary(c(1, 1, 0, 0), c(1, 0, 1, 0)), 0.5)
  expect_equal(f1_binary(c(1, 1, 1, 1), c(1, 0, 1, 0)), 0)
  expect_equal(f1_binary(c(1, 1, 1, 1), c(1, 0, 1, 0), zero_if_constant = FALSE), 2 / 3)
})

test_that("lasso_author: curve per lambda, cv.glmnet after the split in the RNG stream", {
  d <- sim_xy(n = 120)
  r <- lasso_author(d$x, d$y, nlambda = 5)
  set.seed(101)
  expect_identical(r$train, sample.int(120, 84))
  expect_equal(nrow(r$curve), length(unique(r$curve$lambda)))
  expect_equal(r$curve$auc[1], 0.5)
  expect_true(max(r$curve$auc) > 0.8)
  expect_equal(r$cv$measure, "auc")
  # same RNG stream as the authors' script: the split, then cv.glmnet
  set.seed(101)
  s <- sample.int(120, 84)
  cv <- glmnet::cv.glmnet(d$x[s, ], d$y[s], type.measure = "auc", family = "binomial", nfolds = 5)
  expect_equal(r$cv$lambda_min, cv$lambda.min)
})

test_that("lasso_loo: in-sample adjusted R2 with k non-zero and its F-test p", {
  set.seed(4)
  x <- matrix(rnorm(40 * 3), 40, 3, dimnames = list(NULL, c("a", "b", "c")))
  y <- x[, 1] + rnorm(40)
  r <- lasso_loo(x, y)
  k <- r$k
  expect_equal(r$adj_r2, 1 - (1 - r$r2) * 39 / (40 - k - 1))
  expect_equal(r$p, pf((r$r2 / k) / ((1 - r$r2) / (40 - k - 1)), k, 40 - k - 1, lower.tail = FALSE))
  expect_true(r$adj_r2 > 0.3)
  expect_length(r$yhat_loo, 40)
  expect_named(r$coef, c("a", "b", "c"))
})

test_that(".cv_glmnet_gaussian gives cv.glmnet's numbers exactly (LOO and k-fold)", {
  set.seed(7)
  for (r in 1:24) {
    n <- c(30, 61, 117)[1 + r %% 3]
    p <- c(2, 9, 40, 95)[1 + r %% 4]
    x <- matrix(rnorm(n * p), n, dimnames = list(NULL, paste0("f", seq_len(p))))
    if (r %% 5 == 0) x[, 2] <- x[, 1] + rnorm(n, 0, 0.01)  # near-collinear pair
    y <- x[, 1] * runif(1) + rnorm(n)
    nf <- if (r %% 2) n else 5L
    set.seed(101)
    ref <- suppressWarnings(glmnet::cv.glmnet(x, y, family = "gaussian", nfolds = nf,
                                              grouped = nf != n, keep = TRUE))
    set.seed(101)
    got <- suppressWarnings(.cv_glmnet_gaussian(x, y, nfolds = nf, grouped = nf != n,
                                                family = "gaussian"))
    expect_identical(got$foldid, ref$foldid)
    expect_identical(unname(got$cvm), unname(ref$cvm))
    expect_identical(unname(got$cvsd), unname(ref$cvsd))
    expect_identical(got$lambda.min, ref$lambda.min)
    expect_identical(got$lambda, ref$lambda)
    pv <- ref$fit.preval
    attr(pv, "nlambda") <- NULL
    expect_identical(unname(got$fit.preval), unname(pv))
    expect_identical(as.numeric(stats::predict(got$glmnet.fit, x[1:3, ], s = got$lambda.min)),
                     as.numeric(stats::predict(ref, x[1:3, ], s = "lambda.min")))
  }
})

# biglasso-equivalent lasso logistic paths solved with glmnet, the authors' 70/30 split,
# ROCR AUC and F1 (study 1, Fig 4d-e). Method: shared/specs/biglasso.md, section 8.

# Population-SD standardisation statistics and the columns biglasso keeps (internal).
# x: numeric matrix (fitting rows only). Returns list(center, scale, keep), keep = the columns
# with scale > 1e-6.
biglasso_standardize <- function(x) {
  x <- as.matrix(x)
  n <- nrow(x)
  center <- colMeans(x)
  scale <- sqrt(pmax(colSums(x^2) / n - center^2, 0))
  list(center = center, scale = scale, keep = which(scale > 1e-6))
}

# biglasso's default lambda.min for a design of dimensions `dims` = c(nrow, ncol) (internal).
biglasso_lambda_min <- function(dims) {
  max(if (dims[1] > dims[2]) 0.001 else 0.05, 1e-6)
}

#' biglasso's log-spaced lambda grid for binomial lasso
#'
#' @param x numeric matrix of the fitting rows.
#' @param y outcome, two classes (1 = the larger value).
#' @param nlambda grid length.
#' @param lambda_min ratio lambda_min / lambda_max (default: biglasso's, from `dims`).
#' @param dims dimensions that decide the default `lambda_min` (biglasso uses the whole
#'   matrix): 0.001 when rows > columns, otherwise 0.05.
#' @return The decreasing lambda vector.
#' @references Zeng Y, Breheny P (2021). The biglasso package: a memory- and
#'   computation-efficient solver for lasso model fitting with big data in R. *Journal of
#'   Statistical Software* 99(6):1-30. Matches biglasso 1.5.2.1 (`biglasso(penalty = "lasso",
#'   family = "binomial")`); solved with glmnet: Friedman J, Hastie T, Tibshirani R (2010).
#'   Regularization paths for generalized linear models via coordinate descent. *Journal of
#'   Statistical Software* 33(1):1-22.
#' @examples
#' set.seed(1)
#' x <- matrix(rnorm(60 * 5), 60, dimnames = list(NULL, paste0("f", 1:5)))
#' y <- as.numeric(x[, 1] + rnorm(60) > 0)
#' biglasso_lambda(x, y, nlambda = 5)
#' @export
biglasso_lambda <- function(x, y, nlambda = 100L, lambda_min = NULL, dims = dim(x)) {
  x <- as.matrix(x)
  y <- as.numeric(y == max(y))
  if (nlambda < 2) stop("nlambda must be at least 2", call. = FALSE)
  st <- biglasso_standardize(x)
  if (length(st$keep) == 0) stop("every feature column is constant; nothing to fit", call. = FALSE)
  n <- nrow(x)
  xk <- sweep(x[, st$keep, drop = FALSE], 2, st$center[st$keep])
  z <- abs(colSums(xk * y)) / (n * st$scale[st$keep])
  lmax <- max(z)
  ratio <- if (is.null(lambda_min)) biglasso_lambda_min(dims) else max(lambda_min, 1e-6)
  exp(seq(log(lmax), log(lmax * ratio), length.out = nlambda))
}

#' A biglasso lasso-logistic path reproduced with glmnet
#'
#' Passes biglasso's grid to glmnet (standardised, Newton steps, tight `thresh`) and truncates
#' the path where biglasso stops for saturation (the first lambda with deviance ratio above
#' `saturation`). Constant columns are dropped, as biglasso does.
#'
#' @param x numeric matrix, samples x features, no missing values.
#' @param y outcome with exactly two classes (1 = the larger value).
#' @inheritParams biglasso_lambda
#' @param lambda explicit lambda sequence (overrides `nlambda`/`lambda_min`).
#' @param thresh,maxit glmnet's convergence threshold and iteration limit.
#' @param saturation deviance ratio at which the path stops.
#' @return A list: `lambda`, `a0` (intercepts), `beta` (features x lambdas), `nzero`,
#'   `dev_ratio`, `dropped` (indices of constant columns).
#' @references Zeng Y, Breheny P (2021). The biglasso package: a memory- and
#'   computation-efficient solver for lasso model fitting with big data in R. *Journal of
#'   Statistical Software* 99(6):1-30. Matches biglasso 1.5.2.1 (`biglasso(penalty = "lasso",
#'   family = "binomial")`); solved with glmnet: Friedman J, Hastie T, Tibshirani R (2010).
#'   Regularization paths for generalized linear models via coordinate descent. *Journal of
#'   Statistical Software* 33(1):1-22.
#' @examples
#' set.seed(1)
#' x <- matrix(rnorm(60 * 5), 60, dimnames = list(NULL, paste0("f", 1:5)))
#' y <- as.numeric(x[, 1] + rnorm(60) > 0)
#' path <- biglasso_glmnet(x, y, nlambda = 10)
#' path$nzero
#' @export
biglasso_glmnet <- function(x, y, nlambda = 100L, lambda_min = NULL, dims = dim(x),
                            lambda = NULL, thresh = 1e-12, maxit = 1e6, saturation = 0.99) {
  x <- as.matrix(x)
  if (is.null(colnames(x))) colnames(x) <- paste0("V", seq_len(ncol(x)))
  if (anyNA(x)) stop("the feature matrix has missing values; impute or drop them first", call. = FALSE)
  if (length(unique(y)) != 2) stop("y needs exactly two classes in the training rows", call. = FALSE)
  y01 <- as.numeric(y == max(y))
  st <- biglasso_standardize(x)
  own_grid <- is.null(lambda)
  if (own_grid) lambda <- biglasso_lambda(x, y01, nlambda, lambda_min, dims)
  xk <- x[, st$keep, drop = FALSE]
  pad <- ncol(xk) < 2
  if (pad) xk <- cbind(xk, .pad = 0)
  fit <- glmnet::glmnet(xk, y01, family = "binomial", alpha = 1, lambda = lambda,
                        standardize = TRUE, intercept = TRUE, type.logistic = "Newton",
                        thresh = thresh, maxit = maxit)
  nl <- length(fit$lambda)
  over <- which(fit$dev.ratio > saturation)
  last <- if (length(over)) over[1] - 1L else nl
  if (last < 1) last <- 1L
  idx <- seq_len(last)
  b <- as.matrix(fit$beta)[seq_along(st$keep), idx, drop = FALSE]
  beta <- matrix(0, ncol(x), length(idx), dimnames = list(colnames(x), NULL))
  beta[st$keep, ] <- b
  a0 <- unname(fit$a0[idx])
  if (own_grid) {
    # biglasso takes the null model at lambda_max without iterating
    beta[, 1] <- 0
    a0[1] <- log(mean(y01) / (1 - mean(y01)))
  }
  list(lambda = fit$lambda[idx], a0 = a0, beta = beta,
       nzero = unname(colSums(beta != 0)), dev_ratio = fit$dev.ratio[idx],
       dropped = setdiff(seq_len(ncol(x)), st$keep))
}

#' The study authors' train/test split
#'
#' `set.seed(seed); sample.int(n, floor(frac * n))`, with the RNG kinds stated explicitly.
#'
#' @param n number of rows.
#' @param frac training fraction.
#' @param seed RNG seed (101 in the authors' code).
#' @param sample_kind `sample.kind` of [set.seed()]: `"Rejection"` (R >= 3.6) or `"Rounding"`.
#' @return 1-based training indices in the order drawn.
#' @references Liu and Hu (2023), *Biomarker Research* 11:9; the authors' code
#'   (GitHub qianliu1219/DA_BRCA_radiogenomics, folder Code/).
#' @examples
#' author_split(10)
#' @export
author_split <- function(n, frac = 0.7, seed = 101L, sample_kind = "Rejection") {
  set.seed(seed, kind = "Mersenne-Twister", normal.kind = "Inversion", sample.kind = sample_kind)
  sample.int(n = n, size = floor(frac * n), replace = FALSE)
}

#' Area under the ROC curve, as ROCR computes it
#'
#' @param scores numeric predictions.
#' @param labels true classes (two values).
#' @return The AUC (a number).
#' @references Sing T, Sander O, Beerenwinkel N, Lengauer T (2005). ROCR: visualizing
#'   classifier performance in R. *Bioinformatics* 21(20):3940-3941 (ROCR 1.0).
#' @examples
#' rocr_auc(c(0.1, 0.4, 0.35, 0.8), c(0, 0, 1, 1))
#' @export
rocr_auc <- function(scores, labels) {
  pred <- ROCR::prediction(as.numeric(scores), as.numeric(labels))
  unlist(methods::slot(ROCR::performance(pred, "auc"), "y.values"))
}

#' ROC curve, as ROCR computes it
#'
#' @inheritParams rocr_auc
#' @return A data frame with columns `fpr` and `tpr`, one row per cut-off.
#' @references Sing T, Sander O, Beerenwinkel N, Lengauer T (2005). ROCR: visualizing
#'   classifier performance in R. *Bioinformatics* 21(20):3940-3941 (ROCR 1.0).
#' @examples
#' rocr_roc(c(0.1, 0.4, 0.35, 0.8), c(0, 0, 1, 1))
#' @export
rocr_roc <- function(scores, labels) {
  perf <- ROCR::performance(ROCR::prediction(as.numeric(scores), as.numeric(labels)), "tpr", "fpr")
  data.frame(fpr = unlist(perf@x.values), tpr = unlist(perf@y.values))
}

# F1 of class `positive` (internal); the authors' code sets 0 when all predictions are one class.
f1_binary <- function(pred, truth, positive = 1, zero_if_constant = TRUE) {
  if (zero_if_constant && length(unique(pred)) == 1) return(0)
  tp <- sum(pred == positive & truth == positive)
  fp <- sum(pred == positive & truth != positive)
  fn <- sum(pred != positive & truth == positive)
  prec <- tp / (tp + fp)
  rec <- tp / (tp + fn)
  if (!is.finite(prec) || !is.finite(rec) || prec + rec == 0) return(NA_real_)
  2 * prec * rec / (prec + rec)
}

# Test-set AUC (ROCR) and F1 for every lambda of a path (internal).
lasso_path_eval <- function(path, xtest, ytest) {
  xtest <- as.matrix(xtest)
  eta <- sweep(xtest %*% path$beta, 2, path$a0, "+")
  prob <- stats::plogis(eta)
  cls <- ifelse(eta > 0, 1, 0)
  y01 <- as.numeric(ytest == 1)
  two <- length(unique(y01)) == 2
  auc <- vapply(seq_along(path$lambda), function(l) {
    if (two) rocr_auc(prob[, l], y01) else NA_real_
  }, numeric(1))
  f1 <- vapply(seq_along(path$lambda), function(l) f1_binary(cls[, l], y01), numeric(1))
  list(table = data.frame(lambda = path$lambda, nzero = path$nzero, auc = auc, f1 = f1,
                          dev_ratio = path$dev_ratio),
       prob = prob)
}

# cv.glmnet(type.measure = "auc") on a training set; prediction at lambda.min (internal).
lasso_cv <- function(xtrain, ytrain, xtest = NULL, nfolds = 5L, foldid = NULL, lambda = NULL) {
  xtrain <- as.matrix(xtrain)
  args <- list(x = xtrain, y = as.numeric(ytrain == 1), family = "binomial",
               type.measure = "auc", nfolds = nfolds)
  if (!is.null(foldid)) args$foldid <- as.integer(foldid)
  if (!is.null(lambda)) args$lambda <- lambda
  # glmnet falls back to deviance when a fold has < 10 observations; `measure` says which ran
  cv <- tryCatch(suppressWarnings(do.call(glmnet::cv.glmnet, args)), error = function(e) e)
  if (inherits(cv, "error")) {
    # e.g. a fold whose training part has a single class (tiny cohorts)
    out <- list(lambda_min = NA_real_, lambda_1se = NA_real_, cv_value = NA_real_,
                cv_sd = NA_real_, measure = NA_character_, nzero = NA_integer_,
                error = conditionMessage(cv))
    if (!is.null(xtest)) out$prob <- rep(NA_real_, nrow(as.matrix(xtest)))
    return(out)
  }
  i <- which(cv$lambda == cv$lambda.min)
  out <- list(lambda_min = cv$lambda.min, lambda_1se = cv$lambda.1se, cv_value = cv$cvm[i],
              cv_sd = cv$cvsd[i], measure = unname(names(cv$name)), nzero = unname(cv$nzero[i]))
  if (!is.null(xtest)) {
    out$prob <- as.numeric(stats::predict(cv, as.matrix(xtest), s = "lambda.min", type = "response"))
  }
  out
}

#' One clinical characteristic exactly as the authors' script: split, cv.glmnet, biglasso path
#'
#' The RNG order matches the script: `set.seed(seed)`, `sample.int`, then `cv.glmnet`. The
#' path is evaluated on the held-out rows: ROCR AUC and F1 for every lambda.
#'
#' @param x matrix of the rows with a non-missing label.
#' @param y 0/1 labels.
#' @param frac training fraction.
#' @param seed RNG seed.
#' @param nlambda,lambda_min the biglasso grid (see [biglasso_lambda()]).
#' @param nfolds folds of `cv.glmnet(type.measure = "auc")`.
#' @param run_cv run the cross-validation (the authors did).
#' @param sample_kind see [author_split()].
#' @return A list: `train` (training rows), `curve` (data frame lambda, nzero, auc, f1,
#'   dev_ratio), `prob` (test predictions per lambda), `cv` (cross-validation summary), `ytest`,
#'   `beta`.
#' @references Zeng Y, Breheny P (2021). The biglasso package: a memory- and
#'   computation-efficient solver for lasso model fitting with big data in R. *Journal of
#'   Statistical Software* 99(6):1-30. Matches biglasso 1.5.2.1 (`biglasso(penalty = "lasso",
#'   family = "binomial")`); solved with glmnet: Friedman J, Hastie T, Tibshirani R (2010).
#'   Regularization paths for generalized linear models via coordinate descent. *Journal of
#'   Statistical Software* 33(1):1-22.
#'   Liu and Hu (2023), *Biomarker Research* 11:9 (study 1, Fig 4d-e).
#' @examples
#' set.seed(1)
#' x <- matrix(rnorm(60 * 5), 60, dimnames = list(NULL, paste0("f", 1:5)))
#' y <- as.numeric(x[, 1] + rnorm(60) > 0)
#' res <- lasso_author(x, y, nlambda = 5, run_cv = FALSE)
#' res$curve
#' @export
lasso_author <- function(x, y, frac = 0.7, seed = 101L, nlambda = 20L, lambda_min = NULL,
                         nfolds = 5L, run_cv = TRUE, sample_kind = "Rejection") {
  x <- as.matrix(x)
  train <- author_split(nrow(x), frac, seed, sample_kind)
  xtr <- x[train, , drop = FALSE]
  xte <- x[-train, , drop = FALSE]
  ytr <- y[train]
  yte <- y[-train]
  cv <- if (run_cv) lasso_cv(xtr, ytr, xte, nfolds) else NULL
  path <- biglasso_glmnet(xtr, ytr, nlambda = nlambda, lambda_min = lambda_min)
  ev <- lasso_path_eval(path, xte, yte)
  list(train = train, curve = ev$table, prob = ev$prob, cv = cv, ytest = yte,
       beta = path$beta)
}

#' Leak-free lasso path and cross-validation on given training and test rows
#'
#' The biglasso path is fitted on the training rows and evaluated on the test rows; lambda is
#' tuned by `cv.glmnet(type.measure = "auc")` on the training rows only (optionally with
#' grouped folds, e.g. all images of a patient in one fold).
#'
#' @param xtrain,ytrain training matrix and 0/1 labels.
#' @param xtest,ytest test matrix and 0/1 labels.
#' @param foldid optional fold of each training row.
#' @inheritParams lasso_author
#' @return A list: `curve` (data frame lambda, nzero, auc, f1, dev_ratio), `prob`, `cv`.
#' @references Zeng Y, Breheny P (2021). The biglasso package: a memory- and
#'   computation-efficient solver for lasso model fitting with big data in R. *Journal of
#'   Statistical Software* 99(6):1-30. Matches biglasso 1.5.2.1 (`biglasso(penalty = "lasso",
#'   family = "binomial")`); solved with glmnet: Friedman J, Hastie T, Tibshirani R (2010).
#'   Regularization paths for generalized linear models via coordinate descent. *Journal of
#'   Statistical Software* 33(1):1-22.
#' @examples
#' set.seed(1)
#' x <- matrix(rnorm(60 * 5), 60, dimnames = list(NULL, paste0("f", 1:5)))
#' y <- as.numeric(x[, 1] + rnorm(60) > 0)
#' res <- lasso_split(x[1:40, ], y[1:40], x[41:60, ], y[41:60], nlambda = 5)
#' res$cv$lambda_min
#' @export
lasso_split <- function(xtrain, ytrain, xtest, ytest, foldid = NULL, nlambda = 20L,
                        lambda_min = NULL, nfolds = 5L, seed = 101L) {
  path <- biglasso_glmnet(xtrain, ytrain, nlambda = nlambda, lambda_min = lambda_min)
  ev <- lasso_path_eval(path, xtest, ytest)
  set.seed(seed, kind = "Mersenne-Twister", normal.kind = "Inversion", sample.kind = "Rejection")
  # lambda is tuned over the same biglasso grid (not saturated) the path uses
  grid <- if (length(path$lambda) >= 2) path$lambda else NULL
  cv <- lasso_cv(xtrain, ytrain, xtest, nfolds, foldid, lambda = grid)
  list(curve = ev$table, prob = ev$prob, cv = cv)
}

# Gaussian cv.glmnet without the per-fold sparse-matrix overhead (internal).
#
# What `glmnet::cv.glmnet(x, y, nfolds, grouped, keep = TRUE, ...)` returns for a gaussian
# lasso with the default type.measure, no weights and no offset, computed the same way: the
# same folds (one `sample()` call), the same `glmnet()` fits, glmnet's own `cv.elnet`,
# `cvstats` and `getOptcv.glmnet`. Only the held-out predictions differ in how they are
# computed: predict.glmnet multiplies sparse Matrix objects, which costs more than the fits on
# study 2's small folds; `.glmnet_link()` does the same multiplications and additions in the
# same order on dense matrices, so every number is identical (tests/testthat/test-lasso.R
# compares them with `identical()`). Falls back to cv.glmnet itself when glmnet's internals
# are not found (another glmnet version).
.cv_glmnet_gaussian <- function(x, y, nfolds = 10L, grouped = TRUE, ...) {
  parts <- lapply(c("lambda.interp", "cv.elnet", "cvstats", "getOptcv.glmnet"), function(f) {
    tryCatch(utils::getFromNamespace(f, "glmnet"), error = function(e) NULL)
  })
  if (any(vapply(parts, is.null, logical(1)))) {
    return(glmnet::cv.glmnet(x, y, nfolds = nfolds, grouped = grouped, keep = TRUE, ...))
  }
  names(parts) <- c("interp", "cv_elnet", "cvstats", "getopt")
  n <- nrow(x)
  weights <- rep(1, n)
  y <- drop(y)
  foldid <- sample(rep(seq(nfolds), length = n))
  if (nfolds < 3) stop("nfolds must be bigger than 3; nfolds=10 recommended", call. = FALSE)
  fit <- glmnet::glmnet(x, y, weights = weights, offset = NULL, lambda = NULL, trace.it = 0,
                        ...)
  nz <- vapply(stats::predict(fit, type = "nonzero"), length, integer(1))
  lambda <- fit$lambda
  predmat <- matrix(NA, n, length(lambda))
  for (i in seq_len(nfolds)) {
    out <- foldid == i
    f <- glmnet::glmnet(x[!out, , drop = FALSE], y[!out], lambda = NULL, offset = NULL,
                        weights = weights[!out], trace.it = 0, ...)
    predmat[out, ] <- .glmnet_link(f, x[out, , drop = FALSE], lambda, parts$interp)
  }
  cvstuff <- parts$cv_elnet(predmat, y, "mse", weights, foldid, grouped)
  grouped <- cvstuff$grouped
  if ((n / nfolds < 3) && grouped) grouped <- FALSE
  res <- parts$cvstats(cvstuff, foldid, nfolds, lambda, nz, grouped)
  c(res, list(glmnet.fit = fit, fit.preval = predmat, foldid = foldid),
    parts$getopt(res$lambda, res$cvm, res$cvsd, "Mean-Squared Error"))
}

# Linear predictor of a glmnet fit at penalties `s` (internal): predict.glmnet's interpolation
# between the fitted lambdas and its product with (1, newx), on dense matrices and summed over
# the coefficients in the order of their rows, as the sparse product sums them.
.glmnet_link <- function(fit, newx, s, interp) {
  b <- rbind(fit$a0, as.matrix(fit$beta))
  li <- interp(fit$lambda, s)
  frac <- matrix(li$frac, nrow(b), length(s), byrow = TRUE)
  nb <- b[, li$left, drop = FALSE] * frac + b[, li$right, drop = FALSE] * (1 - frac)
  x1 <- cbind(1, newx)
  acc <- matrix(0, nrow(x1), ncol(nb))
  for (k in which(rowSums(nb != 0) > 0)) {
    acc <- acc + outer(x1[, k], nb[k, ])
  }
  acc
}

#' Lasso regression of a risk score with leave-one-out cross-validation
#'
#' `cv.glmnet(x, y, nfolds = n, grouped = FALSE, keep = TRUE)`, gaussian, lambda.min, as in
#' study 2. Two adjusted R^2 definitions are returned:
#' * in-sample: the lasso fit at lambda.min on all samples, R^2 = 1 - RSS/TSS adjusted with
#'   k = number of non-zero coefficients, p from F(k, n - k - 1);
#' * LOO: the out-of-fold predictions at lambda.min regressed on y (`lm(y ~ yhat_loo)`), its
#'   adjusted R^2 and the one-sided p of a positive slope; Q^2 = 1 - PRESS/TSS is returned too.
#'
#' @param x samples x features matrix (a single feature is padded with a constant column).
#' @param y numeric response.
#' @param seed RNG seed.
#' @return A list: `lambda_min`, `n`, `k`, `coef`, `r2`, `adj_r2`, `p`, `adj_r2_loo`, `p_loo`,
#'   `q2_loo`, `yhat_loo`.
#' @references Friedman J, Hastie T, Tibshirani R (2010). Regularization paths for generalized
#'   linear models via coordinate descent. *Journal of Statistical Software* 33(1):1-22
#'   (glmnet 4.1).
#'   Kim et al. (2020), *Journal of the Korean Society of Radiology* 81:632 (study 2, Table 4).
#' @examples
#' set.seed(1)
#' x <- matrix(rnorm(25 * 4), 25, dimnames = list(NULL, paste0("f", 1:4)))
#' y <- x[, 1] + rnorm(25, 0, 0.5)
#' res <- lasso_loo(x, y)
#' round(c(adj_r2 = res$adj_r2, q2 = res$q2_loo), 3)
#' @export
lasso_loo <- function(x, y, seed = 101L) {
  x <- as.matrix(x)
  if (is.null(colnames(x))) colnames(x) <- paste0("V", seq_len(ncol(x)))
  if (ncol(x) < 2) x <- cbind(x, .pad = 0)
  n <- nrow(x)
  set.seed(seed, kind = "Mersenne-Twister", normal.kind = "Inversion", sample.kind = "Rejection")
  cv <- suppressWarnings(.cv_glmnet_gaussian(x, y, nfolds = n, grouped = FALSE,
                                              family = "gaussian"))
  i <- which(cv$lambda == cv$lambda.min)
  yhat <- as.numeric(stats::predict(cv$glmnet.fit, x, s = cv$lambda.min))
  beta <- as.matrix(stats::coef(cv$glmnet.fit, s = cv$lambda.min))[-1, 1]
  beta <- beta[names(beta) != ".pad"]
  k <- sum(beta != 0)
  tss <- sum((y - mean(y))^2)
  r2 <- 1 - sum((y - yhat)^2) / tss
  if (k > 0 && n - k - 1 > 0) {
    adj <- 1 - (1 - r2) * (n - 1) / (n - k - 1)
    fstat <- (r2 / k) / ((1 - r2) / (n - k - 1))
    p_in <- stats::pf(fstat, k, n - k - 1, lower.tail = FALSE)
  } else {
    adj <- 0
    p_in <- 1
  }
  loo <- cv$fit.preval[, i]
  q2 <- 1 - sum((y - loo)^2) / tss
  if (stats::var(loo) > 0) {
    sm <- summary(stats::lm(y ~ loo))
    adj_loo <- sm$adj.r.squared
    # one-sided: held-out predictions without signal correlate negatively with y
    p_loo <- stats::pt(stats::coef(sm)[2, 3], n - 2, lower.tail = FALSE)
  } else {
    adj_loo <- 0
    p_loo <- 1
  }
  list(lambda_min = cv$lambda.min, n = n, k = k, coef = beta, r2 = r2, adj_r2 = adj,
       p = p_in, adj_r2_loo = adj_loo, p_loo = p_loo, q2_loo = q2, yhat_loo = loo)
}

#' Prediction of a gaussian lasso tuned by leave-one-out on a training set
#'
#' @param xtrain,ytrain training matrix and response.
#' @param xtest matrix of the rows to predict.
#' @param seed RNG seed.
#' @return Predictions for the rows of `xtest` at lambda.min.
#' @references Friedman J, Hastie T, Tibshirani R (2010). Regularization paths for generalized
#'   linear models via coordinate descent. *Journal of Statistical Software* 33(1):1-22
#'   (glmnet 4.1).
#' @examples
#' set.seed(1)
#' x <- matrix(rnorm(25 * 4), 25, dimnames = list(NULL, paste0("f", 1:4)))
#' y <- x[, 1] + rnorm(25, 0, 0.5)
#' lasso_loo_predict(x[-1, ], y[-1], x[1, , drop = FALSE])
#' @export
lasso_loo_predict <- function(xtrain, ytrain, xtest, seed = 101L) {
  xtrain <- as.matrix(xtrain)
  xtest <- as.matrix(xtest)
  if (ncol(xtrain) < 2) {
    xtrain <- cbind(xtrain, .pad = 0)
    xtest <- cbind(xtest, .pad = 0)
  }
  set.seed(seed, kind = "Mersenne-Twister", normal.kind = "Inversion", sample.kind = "Rejection")
  cv <- suppressWarnings(.cv_glmnet_gaussian(xtrain, ytrain, nfolds = nrow(xtrain),
                                              grouped = FALSE, family = "gaussian"))
  as.numeric(stats::predict(cv$glmnet.fit, xtest, s = cv$lambda.min))
}

#' Spearman correlation test of each column of a matrix against a response
#'
#' `cor.test(method = "spearman")` with R's default exactness (exact p for small samples
#' without ties).
#'
#' @param x numeric matrix, samples x features (column names are the feature names).
#' @param y numeric response.
#' @return A data frame: `feature`, `rho`, `p`.
#' @references Hollander M, Wolfe DA (1973). *Nonparametric Statistical Methods*. Wiley
#'   (the test of R's `cor.test`).
#'   Kim et al. (2020), *Journal of the Korean Society of Radiology* 81:632 (study 2, Table 4).
#' @examples
#' set.seed(1)
#' x <- matrix(rnorm(25 * 4), 25, dimnames = list(NULL, paste0("f", 1:4)))
#' y <- x[, 1] + rnorm(25, 0, 0.5)
#' spearman_pvalues(x, y)
#' @export
spearman_pvalues <- function(x, y) {
  x <- as.matrix(x)
  out <- t(vapply(seq_len(ncol(x)), function(j) {
    ct <- suppressWarnings(stats::cor.test(x[, j], y, method = "spearman"))
    c(unname(ct$estimate), ct$p.value)
  }, numeric(2)))
  data.frame(feature = colnames(x), rho = out[, 1], p = out[, 2])
}

#' Prediction of a gaussian lasso tuned by k-fold cross-validation on a training set
#'
#' `cv.glmnet(x, y, nfolds = nfolds)` (gaussian) after `set.seed(seed)`; the prediction for
#' `xtest` at lambda.min. A single feature is padded with a constant column, as glmnet needs
#' two. Used by the nested (rigorous) leave-one-out of study 2 when the inner folds are fewer
#' than the training rows.
#'
#' @inheritParams lasso_loo_predict
#' @param nfolds number of folds.
#' @return Predictions for the rows of `xtest`.
#' @references Friedman J, Hastie T, Tibshirani R (2010). Regularization paths for generalized
#'   linear models via coordinate descent. *Journal of Statistical Software* 33(1):1-22
#'   (glmnet 4.1).
#' @examples
#' set.seed(1)
#' x <- matrix(rnorm(25 * 4), 25, dimnames = list(NULL, paste0("f", 1:4)))
#' y <- x[, 1] + rnorm(25, 0, 0.5)
#' lasso_cv_predict(x[-1, ], y[-1], x[1, , drop = FALSE], nfolds = 5)
#' @export
lasso_cv_predict <- function(xtrain, ytrain, xtest, nfolds = 5L, seed = 101L) {
  xtrain <- as.matrix(xtrain)
  xtest <- as.matrix(xtest)
  if (ncol(xtrain) < 2) {
    xtrain <- cbind(xtrain, .pad = 0)
    xtest <- cbind(xtest, .pad = 0)
  }
  set.seed(seed)
  cv <- suppressWarnings(.cv_glmnet_gaussian(xtrain, ytrain, nfolds = nfolds))
  as.numeric(stats::predict(cv$glmnet.fit, xtest, s = cv$lambda.min))
}

#' Held-out predictions of the nested (rigorous) leave-one-out lasso, every fold in one call
#'
#' For each sample `i`, the lasso is fitted on the other samples using only the columns
#' screened on them (`selected[i, ]`), and predicts sample `i`: with [lasso_cv_predict()]
#' (`nfolds`-fold `cv.glmnet`, `set.seed(seed)` before each fit) or, when `nfolds` is at least
#' the number of training samples, with [lasso_loo_predict()]. The result is the one that calling
#' those functions once per fold gives; the loop runs in R to avoid a round trip per fold.
#'
#' @param x samples x features matrix (all samples).
#' @param y numeric response.
#' @param selected samples x features 0/1 matrix: row `i` marks the columns screened on the
#'   samples other than `i`. A row without any gives `NA` (the caller predicts the training
#'   mean).
#' @param nfolds inner folds.
#' @param seed RNG seed set before each fold's cross-validation.
#' @return Numeric vector of the held-out predictions, one per sample.
#' @references Friedman J, Hastie T, Tibshirani R (2010). Regularization paths for generalized
#'   linear models via coordinate descent. *Journal of Statistical Software* 33(1):1-22
#'   (glmnet 4.1).
#'   Kim et al. (2020), *Journal of the Korean Society of Radiology* 81:632 (study 2, Table 4).
#' @examples
#' set.seed(1)
#' x <- matrix(rnorm(20 * 4), 20, dimnames = list(NULL, paste0("f", 1:4)))
#' y <- x[, 1] + rnorm(20, 0, 0.5)
#' sel <- matrix(1, 20, 4)
#' lasso_nested_loo_predict(x, y, sel, nfolds = 5)[1:3]
#' @export
lasso_nested_loo_predict <- function(x, y, selected, nfolds = 5L, seed = 101L) {
  x <- as.matrix(x)
  selected <- as.matrix(selected)
  n <- nrow(x)
  if (nrow(selected) != n || ncol(selected) != ncol(x)) {
    stop("`selected` must have one row per sample and one column per feature", call. = FALSE)
  }
  vapply(seq_len(n), function(i) {
    sel <- which(selected[i, ] > 0)
    if (!length(sel)) return(NA_real_)
    xtr <- x[-i, sel, drop = FALSE]
    xte <- x[i, sel, drop = FALSE]
    if (nfolds >= n - 1) {
      lasso_loo_predict(xtr, y[-i], xte, seed = seed)
    } else {
      lasso_cv_predict(xtr, y[-i], xte, nfolds = nfolds, seed = seed)
    }
  }, numeric(1))
}

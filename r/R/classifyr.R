# ClassifyR-style selection frequency (runTests defaults, then distribution()), re-implemented
# from shared/specs/classifyr_runtests.md: repeated stratified k-fold CV, t-test ranking,
# nFeatures tuned by resubstitution balanced error of DLDA, percentage of splits selecting
# each feature.

#' Diagonal LDA fit (ClassifyR's copy of sparsediscrim::dlda)
#'
#' @param x samples x features matrix; `cls` factor.
dlda_fit <- function(x, cls) {
  cls <- droplevels(as.factor(cls))
  lev <- levels(cls)
  n <- nrow(x)
  means <- t(vapply(lev, function(k) colMeans(x[cls == k, , drop = FALSE]), numeric(ncol(x))))
  if (ncol(x) == 1) means <- matrix(means, ncol = 1)
  pooled <- numeric(ncol(x))
  counts <- numeric(length(lev))
  for (i in seq_along(lev)) {
    xi <- x[cls == lev[i], , drop = FALSE]
    nk <- nrow(xi)
    if (nk < 2) stop(sprintf("class '%s' has fewer than 2 training samples", lev[i]), call. = FALSE)
    mle <- colSums(sweep(xi, 2, means[i, ])^2) / nk
    pooled <- pooled + nk * mle
    counts[i] <- nk
  }
  list(levels = lev, means = means, var = pooled / n, prior = counts / n)
}

#' DLDA class prediction: argmin_k sum_j (x_j - mean_kj)^2 / var_j + log(prior_k)
dlda_predict <- function(fit, x) {
  ok <- fit$var > 0  # a feature constant in training carries no information (NaN otherwise)
  sc <- vapply(seq_along(fit$levels), function(i) {
    colSums(((t(x) - fit$means[i, ])^2 / fit$var)[ok, , drop = FALSE]) + log(fit$prior[i])
  }, numeric(nrow(x)))
  if (!is.matrix(sc)) sc <- matrix(sc, nrow = nrow(x))
  factor(fit$levels[max.col(-sc, ties.method = "first")], levels = fit$levels)
}

.balanced_error <- function(pred, truth) {
  mean(vapply(levels(truth), function(k) mean(pred[truth == k] != k), numeric(1)))
}

.folds_by_class <- function(cls, folds, scheme) {
  n <- length(cls)
  fold <- integer(n)
  if (scheme == "roundrobin") {
    for (k in levels(cls)) {
      idx <- which(cls == k)
      idx <- idx[sample.int(length(idx))]
      fold[idx] <- ((seq_along(idx) - 1L) %% folds) + 1L
    }
  } else {
    seqf <- rep_len(seq_len(folds), n)
    pos <- 0L
    for (k in levels(cls)) {
      idx <- which(cls == k)
      idx <- idx[sample.int(length(idx))]
      fold[idx] <- seqf[pos + seq_along(idx)]
      pos <- pos + length(idx)
    }
  }
  fold
}

.rank_features <- function(x, cls, by) {
  lev <- levels(cls)
  a <- x[cls == lev[1], , drop = FALSE]
  b <- x[cls == lev[2], , drop = FALSE]
  na <- nrow(a)
  nb <- nrow(b)
  ma <- colMeans(a)
  mb <- colMeans(b)
  va <- colSums(sweep(a, 2, ma)^2) / (na - 1)
  vb <- colSums(sweep(b, 2, mb)^2) / (nb - 1)
  sp <- ((na - 1) * va + (nb - 1) * vb) / (na + nb - 2)
  tstat <- (ma - mb) / sqrt(sp * (1 / na + 1 / nb))
  if (by == "signed") {
    order(tstat, decreasing = TRUE, na.last = TRUE)
  } else {
    order(2 * stats::pt(-abs(tstat), na + nb - 2), na.last = TRUE)
  }
}

.downsample <- function(idx, cls) {
  sizes <- table(cls[idx])
  m <- min(sizes)
  keep <- unlist(lapply(names(sizes), function(k) {
    ik <- idx[cls[idx] == k]
    if (length(ik) > m) ik[sample.int(length(ik), m)] else ik
  }))
  sort(keep)
}

#' Selected features of one training set: rank, then the smallest top-N with the lowest
#' resubstitution balanced error of DLDA
select_top_features <- function(x, cls, n_features = seq(10, 100, 10), by = "pvalue") {
  cls <- droplevels(as.factor(cls))
  ord <- .rank_features(x, cls, by)
  errs <- vapply(n_features, function(nf) {
    cols <- ord[seq_len(nf)]
    fit <- dlda_fit(x[, cols, drop = FALSE], cls)
    .balanced_error(dlda_predict(fit, x[, cols, drop = FALSE]), cls)
  }, numeric(1))
  errs[!is.finite(errs)] <- Inf
  best <- n_features[which(errs == min(errs))[1]]
  ord[seq_len(best)]
}

#' ClassifyR runTests + distribution(): percentage of CV splits selecting each feature
#'
#' @param x samples x features matrix with column names; `classes` two-class vector.
#' @param version "2.12" (round-robin folds, signed t, no balancing), "2.14" (balanced folds,
#'   signed t, down-sampling) or "3.0" (balanced folds, p-value ranking, down-sampling).
#' @param guard when fewer features than max(n_features) exist, drop the larger sizes (the
#'   3.1.6+ behaviour) instead of failing as 2.x and 3.0.0 do.
#' @param seed `set.seed` before the splits (NULL leaves the RNG as it is).
#' @return named numeric percentages (features never selected are absent), decreasing.
selection_frequency <- function(x, classes, permutations = 100L, folds = 5L,
                                n_features = seq(10, 100, 10), version = c("3.0", "2.14", "2.12"),
                                guard = TRUE, seed = NULL) {
  version <- match.arg(version)
  x <- as.matrix(x)
  if (is.null(colnames(x))) stop("the measurement matrix needs feature (column) names", call. = FALSE)
  cls <- droplevels(as.factor(classes))
  if (nlevels(cls) != 2) stop("selection_frequency needs exactly two classes", call. = FALSE)
  if (max(n_features) > ncol(x)) {
    if (!guard) {
      stop(sprintf("asked to consider up to %d features but the data have only %d",
                   max(n_features), ncol(x)), call. = FALSE)
    }
    n_features <- n_features[n_features <= ncol(x)]
    if (!length(n_features)) n_features <- ncol(x)
  }
  if (!is.null(seed)) {
    set.seed(seed, kind = "Mersenne-Twister", normal.kind = "Inversion", sample.kind = "Rejection")
  }
  scheme <- if (version == "2.12") "roundrobin" else "balanced"
  by <- if (version == "3.0") "pvalue" else "signed"
  balance <- version != "2.12"
  counts <- integer(ncol(x))
  total <- 0L
  for (p in seq_len(permutations)) {
    fold <- .folds_by_class(cls, folds, scheme)
    for (f in seq_len(folds)) {
      train <- which(fold != f)
      if (balance) train <- .downsample(train, cls)
      sel <- select_top_features(x[train, , drop = FALSE], cls[train], n_features, by)
      counts[sel] <- counts[sel] + 1L
      total <- total + 1L
    }
  }
  pct <- 100 * counts / total
  names(pct) <- colnames(x)
  pct <- pct[counts > 0]
  sort(pct, decreasing = TRUE)
}

#' nnet single-hidden-layer network as the authors call it; test-set predictions
#'
#' `nnet(x, y, size, decay, maxit)` with logistic output; `MaxNWts` is raised to the network's
#' size (it only guards memory and does not change the fit).
nnet_predict <- function(xtrain, ytrain, xtest, size = 35L, decay = 1e-5, maxit = 200L,
                         seed = 101L) {
  xtrain <- as.matrix(xtrain)
  xtest <- as.matrix(xtest)
  set.seed(seed, kind = "Mersenne-Twister", normal.kind = "Inversion", sample.kind = "Rejection")
  nw <- (ncol(xtrain) + 1) * size + size + 1
  fit <- nnet::nnet(xtrain, as.numeric(ytrain), size = size, decay = decay, maxit = maxit,
                    MaxNWts = max(1000, nw + 1), trace = FALSE)
  as.numeric(stats::predict(fit, xtest))
}

# ClassifyR-style selection frequency (runTests defaults, then distribution()), re-implemented
# from shared/specs/classifyr_runtests.md: repeated stratified k-fold CV, t-test ranking,
# nFeatures tuned by resubstitution balanced error of DLDA, percentage of splits selecting
# each feature.

# Diagonal LDA fit (ClassifyR's copy of sparsediscrim::dlda; internal). x: samples x features
# matrix; cls: factor.
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

# DLDA class prediction (internal): argmin_k sum_j (x_j - mean_kj)^2 / var_j + log(prior_k).
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

# Equal-variance two-sample t statistic of every column between the rows `ia` and `ib`
# (internal). In C (src/classifyr.c) with R's own arithmetic, so the numbers are those of
# .class_tstat_r(), which is used where R has no long double (as colSums then has none).
.class_tstat <- function(x, ia, ib) {
  if (!isTRUE(capabilities("long.double"))) return(.class_tstat_r(x, ia, ib))
  if (!is.double(x)) storage.mode(x) <- "double"
  .Call(prg_class_tstat, x, as.integer(ia), as.integer(ib))
}

# The R definition of .class_tstat() (internal; the reference its tests compare with).
.class_tstat_r <- function(x, ia, ib) {
  a <- x[ia, , drop = FALSE]
  b <- x[ib, , drop = FALSE]
  na <- nrow(a)
  nb <- nrow(b)
  ma <- colMeans(a)
  mb <- colMeans(b)
  va <- colSums(sweep(a, 2, ma)^2) / (na - 1)
  vb <- colSums(sweep(b, 2, mb)^2) / (nb - 1)
  sp <- ((na - 1) * va + (nb - 1) * vb) / (na + nb - 2)
  unname((ma - mb) / sqrt(sp * (1 / na + 1 / nb)))
}

.rank_features <- function(x, cls, by) {
  lev <- levels(cls)
  na <- sum(cls == lev[1])
  nb <- sum(cls == lev[2])
  tstat <- .class_tstat(x, which(cls == lev[1]), which(cls == lev[2]))
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

# Selected features of one training set (internal): rank, then the smallest top-N with the
# lowest resubstitution balanced error of DLDA.
#
# Every DLDA statistic is per feature (class means, pooled variance) and every score is a sum
# over features in rank order, so the fit on the largest candidate set holds the statistics of
# every smaller leading set, and each candidate's scores are colSums of the leading rows of one
# matrix of per-feature terms: the same numbers, in the same order, as dlda_fit() and
# dlda_predict() on each candidate set (tests/testthat/test-classifyr.R compares them with
# identical()), without refitting per candidate.
select_top_features <- function(x, cls, n_features = seq(10, 100, 10), by = "pvalue") {
  cls <- droplevels(as.factor(cls))
  ord <- .rank_features(x, cls, by)
  xt <- x[, ord[seq_len(max(n_features))], drop = FALSE]
  fit <- dlda_fit(xt, cls)
  ok <- fit$var > 0
  xtt <- t(xt)
  terms <- lapply(seq_along(fit$levels), function(i) (xtt - fit$means[i, ])^2 / fit$var)
  logprior <- log(fit$prior)
  errs <- vapply(n_features, function(nf) {
    rows <- which(ok[seq_len(nf)])
    sc <- vapply(seq_along(fit$levels), function(i) {
      colSums(terms[[i]][rows, , drop = FALSE]) + logprior[i]
    }, numeric(nrow(xt)))
    if (!is.matrix(sc)) sc <- matrix(sc, nrow = nrow(xt))
    pred <- factor(fit$levels[max.col(-sc, ties.method = "first")], levels = fit$levels)
    .balanced_error(pred, cls)
  }, numeric(1))
  errs[!is.finite(errs)] <- Inf
  best <- n_features[which(errs == min(errs))[1]]
  ord[seq_len(best)]
}

#' ClassifyR selection frequency: percentage of cross-validation splits selecting each feature
#'
#' What `ClassifyR::runTests(measurements, classes)` with all defaults followed by
#' `distribution()` computed: repeated stratified k-fold cross-validation; in each training set
#' the features are ranked by a t statistic, the number of top features (from `n_features`) is
#' chosen by the resubstitution balanced error of diagonal LDA, and the chosen features are
#' counted.
#'
#' @param x samples x features matrix with column names.
#' @param classes two-class vector, one per row of `x`.
#' @param permutations number of repetitions of the k-fold split.
#' @param folds number of folds.
#' @param n_features candidate numbers of top features.
#' @param version `"3.0"` (balanced folds, p-value ranking, down-sampling), `"2.14"` (balanced
#'   folds, signed t, down-sampling) or `"2.12"` (round-robin folds, signed t, no balancing).
#' @param guard when fewer features than `max(n_features)` exist, drop the larger sizes (the
#'   3.1.6+ behaviour) instead of failing as 2.x and 3.0.0 do.
#' @param seed `set.seed()` before the splits (`NULL` leaves the RNG as it is).
#' @return A named numeric vector of percentages, decreasing (features never selected are
#'   absent).
#' @references Strbenac D, Mann GJ, Ormerod JT, Yang JYH (2015). ClassifyR: an R package for
#'   performance assessment of classification with applications to transcriptomics.
#'   *Bioinformatics* 31(11):1851-1853. Matches ClassifyR 2.12, 2.14 and 3.0 (GitHub
#'   SydneyBioX/ClassifyR); Liu and Hu (2023), *Biomarker Research* 11:9 (Supplementary Fig 1).
#' @examples
#' set.seed(1)
#' x <- matrix(rnorm(40 * 12), 40, dimnames = list(NULL, paste0("f", 1:12)))
#' cls <- rep(c("a", "b"), each = 20)
#' x[cls == "b", 1:2] <- x[cls == "b", 1:2] + 2
#' selection_frequency(x, cls, permutations = 2, n_features = c(2, 5), seed = 1)
#' @export
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

#' A single-hidden-layer network fitted as the authors' code calls nnet; test-set predictions
#'
#' `nnet(x, y, size, decay, maxit)` with a logistic output after `set.seed(seed)`; `MaxNWts`
#' is raised to the network's size (it only guards memory and does not change the fit).
#' The default engine fits with [nnet_fit()]'s compiled code, whose weights and predictions
#' are `identical()` to nnet's and which is several times faster for networks of thousands of
#' weights; `engine = "nnet"` calls `nnet::nnet()` itself.
#'
#' @param xtrain,ytrain training matrix and 0/1 labels.
#' @param xtest matrix of the rows to predict.
#' @param size hidden units.
#' @param decay weight decay.
#' @param maxit maximum iterations.
#' @param seed RNG seed.
#' @param engine `"fast"` ([nnet_fit()]) or `"nnet"` (`nnet::nnet()`); the results are
#'   identical.
#' @return Predicted probabilities for the rows of `xtest`.
#' @references Venables WN, Ripley BD (2002). *Modern Applied Statistics with S*, 4th ed.
#'   Springer (nnet 7.3). Liu and Hu (2023), *Biomarker Research* 11:9; the authors' code
#'   (GitHub qianliu1219/DA_BRCA_radiogenomics, `DNN&XGboost.R`).
#' @examples
#' set.seed(1)
#' x <- matrix(rnorm(40 * 3), 40)
#' y <- as.numeric(x[, 1] > 0)
#' round(nnet_predict(x[1:30, ], y[1:30], x[31:40, ], size = 3), 2)
#' @export
nnet_predict <- function(xtrain, ytrain, xtest, size = 35L, decay = 1e-5, maxit = 200L,
                         seed = 101L, engine = c("fast", "nnet")) {
  engine <- match.arg(engine)
  xtrain <- as.matrix(xtrain)
  xtest <- as.matrix(xtest)
  set.seed(seed, kind = "Mersenne-Twister", normal.kind = "Inversion", sample.kind = "Rejection")
  fit <- nnet_fit(xtrain, as.numeric(ytrain), size = size, decay = decay, maxit = maxit,
                  engine = engine)
  as.numeric(stats::predict(fit, xtest))
}

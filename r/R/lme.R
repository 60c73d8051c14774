#' Random-intercept mixed models for a batch of feature x genomic-feature pairs
#'
#' Fits `nlme::lme(X ~ G, random = ~ 1 | PatientID)` by REML for every column of `X` (an
#' image-level feature) against every column of `G` (a patient-level genomic feature), exactly
#' as study 1's association scan. Failed fits are kept: their row carries R's error message.
#'
#' @param X numeric matrix, images x features (column names are the feature names).
#' @param G numeric matrix, patients x GFs; row names are the patient IDs used in `patient`.
#' @param patient character vector, the patient ID of each row of `X`.
#' @param control `"default"` (lme's defaults) or `"code"` (the authors'
#'   `lmeControl(maxIter = 1, niterEM = 1)`).
#' @param na_action `"fail"` (lme's default `na.fail`) or `"omit"` (`na.omit`).
#' @param start_lambda optional matrix (features x GFs) of starting values of
#'   lambda = sigma_b^2 / sigma^2; lme then starts nlminb there (with `niterEM = 0`). Used to
#'   check that another engine's optimum is a fixed point of nlme's own optimiser.
#' @return A data.frame with one row per pair: `feature`, `gf`, `estimate`, `std_error`, `df`,
#'   `t`, `p` (the GF's row of `summary(fit)$tTable`), `lambda` (sigma_b^2 / sigma^2), `loglik`,
#'   `error` (R's message, `NA` when the fit worked) and `warning`.
#' @references Pinheiro JC, Bates DM (2000). *Mixed-Effects Models in S and S-PLUS*. Springer
#'   (nlme 3.1-162). Liu and Hu (2023), *Biomarker Research* 11:9 (study 1, Fig 5, Tables 2-3).
#' @examples
#' set.seed(1)
#' patient <- rep(sprintf("P%02d", 1:12), each = 3)
#' G <- matrix(rnorm(12), 12, dimnames = list(sprintf("P%02d", 1:12), "gene_a"))
#' X <- matrix(rnorm(36), 36, dimnames = list(NULL, "feature_1"))
#' X[, 1] <- X[, 1] + 0.8 * G[patient, 1] + rep(rnorm(12, 0, 0.5), each = 3)
#' pyradiogen_lme_batch(X, G, patient)[, c("feature", "gf", "estimate", "p")]
#' @export
pyradiogen_lme_batch <- function(X, G, patient, control = c("default", "code"),
                                 na_action = c("fail", "omit"), start_lambda = NULL) {
  control <- match.arg(control)
  na_action <- match.arg(na_action)
  X <- as.matrix(X)
  G <- as.matrix(G)
  patient <- as.character(patient)
  if (nrow(X) != length(patient)) {
    stop(sprintf("X has %d rows but patient has %d entries", nrow(X), length(patient)),
         call. = FALSE)
  }
  if (is.null(rownames(G))) stop("G needs the patient ids as row names", call. = FALSE)
  row <- match(patient, rownames(G))
  if (anyNA(row)) {
    stop(sprintf("patients without a GF row: %s; add them to G or drop their images",
                 paste(utils::head(unique(patient[is.na(row)]), 5), collapse = ", ")),
         call. = FALSE)
  }
  fnames <- if (is.null(colnames(X))) paste0("X", seq_len(ncol(X))) else colnames(X)
  gnames <- if (is.null(colnames(G))) paste0("G", seq_len(ncol(G))) else colnames(G)
  ctrl <- if (control == "code") nlme::lmeControl(maxIter = 1, niterEM = 1) else nlme::lmeControl()
  if (!is.null(start_lambda)) {
    start_lambda <- as.matrix(start_lambda)
    if (!all(dim(start_lambda) == c(ncol(X), ncol(G)))) {
      stop("start_lambda must be a features x GFs matrix", call. = FALSE)
    }
    ctrl$niterEM <- 0
  }
  naf <- if (na_action == "fail") stats::na.fail else stats::na.omit
  n <- ncol(X) * ncol(G)
  out <- data.frame(feature = rep(fnames, each = ncol(G)), gf = rep(gnames, times = ncol(X)),
                    estimate = NA_real_, std_error = NA_real_, df = NA_real_, t = NA_real_,
                    p = NA_real_, lambda = NA_real_, loglik = NA_real_,
                    error = NA_character_, warning = NA_character_, stringsAsFactors = FALSE)
  k <- 0L
  for (i in seq_len(ncol(X))) {
    for (j in seq_len(ncol(G))) {
      k <- k + 1L
      d <- data.frame(X = X[, i], G = G[row, j], PatientID = patient)
      rnd <- if (is.null(start_lambda) || !is.finite(start_lambda[i, j])) {
        ~ 1 | PatientID
      } else {
        list(PatientID = nlme::pdSymm(matrix(max(start_lambda[i, j], 1e-12)), form = ~ 1))
      }
      warns <- character(0)
      fit <- tryCatch(
        withCallingHandlers(
          nlme::lme(X ~ G, data = d, random = rnd, control = ctrl, na.action = naf),
          warning = function(w) {
            warns <<- c(warns, conditionMessage(w))
            invokeRestart("muffleWarning")
          }),
        error = function(e) e)
      if (length(warns)) out$warning[k] <- paste(warns, collapse = "; ")
      if (inherits(fit, "error")) {
        out$error[k] <- conditionMessage(fit)
        next
      }
      tt <- tryCatch(summary(fit)$tTable, error = function(e) e)
      if (inherits(tt, "error")) {
        out$error[k] <- conditionMessage(tt)
        next
      }
      if (!("G" %in% rownames(tt))) {
        out$error[k] <- "G has no coefficient (dropped as collinear)"
        next
      }
      out[k, c("estimate", "std_error", "df", "t", "p")] <- unname(tt["G", ])
      out$lambda[k] <- exp(2 * stats::coef(fit$modelStruct$reStruct, unconstrained = TRUE)[[1]])
      out$loglik[k] <- as.numeric(stats::logLik(fit))
    }
  }
  out
}

#' Intraclass correlation coefficient, as irr::icc computes it
#'
#' One ICC from an n x k table of ratings (subjects in rows, raters in columns), after
#' McGraw & Wong (1996): one-way or two-way model, consistency or absolute agreement, single or
#' average measures, with the F test of H0: ICC = r0 and a (1 - alpha) confidence interval.
#' Subjects with any missing rating are dropped first. For the two-way agreement forms the F
#' test and the interval use approximate degrees of freedom v, computed (as irr does) from the
#' point estimate of the requested unit, so the ICC(A,k) interval differs from psych::ICC's
#' Spearman-Brown-transformed ICC2k interval. Name, arguments and result (class `icclist`)
#' are irr's, so code written for irr runs unchanged.
#'
#' @param ratings numeric matrix or data frame, subjects x raters.
#' @param model `"oneway"` or `"twoway"`.
#' @param type `"consistency"` or `"agreement"` (ignored for the one-way model).
#' @param unit `"single"` or `"average"`.
#' @param r0 ICC under the null hypothesis (0 <= r0 < 1).
#' @param conf.level confidence level of the two-sided interval.
#' @return An object of class `icclist` with elements `subjects`, `raters`, `model`, `type`,
#'   `unit`, `icc.name`, `value`, `r0`, `Fvalue`, `df1`, `df2`, `p.value`, `conf.level`,
#'   `lbound`, `ubound`.
#' @references McGraw KO, Wong SP (1996). Forming inferences about some intraclass correlation
#'   coefficients. *Psychological Methods* 1(1):30-46. Matches irr 0.84.1 `icc` (CRAN irr,
#'   file R/icc.R). Example data: Shrout PE, Fleiss JL (1979). Intraclass correlations: uses in
#'   assessing rater reliability. *Psychological Bulletin* 86(2):420-428.
#' @examples
#' # Shrout & Fleiss (1979): 6 targets rated by 4 judges
#' sf <- matrix(c(9, 6, 8, 7, 10, 6, 2, 1, 4, 1, 5, 2, 5, 3, 6, 2, 6, 4, 8, 2, 8, 6, 9, 7), ncol = 4)
#' icc(sf, model = "twoway", type = "agreement", unit = "single")   # ICC(A,1) = 0.29
#' icc(sf, model = "twoway", type = "consistency")$value            # ICC(C,1) = 0.71
#' @export
icc <- function(ratings, model = c("oneway", "twoway"), type = c("consistency", "agreement"),
                unit = c("single", "average"), r0 = 0, conf.level = 0.95) {
  model <- match.arg(model)
  type <- match.arg(type)
  unit <- match.arg(unit)
  x <- .icc_matrix(ratings)
  if (!is.numeric(r0) || length(r0) != 1L || is.na(r0) || r0 < 0 || r0 >= 1) {
    stop("icc: r0 must be one number in [0, 1)", call. = FALSE)
  }
  if (!is.numeric(conf.level) || length(conf.level) != 1L || is.na(conf.level) ||
      conf.level <= 0 || conf.level >= 1) {
    stop("icc: conf.level must be one number strictly between 0 and 1", call. = FALSE)
  }
  n <- nrow(x)
  k <- ncol(x)
  ms <- .icc_mean_squares(x)
  alpha <- 1 - conf.level
  est <- .icc_estimates(ms, n, k)

  if (model == "oneway") {
    key <- if (unit == "single") "ICC(1)" else "ICC(k)"
    value <- est[[key]]
    f0 <- ms$MSr / ms$MSw
    df1 <- n - 1
    df2 <- n * (k - 1)
    fvalue <- if (unit == "single") f0 * (1 - r0) / (1 + (k - 1) * r0) else f0 * (1 - r0)
    ci <- .icc_ci_ratio(f0, df1, df2, k, unit, alpha)
  } else if (type == "consistency") {
    key <- if (unit == "single") "ICC(C,1)" else "ICC(C,k)"
    value <- est[[key]]
    f0 <- ms$MSr / ms$MSe
    df1 <- n - 1
    df2 <- (n - 1) * (k - 1)
    fvalue <- if (unit == "single") f0 * (1 - r0) / (1 + (k - 1) * r0) else f0 * (1 - r0)
    ci <- .icc_ci_ratio(f0, df1, df2, k, unit, alpha)
  } else {
    key <- if (unit == "single") "ICC(A,1)" else "ICC(A,k)"
    value <- est[[key]]
    kk <- if (unit == "single") k else 1
    a0 <- kk * r0 / (n * (1 - r0))
    b0 <- 1 + kk * r0 * (n - 1) / (n * (1 - r0))
    fvalue <- ms$MSr / (a0 * ms$MSc + b0 * ms$MSe)
    df1 <- n - 1
    df2 <- .icc_satterthwaite_v(value, ms, n, k)
    ci <- .icc_ci_agreement(ms, n, k, df2, unit, alpha)
  }
  p <- stats::pf(fvalue, df1, df2, lower.tail = FALSE)
  structure(list(subjects = n, raters = k, model = model, type = type, unit = unit,
                 icc.name = key, value = value, r0 = r0, Fvalue = fvalue, df1 = df1, df2 = df2,
                 p.value = p, conf.level = conf.level, lbound = ci[[1]], ubound = ci[[2]]),
            class = "icclist")
}

#' All six ICC forms of one ratings table
#'
#' @inheritParams icc
#' @return A data frame, one row per form (ICC(1), ICC(k), ICC(C,1), ICC(C,k), ICC(A,1),
#'   ICC(A,k)), with columns `model`, `type`, `unit`, `icc.name`, `value`, `Fvalue`, `df1`,
#'   `df2`, `p.value`, `lbound`, `ubound`, `subjects`, `raters`.
#' @references McGraw KO, Wong SP (1996). Forming inferences about some intraclass correlation
#'   coefficients. *Psychological Methods* 1(1):30-46. Each row is irr 0.84.1 `icc` of that form.
#' @examples
#' sf <- matrix(c(9, 6, 8, 7, 10, 6, 2, 1, 4, 1, 5, 2, 5, 3, 6, 2, 6, 4, 8, 2, 8, 6, 9, 7), ncol = 4)
#' icc_all(sf)[, c("icc.name", "value", "lbound", "ubound")]
#' @export
icc_all <- function(ratings, r0 = 0, conf.level = 0.95) {
  forms <- list(c("oneway", "consistency", "single"), c("oneway", "consistency", "average"),
                c("twoway", "consistency", "single"), c("twoway", "consistency", "average"),
                c("twoway", "agreement", "single"), c("twoway", "agreement", "average"))
  rows <- lapply(forms, function(f) {
    r <- icc(ratings, model = f[1], type = f[2], unit = f[3], r0 = r0, conf.level = conf.level)
    data.frame(model = r$model, type = r$type, unit = r$unit, icc.name = r$icc.name,
               value = r$value, Fvalue = r$Fvalue, df1 = r$df1, df2 = r$df2,
               p.value = r$p.value, lbound = r$lbound, ubound = r$ubound,
               subjects = r$subjects, raters = r$raters, stringsAsFactors = FALSE)
  })
  do.call(rbind, rows)
}

#' Print an intraclass correlation
#'
#' @param x an `icclist` from [icc()].
#' @param digits significant digits.
#' @param ... ignored.
#' @return `x`, invisibly.
#' @references The layout of irr 0.84.1's `print.icclist`.
#' @examples
#' sf <- matrix(c(9, 6, 8, 7, 10, 6, 2, 1, 4, 1, 5, 2, 5, 3, 6, 2, 6, 4, 8, 2, 8, 6, 9, 7), ncol = 4)
#' print(icc(sf, model = "twoway"), digits = 4)
#' @method print icclist
#' @export
print.icclist <- function(x, digits = 3, ...) {
  model <- if (x$model == "oneway") "one-way" else "two-way"
  what <- if (x$model == "oneway") "" else paste0(", ", x$type)
  cat(sprintf("Intraclass correlation %s: %s model%s, %s measures\n", x$icc.name, model, what,
              x$unit))
  cat(sprintf("  %d subjects rated by %d raters\n", x$subjects, x$raters))
  cat(sprintf("  ICC = %s\n", format(x$value, digits = digits)))
  cat(sprintf("  H0: ICC = %s; F(%s, %s) = %s, p = %s\n", format(x$r0), format(x$df1, digits = digits + 1),
              format(x$df2, digits = digits + 1), format(x$Fvalue, digits = digits),
              format.pval(x$p.value, digits = digits)))
  cat(sprintf("  %s%% confidence interval: [%s, %s]\n", format(100 * x$conf.level),
              format(x$lbound, digits = digits), format(x$ubound, digits = digits)))
  invisible(x)
}

.icc_matrix <- function(ratings) {
  if (is.data.frame(ratings)) {
    bad <- !vapply(ratings, is.numeric, logical(1))
    if (any(bad)) {
      stop(sprintf("icc: rating column(s) %s are not numeric; pass only the raters' columns",
                   paste(names(ratings)[bad], collapse = ", ")), call. = FALSE)
    }
    ratings <- as.matrix(ratings)
  }
  if (!is.matrix(ratings) || !is.numeric(ratings)) {
    stop("icc: ratings must be a numeric matrix or data frame (subjects in rows, raters in columns)",
         call. = FALSE)
  }
  storage.mode(ratings) <- "double"
  x <- ratings[stats::complete.cases(ratings), , drop = FALSE]
  if (ncol(x) < 2L) stop("icc: at least 2 raters (columns) are needed", call. = FALSE)
  if (nrow(x) < 2L) {
    stop(sprintf("icc: at least 2 subjects with complete ratings are needed, found %d", nrow(x)),
         call. = FALSE)
  }
  x
}

.icc_mean_squares <- function(x) {
  n <- nrow(x)
  k <- ncol(x)
  ss_total <- stats::var(as.vector(x)) * (n * k - 1)
  msr <- k * stats::var(rowMeans(x))
  msw <- sum(apply(x, 1L, stats::var)) / n
  msc <- n * stats::var(colMeans(x))
  mse <- (ss_total - (n - 1) * msr - (k - 1) * msc) / ((n - 1) * (k - 1))
  list(MSr = msr, MSw = msw, MSc = msc, MSe = mse)
}

.icc_estimates <- function(ms, n, k) {
  with(ms, list(
    "ICC(1)" = (MSr - MSw) / (MSr + (k - 1) * MSw),
    "ICC(k)" = (MSr - MSw) / MSr,
    "ICC(C,1)" = (MSr - MSe) / (MSr + (k - 1) * MSe),
    "ICC(C,k)" = (MSr - MSe) / MSr,
    "ICC(A,1)" = (MSr - MSe) / (MSr + (k - 1) * MSe + (k / n) * (MSc - MSe)),
    "ICC(A,k)" = (MSr - MSe) / (MSr + (MSc - MSe) / n)
  ))
}

.icc_ci_ratio <- function(f0, df1, df2, k, unit, alpha) {
  fl <- f0 / stats::qf(1 - alpha / 2, df1, df2)
  fu <- f0 * stats::qf(1 - alpha / 2, df2, df1)
  if (unit == "single") {
    c((fl - 1) / (fl + k - 1), (fu - 1) / (fu + k - 1))
  } else {
    c(1 - 1 / fl, 1 - 1 / fu)
  }
}

.icc_satterthwaite_v <- function(rho, ms, n, k) {
  a <- k * rho / (n * (1 - rho))
  b <- 1 + k * rho * (n - 1) / (n * (1 - rho))
  (a * ms$MSc + b * ms$MSe)^2 /
    ((a * ms$MSc)^2 / (k - 1) + (b * ms$MSe)^2 / ((n - 1) * (k - 1)))
}

.icc_ci_agreement <- function(ms, n, k, v, unit, alpha) {
  fs <- stats::qf(1 - alpha / 2, n - 1, v)
  fss <- stats::qf(1 - alpha / 2, v, n - 1)
  with(ms, {
    if (unit == "single") {
      lo <- n * (MSr - fs * MSe) / (fs * (k * MSc + (k * n - k - n) * MSe) + n * MSr)
      up <- n * (fss * MSr - MSe) / (k * MSc + (k * n - k - n) * MSe + n * fss * MSr)
    } else {
      lo <- n * (MSr - fs * MSe) / (fs * (MSc - MSe) + n * MSr)
      up <- n * (fss * MSr - MSe) / (MSc - MSe + n * fss * MSr)
    }
    c(lo, up)
  })
}

#' ICC of many rating tables at once (one row per table)
#'
#' Used for the inter-reader table of a radiomics study: one subjects x raters matrix per
#' feature.
#'
#' @param ratings_list named list of numeric matrices or data frames (subjects x raters).
#' @inheritParams icc
#' @return A data frame with column `name` (the list names) then `icc.name`, `value`, `Fvalue`,
#'   `df1`, `df2`, `p.value`, `lbound`, `ubound`, `subjects`, `raters`.
#' @references McGraw KO, Wong SP (1996). Forming inferences about some intraclass correlation
#'   coefficients. *Psychological Methods* 1(1):30-46. Each row is irr 0.84.1 `icc`.
#' @examples
#' set.seed(1)
#' truth <- matrix(rnorm(20 * 2), 20)
#' tables <- list(feature_a = cbind(truth[, 1], truth[, 1] + rnorm(20, 0, 0.2)),
#'                feature_b = cbind(truth[, 2], rnorm(20)))
#' icc_many(tables)
#' @export
icc_many <- function(ratings_list, model = "twoway", type = "agreement", unit = "single",
                     r0 = 0, conf.level = 0.95) {
  if (!is.list(ratings_list) || is.null(names(ratings_list))) {
    stop("icc_many: ratings_list must be a named list of rating matrices", call. = FALSE)
  }
  rows <- lapply(names(ratings_list), function(nm) {
    r <- tryCatch(icc(ratings_list[[nm]], model = model, type = type, unit = unit, r0 = r0,
                      conf.level = conf.level),
                  error = function(e) stop(sprintf("icc_many: table '%s': %s", nm,
                                                   conditionMessage(e)), call. = FALSE))
    data.frame(name = nm, icc.name = r$icc.name, value = r$value, Fvalue = r$Fvalue,
               df1 = r$df1, df2 = r$df2, p.value = r$p.value, lbound = r$lbound,
               ubound = r$ubound, subjects = r$subjects, raters = r$raters,
               stringsAsFactors = FALSE)
  })
  do.call(rbind, rows)
}

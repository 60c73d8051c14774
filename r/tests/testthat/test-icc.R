# icc() against psych::ICC (aov path, lmer = FALSE: lme4 is not installed and with complete data
# the two agree whenever no variance component is negative) on data shipped with R and psych,
# plus the Shrout & Fleiss (1979) worked example of specs/irr_icc.md section 8.

sf_data <- function() {
  matrix(c(9, 2, 5, 8, 6, 1, 3, 2, 8, 4, 6, 8, 7, 1, 2, 6, 10, 5, 6, 9, 6, 2, 4, 7),
         ncol = 4, byrow = TRUE)
}

# sleep (R datasets): extra sleep of 10 patients under 2 drugs -> 10 subjects x 2 "raters"
sleep_data <- function() {
  s <- datasets::sleep
  cbind(s$extra[s$group == "1"], s$extra[s$group == "2"])
}

# psych's row for each of our forms
psych_rows <- c("ICC(1)" = "ICC1", "ICC(k)" = "ICC1k", "ICC(C,1)" = "ICC3", "ICC(C,k)" = "ICC3k",
                "ICC(A,1)" = "ICC2", "ICC(A,k)" = "ICC2k")

compare_with_psych <- function(x, tol = 1e-10) {
  skip_if_not_installed("psych")
  ours <- icc_all(x)
  ps <- psych::ICC(stats::na.omit(as.matrix(x)), lmer = FALSE, alpha = 0.05)$results
  rownames(ps) <- ps$type
  for (i in seq_len(nrow(ours))) {
    o <- ours[i, ]
    p <- ps[psych_rows[[o$icc.name]], ]
    expect_equal(o$value, p$ICC, tolerance = tol, label = paste(o$icc.name, "estimate"))
    expect_equal(o$Fvalue, p$F, tolerance = tol, label = paste(o$icc.name, "F"))
    expect_equal(o$df1, p$df1, tolerance = tol)
    if (o$type == "agreement" && o$model == "twoway") {
      # irr's df2 is Satterthwaite v, psych's is (n-1)(k-1): p differs by design (spec 7)
      expect_equal(o$p.value, stats::pf(o$Fvalue, o$df1, o$df2, lower.tail = FALSE),
                   tolerance = tol)
    } else {
      expect_equal(o$df2, p$df2, tolerance = tol)
      expect_equal(o$p.value, p$p, tolerance = tol, label = paste(o$icc.name, "p"))
    }
    if (o$icc.name == "ICC(A,k)") {
      # psych Spearman-Brown-transforms the ICC2 bounds; check that relation with ours
      single <- ours[ours$icc.name == "ICC(A,1)", ]
      k <- o$raters
      sb <- function(r) k * r / (1 + (k - 1) * r)
      expect_equal(sb(single$lbound), p$`lower bound`, tolerance = tol)
      expect_equal(sb(single$ubound), p$`upper bound`, tolerance = tol)
    } else {
      expect_equal(o$lbound, p$`lower bound`, tolerance = tol, label = paste(o$icc.name, "lower"))
      expect_equal(o$ubound, p$`upper bound`, tolerance = tol, label = paste(o$icc.name, "upper"))
    }
  }
  invisible(ours)
}

test_that("Shrout & Fleiss data: all six forms equal psych::ICC", {
  compare_with_psych(sf_data())
})

test_that("sleep (R datasets, k = 2 like two readers): all six forms equal psych::ICC", {
  compare_with_psych(sleep_data())
})

test_that("USJudgeRatings (43 x 12, R datasets): all six forms equal psych::ICC", {
  compare_with_psych(datasets::USJudgeRatings)
})

test_that("psych::bfi items with missing values: incomplete subjects are dropped", {
  skip_if_not_installed("psych")
  x <- get(utils::data("bfi", package = "psych", envir = environment()))[1:80, c("A2", "A3", "A4")]
  expect_true(any(!stats::complete.cases(x)))
  ours <- compare_with_psych(x)
  expect_equal(ours$subjects[1], sum(stats::complete.cases(x)))
})

test_that("worked check of specs/irr_icc.md section 8 (4 decimals)", {
  r <- icc_all(sf_data())
  expect_equal(r$value, c(0.1657, 0.4428, 0.7148, 0.9093, 0.2898, 0.6201), tolerance = 6e-4)
  expect_equal(r$Fvalue, c(1.7947, 1.7947, 11.0272, 11.0272, 11.0272, 11.0272), tolerance = 1e-4)
  expect_equal(r$df2, c(18, 18, 15, 15, 4.7851, 4.1891), tolerance = 1e-4)
  expect_equal(round(r$p.value, 4), c(0.1648, 0.1648, 0.0001, 0.0001, 0.0113, 0.0165))
  expect_equal(round(r$lbound, 4), c(-0.1329, -0.8844, 0.3425, 0.6757, 0.0188, 0.0394))
  expect_equal(round(r$ubound, 4), c(0.7226, 0.9124, 0.9459, 0.9859, 0.7611, 0.9286))
})

test_that("r0 > 0 follows the McGraw & Wong F statistics", {
  x <- sf_data()
  n <- 6; k <- 4; r0 <- 0.2
  a <- icc(x, "twoway", "agreement", "single", r0 = r0)
  msr <- 11.241666666666667; msc <- 32.486111111111114; mse <- 1.0194444444444446
  a0 <- k * r0 / (n * (1 - r0)); b0 <- 1 + k * r0 * (n - 1) / (n * (1 - r0))
  expect_equal(a$Fvalue, msr / (a0 * msc + b0 * mse), tolerance = 1e-10)
  c1 <- icc(x, "twoway", "consistency", "average", r0 = r0)
  expect_equal(c1$Fvalue, msr / mse * (1 - r0), tolerance = 1e-10)
  o1 <- icc(x, "oneway", unit = "single", r0 = r0)
  expect_equal(o1$Fvalue, 1.794678492239468 * (1 - r0) / (1 + (k - 1) * r0), tolerance = 1e-8)
})

test_that("a narrower confidence level gives a narrower interval", {
  w95 <- icc(sf_data(), "twoway", "consistency", "single")
  w80 <- icc(sf_data(), "twoway", "consistency", "single", conf.level = 0.8)
  expect_gt(w80$lbound, w95$lbound)
  expect_lt(w80$ubound, w95$ubound)
})

test_that("the result is shaped like irr's icclist and prints", {
  r <- icc(sf_data(), "twoway", "agreement", "average")
  expect_s3_class(r, "icclist")
  expect_named(r, c("subjects", "raters", "model", "type", "unit", "icc.name", "value", "r0",
                    "Fvalue", "df1", "df2", "p.value", "conf.level", "lbound", "ubound"))
  expect_output(print.icclist(r), "ICC\\(A,k\\)")
})

test_that("bad input gives clear errors", {
  expect_error(icc(matrix(1:3, ncol = 1)), "at least 2 raters")
  expect_error(icc(matrix(c(1, NA, 2, 3), ncol = 2)), "at least 2 subjects")
  expect_error(icc(data.frame(a = 1:3, b = letters[1:3])), "not numeric")
  expect_error(icc(sf_data(), r0 = 1), "r0")
  expect_error(icc(sf_data(), model = "threeway"))
})

test_that("icc_many gives one row per table, equal to icc(), and names a bad table", {
  tabs <- list(sf = sf_data(), sleep = sleep_data())
  m <- icc_many(tabs, model = "twoway", type = "agreement", unit = "single")
  expect_equal(m$name, c("sf", "sleep"))
  expect_equal(m$value[2], icc(sleep_data(), "twoway", "agreement")$value, tolerance = 1e-14)
  expect_equal(m$lbound[1], icc(sf_data(), "twoway", "agreement")$lbound, tolerance = 1e-14)
  expect_error(icc_many(list(bad = matrix(1:3, ncol = 1))), "table 'bad'.*at least 2 raters")
})

test_that("Shrout & Fleiss's (1979) example gives their published ICCs", {
  sf <- matrix(c(9, 6, 8, 7, 10, 6, 2, 1, 4, 1, 5, 2, 5, 3, 6, 2, 6, 4, 8, 2, 8, 6, 9, 7), ncol = 4)
  v <- icc_all(sf)
  # their published values: ICC(1,1) .17, ICC(2,1) .29, ICC(3,1) .71, ICC(1,4) .44,
  # ICC(2,4) .62, ICC(3,4) .91
  expect_equal(round(v$value, 2), c(0.17, 0.44, 0.71, 0.91, 0.29, 0.62))
  expect_equal(v$icc.name, c("ICC(1)", "ICC(k)", "ICC(C,1)", "ICC(C,k)", "ICC(A,1)", "ICC(A,k)"))
})

worked_example <- function() {
  ys <- list(5.1, c(6.3, 5.8), c(7.9, 8.4, 7.2), c(4.6, 5.0, 5.9, 4.1), c(9.3, 8.8),
             c(6.0, 6.7, 7.4, 5.5, 6.2), c(8.1, 7.7, 9.0))
  G <- cbind(x = c(0.5, 1.0, 2.0, -0.5, 3.0, 1.5, 2.5))
  rownames(G) <- LETTERS[1:7]
  list(X = cbind(y = unlist(ys)), G = G, patient = rep(LETTERS[1:7], lengths(ys)))
}

test_that("the spec's worked example matches nlme's tTable row for x", {
  d <- worked_example()
  out <- pyradiogen_lme_batch(d$X, d$G, d$patient)
  expect_equal(nrow(out), 1L)
  expect_equal(out$estimate, 1.22172503940, tolerance = 1e-9)
  expect_equal(out$std_error, 0.168787017100, tolerance = 1e-9)
  expect_equal(out$df, 5)
  expect_equal(out$t, 7.23826429541, tolerance = 1e-9)
  expect_equal(out$p, 7.85562965312e-04, tolerance = 1e-8)
  expect_equal(out$loglik, -21.9331840256, tolerance = 1e-10)
  expect_true(is.na(out$error))
})

test_that("the code control changes the fit only within optimiser tolerance", {
  d <- worked_example()
  a <- pyradiogen_lme_batch(d$X, d$G, d$patient, control = "default")
  b <- pyradiogen_lme_batch(d$X, d$G, d$patient, control = "code")
  expect_equal(b$estimate, 1.22172504255, tolerance = 1e-9)
  expect_equal(b$std_error, 0.168787021058, tolerance = 1e-9)
  expect_lt(abs(a$estimate - b$estimate), 1e-7)
  expect_equal(a$loglik, b$loglik, tolerance = 1e-10)
  expect_equal(a$df, b$df)
})

test_that("failed fits are kept with R's message", {
  d <- worked_example()
  X <- cbind(d$X, const = 1, miss = c(NA, d$X[-1, 1]))
  G <- cbind(d$G, flat = 2)
  out <- pyradiogen_lme_batch(X, G, d$patient)
  expect_equal(nrow(out), 6L)
  expect_equal(out$feature, rep(c("y", "const", "miss"), each = 2))
  expect_equal(out$gf, rep(c("x", "flat"), 3))
  expect_true(is.na(out$error[1]))
  expect_match(out$error[2], "Singularity")
  expect_match(out$error[5], "missing values")
  expect_true(all(is.na(out$estimate[-1])))
  omit <- pyradiogen_lme_batch(X[, "miss", drop = FALSE], d$G, d$patient, na_action = "omit")
  expect_true(is.na(omit$error))
  expect_equal(omit$df, 4)  # patient A (one image) is dropped: m = 6
})

test_that("a start at the optimum is a fixed point of nlme's optimiser", {
  d <- worked_example()
  a <- pyradiogen_lme_batch(d$X, d$G, d$patient)
  s <- pyradiogen_lme_batch(d$X, d$G, d$patient, start_lambda = matrix(0.2352298208))
  expect_equal(s$lambda, 0.2352298208, tolerance = 1e-6)
  expect_equal(s$estimate, a$estimate, tolerance = 1e-7)
  expect_error(pyradiogen_lme_batch(d$X, d$G, d$patient, start_lambda = matrix(1, 2, 2)),
               "features x GFs")
})

test_that("unknown patients are named", {
  d <- worked_example()
  expect_error(pyradiogen_lme_batch(d$X, d$G, replace(d$patient, 1, "Z")), "Z")
})

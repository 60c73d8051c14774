# geneid.map, rescale and sig.score on hand-made inputs (spec shared/specs/genefu.md, sections 0-3)

test_that("rescale uses min/max or type-7 quantiles and leaves all-NA vectors NA", {
  x <- c(4, 1, 3, 2, 5)
  expect_equal(rescale(x), (x - 1) / 4)
  y <- 1:21
  # h = 20 * 0.05 + 1 = 2 -> v2 = 2 ; h = 20 * 0.95 + 1 = 20 -> v20 = 20
  expect_equal(rescale(y, q = 0.1), (y - 2) / 18)
  # 11 values, p = 0.025: h = 1.25 -> 0.75 * v1 + 0.25 * v2
  z <- c(0, 10, 20, 30, 40, 50, 60, 70, 80, 90, 100)
  lo <- 0.75 * 0 + 0.25 * 10
  hi <- 0.25 * 90 + 0.75 * 100
  expect_equal(rescale(z, q = 0.05, na.rm = TRUE), (z - lo) / (hi - lo))
  expect_true(all(is.na(rescale(c(NA_real_, NA_real_), q = 0.05, na.rm = TRUE))))
  expect_equal(pyradiogen:::.robust_scale(z), 2 * ((z - lo) / (hi - lo) - 0.5))
})

test_that("geneid.map keeps the probe with the largest sd * (ln((n+1)/(k+1)) + 1)", {
  d <- cbind(a1 = c(1, 2, 3, 4), a2 = c(1, 5, 9, 13), b1 = c(2, 2, 3, 3),
             c1 = c(1, 10, NA, 20), c2 = c(1, 2, 3, 4), e1 = c(NA, NA, NA, NA))
  ids <- c(10, 10, 20, 30, 30, 40)
  gm <- geneid.map(ids, d, c(30, 99, 10, 20, 40))
  # signature order; 99 unknown, 40 only in an all-missing column
  expect_equal(unname(gm$geneid2), c("30", "10", "20"))
  expect_equal(gm$probe, c("c1", "a2", "b1"))
  # c1: sd(1,10,20) * (ln(5/2) + 1) = 9.5394 * 1.9163 = 18.28 > c2: sd(1:4) * (ln 5 + 1) = 3.38
  s_c1 <- sd(c(1, 10, 20)) * (log(5 / 2) + 1)
  s_c2 <- sd(1:4) * (log(5) + 1)
  expect_gt(s_c1, s_c2)
  expect_equal(colnames(gm$data1), c("c1", "a2", "b1"))
  expect_equal(gm$index2, c(1L, 3L, 4L))
  expect_null(geneid.map(ids, d, c(1, 2)))
})

test_that("geneid.map ties (to 15 significant digits) keep the first column", {
  d <- cbind(p1 = c(0, 1, 2), p2 = c(0, 1, 2) * (1 + 4e-16), p3 = c(5, 5, NA))
  expect_gt(sd(d[, "p2"]), sd(d[, "p1"]))  # p2 is larger in full double precision
  gm <- geneid.map(c(7, 7, 7), d, 7)
  expect_equal(gm$probe, "p1")
  d2 <- cbind(p1 = c(1, NA, NA), p2 = c(NA, 3, NA))  # both sds undefined -> first
  expect_equal(geneid.map(c(7, 7), d2, 7)$probe, "p1")
  d3 <- cbind(p1 = c(1, NA, NA), p2 = c(0, 3, 1))    # undefined sd ranks last
  expect_equal(geneid.map(c(7, 7), d3, 7)$probe, "p2")
})

test_that("gene IDs are compared as text; numeric-first IDs drop '7157 /// 1234'", {
  d <- cbind(x = 1:3, y = 3:1)
  expect_equal(geneid.map(c("7157 /// 1234", "5"), d, c("7157 /// 1234"))$probe, "x")
  expect_null(geneid.map(c("7157 /// 1234", "5"), d, c("7157 /// 1234"), numeric_first = TRUE))
  expect_equal(pyradiogen:::.gid_text(c(4288, NA, 100000000)), c("4288", NA, "100000000"))
})

sig4 <- data.frame(probe = c("p1", "p2", "p3", "p4"), EntrezGene.ID = c(1, 2, 3, 4),
                   coefficient = c(2, -1, 0, -3), stringsAsFactors = FALSE)
d4 <- rbind(s1 = c(1, 2, 3, 4), s2 = c(10, 0, 20, NA), s3 = c(5, NA, 7, NA))
colnames(d4) <- c("p1", "p2", "p3", "p4")

test_that("sig.score is the signed average: P/(P+N) mean(G+) - N/(P+N) mean(G-)", {
  s <- sig.score(sig4, d4)$score
  # G+ = p1, p3 (0 counts as positive), G- = p2, p4; P = N = 2
  expect_equal(unname(s[1]), 0.5 * (1 + 3) / 2 - 0.5 * (2 + 4) / 2)
  expect_equal(unname(s[2]), 0.5 * (10 + 20) / 2 - 0.5 * 0)
  expect_true(is.nan(s[3]))  # all of G- missing -> 0/0
  expect_equal(names(s), c("s1", "s2", "s3"))
  # unsigned: |coef|-weighted means over non-missing genes
  u <- sig.score(sig4, d4, signed = FALSE)$score
  expect_equal(unname(u[1]), 0.5 * (2 * 1 + 0 * 3) / 2 - 0.5 * (1 * 2 + 3 * 4) / 4)
  # size = 2 keeps the two largest |coef|: p4 (-3), p1 (2)
  expect_equal(unname(sig.score(sig4, d4, size = 2)$score[1]), 0.5 * 1 - 0.5 * 4)
  # cutoff keeps |coef| > 1.5: p1, p4
  expect_equal(unname(sig.score(sig4, d4, cutoff = 1.5)$score[1]), 0.5 * 1 - 0.5 * 4)
})

test_that("sig.score with mapping uses annot Entrez IDs and warns naming missing genes", {
  d <- d4[, c("p1", "p2", "p3")]
  colnames(d) <- c("A", "B", "C")
  annot <- data.frame(probe = c("A", "B", "C"), EntrezGene.ID = c(1, 2, 3))
  expect_warning(res <- sig.score(sig4, d, annot, do.mapping = TRUE, label = "toy"),
                 "toy: 1 of 4 signature genes not found.*Entrez 4")
  # G+ = 1, 3 ; G- = 2 -> P = 2, N = 1
  expect_equal(unname(res$score[1]), 2 / 3 * (1 + 3) / 2 - 1 / 3 * 2)
  expect_equal(unname(res$mapping), c(3, 4))
  expect_warning(none <- sig.score(sig4, d, data.frame(probe = c("A", "B", "C"),
                                                       EntrezGene.ID = c(7, 8, 9)),
                                   do.mapping = TRUE, label = "toy"),
                 "NA for every sample")
  expect_true(all(is.na(none$score)))
})

# ssGSEA wrapper: hand-computed values, an independent running-sum implementation, GMT reading.

skip_if_not_installed("GSVA")

naive_ssgsea <- function(x, sets, alpha = 0.25) {
  # spec: truncated average ranks, stable decreasing order, sum of running-sum differences
  n <- nrow(x)
  sets <- lapply(sets, function(s) unique(match(s, rownames(x))[!is.na(match(s, rownames(x)))]))
  sapply(seq_len(ncol(x)), function(j) {
    r <- as.integer(rank(x[, j], ties.method = "average"))
    ord <- order(-r, seq_len(n))
    vapply(sets, function(idx) {
      inset <- ord %in% idx
      w <- r[ord]^alpha * inset
      sum(cumsum(w) / sum(w) - cumsum(!inset) / sum(!inset))
    }, numeric(1))
  })
}

test_that("hand example: 4 genes, one set", {
  x <- matrix(c(1, 2, 3, 4), ncol = 1, dimnames = list(paste0("g", 1:4), "s"))
  es <- suppressWarnings(pyradiogen_ssgsea(x, list(S = c("g4", "g2")), normalize = FALSE))
  w4 <- 4^0.25; w2 <- 2^0.25
  expect_equal(es[1, 1], (4 * w4 + 2 * w2) / (w4 + w2) - 2, tolerance = 1e-14)
  expect_equal(es[1, 1], 1.0864272337258902, tolerance = 1e-12)
})

test_that("wrapper equals the running-sum definition with ties and partial sets", {
  set.seed(3)
  x <- matrix(sample(0:5, 40 * 5, replace = TRUE), 40, 5,
              dimnames = list(paste0("G", 1:40), paste0("S", 1:5)))
  x[, 1] <- rnorm(40)
  sets <- list(a = c("G1", "G2", "G3", "NOPE"), b = paste0("G", 10:25),
               c = c("G40", "G39", "G38", "G5", "X"), none = c("X", "Y"))
  es <- suppressWarnings(pyradiogen_ssgsea(x, sets, normalize = FALSE))
  expect_equal(rownames(es), c("a", "b", "c"))
  expect_equal(unname(es), unname(naive_ssgsea(x, sets[1:3])), tolerance = 1e-10)
  norm <- suppressWarnings(pyradiogen_ssgsea(x, sets))
  expect_equal(norm, es / (max(es) - min(es)), tolerance = 1e-14)
  # size filter after intersection: 'a' has 3 mapped genes
  es4 <- suppressWarnings(pyradiogen_ssgsea(x, sets, min_size = 4, normalize = FALSE))
  expect_equal(rownames(es4), c("b", "c"))
})

test_that("samples as rows and GMT input", {
  set.seed(4)
  x <- matrix(rnorm(30 * 4), 30, 4, dimnames = list(paste0("G", 1:30), paste0("S", 1:4)))
  gmt <- tempfile(fileext = ".gmt")
  writeLines(c("A\tNA\tG1\tG2\tG3\t\t", "B\turl\tG10\tG11\tG12\tG13"), gmt)
  sets <- pyradiogen_read_gmt(gmt)
  expect_equal(sets, list(A = c("G1", "G2", "G3"), B = c("G10", "G11", "G12", "G13")))
  a <- pyradiogen_ssgsea(x, gmt)
  b <- pyradiogen_ssgsea(t(x), sets, samples_as_rows = TRUE)
  expect_equal(t(a), b)
  expect_equal(dim(b), c(4L, 2L))
  expect_error(pyradiogen_read_gmt(file.path(tempdir(), "none.gmt")), "not found")
})

test_that("bundled KEGG collection is used by default", {
  sets <- pyradiogen_read_gmt(pyradiogen_extdata("genesets", "c2.cp.kegg.v7.2.symbols.gmt"))
  expect_length(sets, 186)
  genes <- unique(unlist(sets))[1:600]
  set.seed(5)
  x <- matrix(rnorm(600 * 3), 600, 3, dimnames = list(genes, c("a", "b", "c")))
  es <- suppressWarnings(pyradiogen_ssgsea(x))
  expect_equal(ncol(es), 3L)
  expect_true(nrow(es) > 100)
  expect_equal(max(es) - min(es), 1, tolerance = 1e-12)
})

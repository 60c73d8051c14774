# oncotypedx, endoPredict, gene70, gene76, ggi, pik3cags, tamr13 on hand-made inputs, against
# values worked out by hand from the formulas in shared/specs/genefu.md (sections 4-5, 8-10, 13-14).

odx_sig <- function() {
  s <- genefu_signature("oncotypedx")
  s[s$group != "reference", ]
}

# samples x 16 genes (columns = probe.affy) from a named list of per-symbol values
odx_data <- function(rows) {
  s <- odx_sig()
  m <- t(vapply(rows, function(r) {
    v <- stats::setNames(rep(r$default, nrow(s)), s$symbol)
    for (g in setdiff(names(r), "default")) v[g] <- r[[g]]
    unname(v)
  }, numeric(nrow(s))))
  colnames(m) <- s$probe.affy
  m
}

er_genes <- c("ESR1", "PGR", "BCL2", "SCUBE2")

test_that("oncotypedx (no scaling) matches hand-computed recurrence scores and risks", {
  d <- odx_data(list(all10 = list(default = 10), all5 = list(default = 5),
                     er15 = list(default = 0, ESR1 = 15, PGR = 15, BCL2 = 15, SCUBE2 = 15),
                     er8 = list(default = 0, ESR1 = 8, PGR = 8, BCL2 = 8, SCUBE2 = 8)))
  res <- oncotypedx(d, do.scaling = FALSE)
  # all10: RSU = 4.7 - 3.4 + 10.4 + 1.0 + 0.5 - 0.8 - 0.7 = 11.7 -> 20 * 5 = 100
  # all5 : GRB7 floor 8, prolif floor 6.5: 3.76 - 1.7 + 6.76 + 0.5 + 0.25 - 0.4 - 0.35 = 8.82 -> 42.4
  # er15 : 3.76 - 5.1 + 6.76 = 5.42 -> -25.6 -> 0 ; er8: 3.76 - 2.72 + 6.76 = 7.8 -> 22
  expect_equal(unname(res$score), c(100, 42.4, 0, 22), tolerance = 1e-12)
  expect_equal(unname(res$risk), c(1, 1, 0, 0.5))
  expect_equal(names(res$score), c("all10", "all5", "er15", "er8"))
  expect_equal(unname(res$mapping), c(16, 16))
})

test_that("oncotypedx rescales each gene to [0, 15] over the batch", {
  s <- odx_sig()
  set.seed(2)
  k <- runif(16, 0.5, 3)
  off <- rnorm(16, 7)
  d <- sapply(seq_len(16), function(j) c(0, 1, 2, 3) * k[j] + off[j])
  colnames(d) <- s$probe.affy
  rownames(d) <- paste0("s", 1:4)
  # every gene becomes 0, 5, 10, 15; all-0: 3.76 + 6.76 = 10.52 -> 76.4
  res <- oncotypedx(d)
  expect_equal(unname(res$score), c(76.4, 42.4, 100, 100), tolerance = 1e-12)
  expect_equal(unname(res$risk), c(1, 1, 1, 1))
})

test_that("oncotypedx: a missing value gives NA for that sample; a missing gene NA for all", {
  d <- odx_data(list(a = list(default = 5), b = list(default = 10)))
  d["a", 3] <- NA
  res <- oncotypedx(d, do.scaling = FALSE)
  expect_true(is.na(res$score["a"]) && is.na(res$risk["a"]))
  expect_equal(unname(res$score["b"]), 100)
  cd68 <- odx_sig()$probe.affy[odx_sig()$symbol == "CD68"]
  expect_warning(r2 <- oncotypedx(d[, colnames(d) != cd68], do.scaling = FALSE),
                 "oncotypedx: 1 of 16 signature genes not found.*CD68")
  expect_true(all(is.na(r2$score)) && all(is.na(r2$risk)))
})

test_that("oncotypedx with mapping picks probes by Entrez ID and needs all 16 genes", {
  s <- odx_sig()
  d <- odx_data(list(all10 = list(default = 10), all5 = list(default = 5),
                     er8 = list(default = 0, ESR1 = 8, PGR = 8, BCL2 = 8, SCUBE2 = 8)))
  colnames(d) <- paste0("g", s$EntrezGene.ID)
  # a second, flat MKI67 probe must lose against the varying one
  d <- cbind(d, dupMKI67 = c(1, 1, 1.01))
  annot <- data.frame(probe = colnames(d), EntrezGene.ID = c(s$EntrezGene.ID, 4288))
  res <- oncotypedx(d, annot, do.mapping = TRUE, do.scaling = FALSE)
  expect_equal(unname(res$score), c(100, 42.4, 22), tolerance = 1e-12)
  expect_equal(unname(res$probe["MKI67"]), "g4288")
  annot$EntrezGene.ID[annot$probe == "g2886"] <- 0  # GRB7 no longer maps
  expect_warning(r2 <- oncotypedx(d, annot, do.mapping = TRUE), "GRB7 \\(Entrez 2886\\)")
  expect_true(all(is.na(r2$score)))
})

ep_w <- c(0.41, -0.35, 0.39, -0.31, -0.26, 0.39, -0.18, -0.15)
ep_a <- c(0.94, 0.71, 0.79, 0.81, 0.67, 0.89, 0.49, 0.83)
ep_b <- c(-3.8, -0.9, -1.4, -5, -0.8, -4.4, 4.3, -3.6)
ep_by_hand <- function(x) {  # x: 8 values in GOI order, already on the qPCR-like scale
  xn <- x - mean(x) + log2(500)
  u <- sum(ep_w * (xn - ep_b) / ep_a) - 2.63
  min(max(1.5 * u + 18.95, 0), 15)
}

test_that("endoPredict without mapping follows the EP formula", {
  s <- genefu_signature("endopredict")
  s <- s[s$group == "GOI", ]
  d <- rbind(flat = rep(9, 8), ramp = 1:8, mix = c(10, 4, 12, 3, 2, 11, 8, 6))
  colnames(d) <- s$probe.affy
  res <- endoPredict(d)
  expected <- apply(d, 1, ep_by_hand)
  expect_equal(unname(res$score), unname(expected), tolerance = 1e-12)
  expect_equal(unname(res$risk), as.numeric(expected >= 5))
  # flat sample: every gene is log2(500) after centring
  L <- log2(500)
  expect_equal(unname(res$score["flat"]),
               min(max(1.5 * (sum(ep_w * (L - ep_b) / ep_a) - 2.63) + 18.95, 0), 15))
  # an absent probe is dropped (with a warning naming it), the rest keep their weights
  expect_warning(r7 <- endoPredict(d[, -8]), "endoPredict: 1 of 8 .*STC2")
  x <- d["mix", 1:7]
  xn <- x - mean(x) + L
  u <- sum(ep_w[1:7] * (xn - ep_b[1:7]) / ep_a[1:7]) - 2.63
  expect_equal(unname(r7$score["mix"]), min(max(1.5 * u + 18.95, 0), 15), tolerance = 1e-12)
})

test_that("endoPredict with mapping rescales by the 2.5/97.5% quantiles, clips, needs 8 genes", {
  s <- genefu_signature("endopredict")
  s <- s[s$group == "GOI", ]
  set.seed(5)
  d <- matrix(rnorm(30 * 8, 7, 2), 30, 8, dimnames = list(paste0("s", 1:30), paste0("p", 1:8)))
  annot <- data.frame(probe = colnames(d), EntrezGene.ID = s$EntrezGene.ID)
  res <- endoPredict(d, annot, do.mapping = TRUE)
  sc <- apply(d, 2, function(x) {
    q <- quantile(x, c(0.025, 0.975))
    y <- 8 * (x - q[1]) / (q[2] - q[1]) + 6
    pmin(pmax(y, 1), 15)
  })
  expect_equal(unname(res$score), unname(apply(sc, 1, ep_by_hand)), tolerance = 1e-12)
  annot$EntrezGene.ID[8] <- NA
  expect_warning(r2 <- endoPredict(d, annot, do.mapping = TRUE), "STC2 \\(Entrez 8614\\)")
  expect_true(all(is.na(r2$score)) && all(is.na(r2$risk)))
})

test_that("gene70 is minus the Spearman correlation with the good-prognosis profile", {
  s <- genefu_signature("gene70")
  p <- s$average.good.prognosis.profile
  set.seed(9)
  r <- rnorm(70)
  sparse <- rep(NA_real_, 70)
  sparse[1:3] <- c(1, 2, 3)
  d <- rbind(good = p, poor = -p, rnd = r, sparse = sparse)
  colnames(d) <- s$probe
  res <- gene70(d)
  expect_equal(unname(res$score[1:2]), c(-1, 1))
  expect_equal(unname(res$score["rnd"]), -cor(r, p, method = "spearman"))
  expect_true(is.na(res$score["sparse"]))  # 3 complete genes are not enough
  expect_equal(unname(res$risk[1:3]), c(0, 1, as.numeric(-cor(r, p, method = "spearman") >= -0.3)))
  # robust standardisation per gene before correlating
  rob <- apply(d[1:3, ], 2, function(x) 2 * (rescale(x, q = 0.05, na.rm = TRUE) - 0.5))
  expect_equal(unname(gene70(d[1:3, ], std = "robust")$score),
               unname(apply(rob, 1, function(x) -cor(x, p, method = "spearman"))))
})

test_that("gene70 with mapping uses the first row of each Entrez ID and warns on missing genes", {
  s <- genefu_signature("gene70")
  keep <- which(!is.na(s$EntrezGene.ID) & !duplicated(s$EntrezGene.ID))
  set.seed(4)
  d <- matrix(rnorm(5 * length(keep)), 5, dimnames = list(paste0("s", 1:5), paste0("g", keep)))
  annot <- data.frame(probe = colnames(d), EntrezGene.ID = s$EntrezGene.ID[keep])
  res <- gene70(d, annot, do.mapping = TRUE)
  p <- s$average.good.prognosis.profile[keep]
  expect_equal(unname(res$score), unname(apply(d, 1, function(x) -cor(x, p, method = "spearman"))))
  expect_equal(unname(res$mapping), c(52, 52))
  expect_warning(gene70(d[, -1], annot[-1, ], do.mapping = TRUE),
                 "gene70: 1 of 52 signature genes not found.*ALDH4A1 \\(Entrez 8659\\)")
})

test_that("gene76 adds the ER-specific Cox coefficients to 313.5 or 280", {
  s <- genefu_signature("gene76")
  set.seed(1)
  d <- matrix(rnorm(3 * 76, 0.1, 0.05), 3, 76, dimnames = list(c("a", "b", "c"), s$probe))
  res <- gene76(d, er = c(1, 0, NA))
  pos <- s$er == 1
  expect_equal(unname(res$score[1]), 313.5 + sum(s$std.cox.coefficient[pos] * d[1, pos]))
  expect_equal(unname(res$score[2]), 280 + sum(s$std.cox.coefficient[!pos] * d[2, !pos]))
  expect_true(is.na(res$score[3]))
  expect_equal(unname(res$risk[1:2]), as.numeric(res$score[1:2] >= 0))
  expect_error(gene76(d[, -1], er = c(1, 0, 1)), "219340_s_at")
})

test_that("ggi is the signed grade-3 minus grade-1 average, rescaled by grade means", {
  s <- genefu_signature("ggi")
  set.seed(3)
  d <- matrix(rnorm(6 * 128, 8), 6, 128, dimnames = list(paste0("s", 1:6), s$probe))
  g3 <- s$grade == 3
  raw <- 112 / 128 * rowMeans(d[, g3]) - 16 / 128 * rowMeans(d[, !g3])
  res <- ggi(d)
  expect_equal(unname(res$score), unname(raw))
  expect_true(all(is.na(res$risk)))
  hg <- c(1, 1, 3, 3, 2, NA)
  m1 <- mean(raw[1:2])
  m3 <- mean(raw[3:4])
  scaled <- 2 * (raw - (m1 + m3) / 2) / (m3 - m1)
  r2 <- ggi(d, hg = hg)
  expect_equal(unname(r2$score), unname(scaled))
  expect_equal(mean(r2$score[1:2]), -1)
  expect_equal(unname(r2$risk), as.numeric(scaled >= 0))
  expect_true(all(is.na(ggi(d, hg = c(3, 3, 3, 2, 2, 2))$score)))  # no grade-1 sample
  expect_error(ggi(d, hg = 1:3), "one value per sample|6 samples")
})

test_that("pik3cags is the signed average of its 278 probes", {
  s <- genefu_signature("pik3cags")
  set.seed(8)
  d <- matrix(rnorm(4 * nrow(s)), 4, dimnames = list(paste0("s", 1:4), s$probe))
  pos <- s$coefficient > 0
  expected <- sum(pos) / nrow(s) * rowMeans(d[, pos]) - sum(!pos) / nrow(s) * rowMeans(d[, !pos])
  expect_equal(unname(pik3cags(d)), unname(expected))
  expect_equal(sum(pos), 168)
})

test_that("tamr13 is the weighted sum of cluster means; an empty cluster makes it NA", {
  s <- genefu_signature("tamr13")
  set.seed(6)
  d <- matrix(rnorm(3 * nrow(s)), 3, dimnames = list(paste0("s", 1:3), s$probe))
  w <- c(pclust.79 = -0.84, pclust.110 = -0.70, pclust.112 = -0.89, pclust.120 = 0.77,
         pclust.148 = 0.92, pclust.859 = -0.79, pclust.201 = 0.87, pclust.231 = -0.85,
         pclust.337 = -0.69, pclust.375 = -0.67, pclust.784 = -0.99)
  expected <- Reduce(`+`, lapply(names(w), function(cl) w[[cl]] * rowMeans(d[, s$cluster == cl])))
  res <- tamr13(d)
  expect_equal(unname(res$score), unname(expected))
  expect_true(all(is.na(res$risk)))
  expect_warning(r2 <- tamr13(d[, s$cluster != "pclust.79"]), "pclust.79")
  expect_true(all(is.na(r2$score)))
})

test_that("genefu's TAMR13 IDs: the faithful table warns with mapping; the corrected one uses Entrez IDs", {
  gen <- genefu_signature("tamr13")
  fix <- genefu_signature("tamr13", table = "corrected")
  expect_equal(nrow(fix), nrow(gen))
  expect_equal(fix$probe, gen$probe)
  expect_equal(fix$genefu.EntrezGene.ID, gen$EntrezGene.ID)
  id <- function(sym) unique(fix$EntrezGene.ID[fix$symbol %in% sym])
  expect_equal(c(id("ADRA2A"), id("ANLN"), id("CDC20"), id("TOP2A")), c(150, 54443, 991, 7153))
  expect_equal(unique(gen$EntrezGene.ID[gen$symbol %in% "ADRA2A"]), 281)
  genes <- !duplicated(paste(fix$symbol, fix$genefu.EntrezGene.ID))
  expect_equal(as.vector(table(fix$id.status[genes])[c("agrees", "differs", "no_id")]), c(97, 60, 19))
  expect_error(genefu_signature("gene70", table = "corrected"), "no corrected table")

  # data measured under the right Entrez IDs: genefu's table reads other genes for ADRA2A & co
  ids <- unique(c(gen$EntrezGene.ID, fix$EntrezGene.ID))
  ids <- ids[!is.na(ids)]
  set.seed(11)
  x <- matrix(rnorm(8 * length(ids), 8, 2), 8, dimnames = list(paste0("s", 1:8), paste0("g", ids)))
  annot <- data.frame(probe = colnames(x), EntrezGene.ID = ids)
  expect_warning(faithful <- tamr13(x, annot, do.mapping = TRUE),
                 "not the genes' Entrez IDs for 60 of its 192 genes \\(ADRA2A 281 instead of 150")
  expect_no_warning(corrected <- tamr13(x, annot, do.mapping = TRUE, table = "corrected"))
  expect_false(isTRUE(all.equal(faithful$score, corrected$score)))
  # the corrected cluster pclust.79 averages exactly its genes' own columns
  cl <- fix[fix$cluster == "pclust.79" & !is.na(fix$EntrezGene.ID), ]
  cl <- cl[!duplicated(cl$EntrezGene.ID), ]
  expect_equal(unname(corrected$cluster.scores[, "pclust.79"]),
               unname(rowMeans(x[, paste0("g", cl$EntrezGene.ID), drop = FALSE])))
  # without mapping the probes decide and the two tables agree (and genefu's does not warn)
  xp <- matrix(rnorm(8 * nrow(gen)), 8, dimnames = list(paste0("s", 1:8), gen$probe))
  expect_no_warning(p1 <- tamr13(xp))
  expect_equal(p1$score, tamr13(xp, table = "corrected")$score)
  # pyradiogen_signatures passes the choice on
  all_fix <- suppressWarnings(pyradiogen_signatures(x, annot, tamr13.table = "corrected"))
  expect_equal(all_fix$tamr13, unname(corrected$score))
})

# PAM50 nearest-centroid subtyping, rorS, SCM (scmgene/scmod1/scmod2), GENIUS and the combined
# table, on hand-made inputs (shared/specs/genefu.md sections 6, 7, 11, 12).

pam50_at_centroids <- function() {
  m <- genefu_centroid_model("pam50")
  x <- t(m$centroids)
  list(x = x, annot = data.frame(probe = colnames(x), EntrezGene.ID = m$centroids.map$EntrezGene.ID),
       cent = m$centroids)
}

test_that("PAM50 on inputs placed at each centroid returns that subtype (with and without mapping)", {
  p <- pam50_at_centroids()
  for (mapping in c(FALSE, TRUE)) {
    r <- intrinsic.cluster.predict("pam50", p$x, p$annot, do.mapping = mapping)
    expect_equal(unname(r$subtype), c("Basal", "Her2", "LumA", "LumB", "Normal"))
    expect_equal(unname(diag(r$cor)), rep(1, 5))
    expect_equal(r$cor, cor(p$cent, method = "spearman"), ignore_attr = TRUE)
  }
  ms <- molecular.subtyping("pam50", p$x, p$annot, do.mapping = TRUE)
  expect_equal(levels(ms$subtype), c("Basal", "Her2", "LumB", "LumA", "Normal"))
  expect_equal(as.character(ms$subtype), c("Basal", "Her2", "LumA", "LumB", "Normal"))
  expect_equal(unname(ms$subtype.crisp), diag(5))
})

test_that("probabilities: negative correlations set to 0, then divided by the row sum", {
  p <- pam50_at_centroids()
  r <- intrinsic.cluster.predict("pam50", p$x)
  cc <- cor(p$cent, method = "spearman")
  tr <- pmax(cc, 0)
  expect_equal(unname(r$subtype.proba), unname(tr / rowSums(tr)))
})

test_that("robust and scale models standardise each gene over the batch before correlating", {
  p <- pam50_at_centroids()
  set.seed(11)
  x <- p$x[rep(1:5, 4), ] + matrix(rnorm(20 * 50, sd = 0.3), 20)
  rownames(x) <- paste0("s", 1:20)
  rob <- apply(x, 2, function(v) 2 * (rescale(v, q = 0.05, na.rm = TRUE) - 0.5))
  expect_equal(intrinsic.cluster.predict("pam50.robust", x)$cor,
               intrinsic.cluster.predict("pam50", rob)$cor, ignore_attr = TRUE)
  expect_equal(intrinsic.cluster.predict("pam50.scale", x)$cor,
               intrinsic.cluster.predict("pam50", scale(x))$cor, ignore_attr = TRUE)
})

test_that("NA rules: <= 3 complete genes, > 90% missing, no gene at all", {
  p <- pam50_at_centroids()
  x <- p$x
  x[2, 4:50] <- NA
  r <- intrinsic.cluster.predict("pam50", x)
  expect_true(all(is.na(r$cor[2, ])) && all(is.na(r$subtype.proba[2, ])))
  expect_equal(unname(r$subtype[2]), "Basal")  # genefu's edge case: first centroid
  expect_equal(unname(r$subtype[c(1, 3)]), c("Basal", "LumA"))
  y <- p$x
  y[, 1:46] <- NA
  y[1:4, 47:50] <- NA  # 49 of 50 columns missing for 4 samples -> > 90 % of the matrix
  r2 <- intrinsic.cluster.predict("pam50", y)
  expect_true(all(is.na(r2$subtype)) && all(is.na(r2$cor)))
  z <- p$x
  colnames(z) <- paste0("x", 1:50)
  expect_error(intrinsic.cluster.predict("pam50", z), "none of the 50 centroid genes")
  expect_warning(intrinsic.cluster.predict("pam50", p$x[, -1]), "ACTR3B")
})

test_that("a forced mapping table takes the listed probe for each centroid gene", {
  p <- pam50_at_centroids()
  x <- p$x
  colnames(x) <- paste0("probe_", seq_len(50))
  mp <- data.frame(EntrezGene.ID = p$annot$EntrezGene.ID, probe = colnames(x))
  r <- intrinsic.cluster.predict("pam50", x, mapping = mp)
  expect_equal(unname(r$subtype), c("Basal", "Her2", "LumA", "LumB", "Normal"))
})

test_that("rorS = 0.05 Basal + 0.12 Her2 - 0.34 LumA + 0.23 LumB, quantile-scaled to 0-100", {
  p <- pam50_at_centroids()
  res <- rorS(p$x, p$annot, do.mapping = TRUE)
  cc <- cor(p$cent, method = "spearman")
  u <- 0.05 * cc[, "Basal"] + 0.12 * cc[, "Her2"] - 0.34 * cc[, "LumA"] + 0.23 * cc[, "LumB"]
  # 5 values: Q(0.025) at h = 1.1, Q(0.975) at h = 4.9
  v <- sort(u)
  lo <- 0.9 * v[1] + 0.1 * v[2]
  hi <- 0.1 * v[4] + 0.9 * v[5]
  expected <- pmin(pmax(100 * (u - lo) / (hi - lo), 0), 100)
  expect_equal(unname(res$score), unname(expected))
  expect_equal(as.character(res$risk),
               unname(ifelse(expected < 29, "Low", ifelse(expected < 53, "Intermediate", "High"))))
  expect_equal(levels(res$risk), c("Low", "Intermediate", "High"))
  expect_equal(unname(res$subtype), c("Basal", "Her2", "LumA", "LumB", "Normal"))
  expect_equal(unname(res$mapping), c(50, 50))
})

scmgene_data <- function(n = 40, seed = 21) {
  set.seed(seed)
  d <- cbind("205225_at" = rnorm(n), "216836_s_at" = rnorm(n), "208079_s_at" = rnorm(n))
  rownames(d) <- sprintf("s%02d", seq_len(n))
  d
}

test_that("SCM (scmgene) posteriors follow the EEI E-step with the stored parameters", {
  d <- scmgene_data()
  res <- subtype.cluster.predict("scmgene", d)
  rob <- apply(d, 2, function(v) 2 * (rescale(v, q = 0.05, na.rm = TRUE) - 0.5))
  expect_equal(unname(res$module.scores), unname(rob))
  pro <- c(0.26628895184136, 0.121813031161473, 0.611898016997167)
  mu <- rbind(c(-0.672159610601237, -0.261556522545547, 0.650139319332928),
              c(-0.582779958608088, 0.849865684220889, -0.347690022799137))
  v <- 0.0894835078068845 * c(1.13664116107643, 0.87978513733655)
  dens <- sapply(1:3, function(k) {
    pro[k] * exp(-((rob[, 1] - mu[1, k])^2 / v[1] + (rob[, 2] - mu[2, k])^2 / v[2]) / 2)
  })
  post <- dens / rowSums(dens)
  expect_equal(unname(res$subtype.proba), post, tolerance = 1e-12)
  cls <- c("ER-/HER2-", "HER2+", "ER+/HER2-")[apply(post, 1, which.max)]
  expect_equal(unname(res$subtype), cls)
  pp <- pnorm(rob[, 3], -0.28001427345596, 0.294401179371395)
  expect_equal(unname(res$subtype.proba2[, 3]), post[, 3] * pp, tolerance = 1e-12)
  expect_equal(unname(res$subtype.proba2[, 4]), post[, 3] * (1 - pp), tolerance = 1e-12)
  high <- cls == "ER+/HER2-" & rob[, 3] >= -0.28001427345596
  expect_true(all(res$subtype2[high] == "ER+/HER2- High Prolif"))
  expect_true(all(res$subtype2[cls == "ER+/HER2-" & !high] == "ER+/HER2- Low Prolif"))
  expect_equal(sort(unique(cls)), sort(c("ER-/HER2-", "HER2+", "ER+/HER2-")))
})

test_that("SCM: missing ESR1/ERBB2 score -> NA subtype; missing AURKA -> NA 4-class for ER+/HER2-", {
  d <- scmgene_data()
  d[1, "205225_at"] <- NA
  res <- subtype.cluster.predict("scmgene", d)
  expect_true(is.na(res$subtype[1]) && all(is.na(res$subtype.proba[1, ])))
  erp <- which(res$subtype == "ER+/HER2-")[1]
  oth <- which(res$subtype == "HER2+")[1]
  d[c(erp, oth), "208079_s_at"] <- NA
  r2 <- subtype.cluster.predict("scmgene", d)
  expect_true(is.na(r2$subtype2[erp]))
  expect_equal(unname(r2$subtype2[oth]), "HER2+")
  ms <- molecular.subtyping("scmgene", d)
  expect_equal(levels(ms$subtype), c("ER-/HER2-", "HER2+", "ER+/HER2- High Prolif",
                                     "ER+/HER2- Low Prolif"))
  expect_equal(unname(rowSums(ms$subtype.crisp)), c(0, rep(1, nrow(d) - 1)))
  expect_error(suppressWarnings(molecular.subtyping("scmgene", d[, 3, drop = FALSE])),
               "no sample has both an ESR1 and an ERBB2")
})

# a platform holding every gene of every bundled signature, columns "g<Entrez>"
full_platform <- function(n = 60, seed = 3) {
  ids <- c()
  for (s in c("oncotypedx", "endopredict", "gene70", "ggi", "pik3cags", "genius", "tamr13")) {
    ids <- c(ids, genefu_signature(s)$EntrezGene.ID)
  }
  for (m in c("mod1", "mod2", "scmgene", "scmod1", "scmod2")) {
    ids <- c(ids, unlist(lapply(genefu_modules(m), `[[`, "EntrezGene.ID")))
  }
  ids <- unique(c(ids, genefu_centroid_model("pam50")$centroids.map$EntrezGene.ID))
  ids <- ids[!is.na(ids)]
  set.seed(seed)
  x <- matrix(rnorm(n * length(ids), 8, 2), n, length(ids),
              dimnames = list(sprintf("S%02d", seq_len(n)), paste0("g", ids)))
  list(x = x, annot = data.frame(probe = colnames(x), EntrezGene.ID = ids))
}

test_that("genius = P(ER-/HER2-) M1 + P(HER2+) M2 + P(ER+/HER2-) M3 with robust module scores", {
  fp <- full_platform()
  res <- genius(fp$x, fp$annot, do.mapping = TRUE)
  scp <- subtype.cluster.predict("scmod1", fp$x, fp$annot, do.mapping = TRUE)
  mods <- genefu_modules("genius")
  m <- sapply(names(mods), function(k) {
    s <- sig.score(mods[[k]], fp$x, fp$annot, do.mapping = TRUE)$score
    2 * (rescale(s, q = 0.05, na.rm = TRUE) - 0.5)
  })
  expect_equal(unname(res$GENIUSM2), unname(m[, 2]))
  expect_equal(unname(res$score), unname(rowSums(scp$subtype.proba * m)))
  expect_error(genius(fp$x[1:2, ], fp$annot, do.mapping = TRUE), "all three SCM subtypes")
})

test_that("pyradiogen_signatures returns one row per sample with the issue's column names", {
  fp <- full_platform(n = 30)
  res <- suppressWarnings(pyradiogen_signatures(fp$x, fp$annot, hg = rep(c(1, 2, 3), 10)))
  expect_equal(rownames(res), rownames(fp$x))
  cols <- c("oncotypedx", "oncotypedx_risk", "endoPredict", "endoPredict_risk", "rorS",
            "rorS_risk", "gene70", "gene70_risk", "genius", "pik3cags", "ggi", "ggi_risk",
            "tamr13", "ESR1", "ERBB2", "AURKA", "pam50_subtype",
            paste0("pam50_prob_", c("Basal", "Her2", "LumA", "LumB", "Normal")))
  scm <- c("ER-/HER2-", "HER2+", "ER+/HER2- High Prolif", "ER+/HER2- Low Prolif")
  for (m in c("scmgene", "scmod1", "scmod2")) cols <- c(cols, paste0(m, "_subtype"), paste0(m, "_prob_", scm))
  expect_equal(names(res), cols)
  expect_equal(res$oncotypedx, unname(oncotypedx(fp$x, fp$annot, do.mapping = TRUE)$score))
  expect_equal(res$rorS, unname(rorS(fp$x, fp$annot, do.mapping = TRUE)$score))
  # one risk coding across signatures: ordered Low < (Intermediate <) High; scores untouched
  odx_risk <- unname(oncotypedx(fp$x, fp$annot, do.mapping = TRUE)$risk)
  expect_equal(as.character(res$oncotypedx_risk),
               c("Low", "Intermediate", "High")[match(odx_risk, c(0, 0.5, 1))])
  expect_equal(as.character(res$rorS_risk),
               as.character(unname(rorS(fp$x, fp$annot, do.mapping = TRUE)$risk)))
  g70_risk <- unname(gene70(fp$x, fp$annot, do.mapping = TRUE)$risk)
  expect_equal(as.character(res$gene70_risk), c("Low", "High")[g70_risk + 1])
  for (col in c("oncotypedx_risk", "rorS_risk")) {
    expect_equal(levels(res[[col]]), c("Low", "Intermediate", "High"))
    expect_true(is.ordered(res[[col]]))
  }
  for (col in c("endoPredict_risk", "gene70_risk", "ggi_risk")) {
    expect_equal(levels(res[[col]]), c("Low", "High"))
  }
  expect_equal(as.character(res$ggi_risk), ifelse(res$ggi >= 0, "High", "Low"))
  expect_equal(res$ggi, unname(ggi(fp$x, fp$annot, do.mapping = TRUE, hg = rep(c(1, 2, 3), 10))$score))
  esr1 <- sig.score(genefu_modules("mod1")$ESR1, fp$x, fp$annot, do.mapping = TRUE)$score
  expect_equal(res$ESR1, unname(esr1))
  expect_equal(as.character(res$pam50_subtype),
               unname(intrinsic.cluster.predict("pam50.robust", fp$x, fp$annot, TRUE)$subtype))
  expect_false(anyNA(res[, c("oncotypedx", "endoPredict", "rorS", "gene70", "genius",
                             "pik3cags", "tamr13")]))
  # a part that fails (GENIUS needs three SCM subtypes) is NA with a warning
  w <- capture_warnings(small <- pyradiogen_signatures(fp$x[1:2, ], fp$annot))
  expect_true(any(grepl("genius could not be computed", w)))
  expect_true(any(grepl("tamr13: genefu's sig.tamr13 table", w)))
  expect_true(all(is.na(small$genius)))
})

# genefu re-implementation, part 5: nearest-centroid subtyping (PAM50, SSP2003, SSP2006),
# ROR-S, SCM mixture-model subtyping and molecular.subtyping (spec sections 6, 7, 11).

.centroid_classes <- c("Basal", "Her2", "LumA", "LumB", "Normal")
.scm_classes3 <- c("ER-/HER2-", "HER2+", "ER+/HER2-")
.scm_classes4 <- c("ER-/HER2-", "HER2+", "ER+/HER2- High Prolif", "ER+/HER2- Low Prolif")

#' Nearest-centroid subtyping (genefu's intrinsic.cluster.predict)
#'
#' Each sample is assigned to the centroid it correlates with best (Spearman for the bundled
#' models), after the model's per-gene standardisation over the samples of the call.
#'
#' @param sbt.model model name (`"pam50"`, `"pam50.robust"`, `"pam50.scale"`, `"ssp2003"`, ...,
#'   `"ssp2006.scale"`) or a model list from [genefu_centroid_model()].
#' @param data numeric matrix, samples in rows, probes in columns.
#' @param annot probe annotation with `EntrezGene.ID` (and `probe`), one row per data column.
#' @param do.mapping map centroid genes by Entrez ID (most variant probe per gene); otherwise
#'   the centroid `probe` names must be data columns.
#' @param mapping optional forced table with columns `EntrezGene.ID` and `probe`: each centroid
#'   gene listed takes the listed probe.
#' @param do.prediction.strength not implemented (must be `FALSE`).
#' @param verbose print mapping messages.
#' @return A list: `subtype` (named character), `subtype.proba` (samples x 5), `cor` (Spearman
#'   correlations with the centroids), `centroids.map` (centroid genes and the data probe used).
#'   Stops with an error when no centroid gene is found in the data, as genefu does.
#' @references Parker JS et al. (2009). Supervised risk predictor of breast cancer based on
#'   intrinsic subtypes. *Journal of Clinical Oncology* 27(8):1160-1167. Matches genefu 2.39.1
#'   `intrinsic.cluster.predict` (GitHub bhklab/genefu, commit 9c9b66d1).
#' @examples
#' sim <- simulated_expression(n = 30)
#' icp <- intrinsic.cluster.predict("pam50.robust", sim$data, sim$annot, do.mapping = TRUE)
#' table(predicted = icp$subtype, planted = sim$subtype)
#' @export
intrinsic.cluster.predict <- function(sbt.model, data, annot, do.mapping = FALSE, mapping,
                                      do.prediction.strength = FALSE, verbose = FALSE) {
  if (isTRUE(do.prediction.strength)) {
    stop("intrinsic.cluster.predict: do.prediction.strength = TRUE is not implemented",
         call. = FALSE)
  }
  model <- if (is.character(sbt.model)) genefu_centroid_model(sbt.model) else sbt.model
  caller <- sprintf("intrinsic.cluster.predict (%s)", model$name)
  inp <- .genefu_inputs(data, if (missing(annot)) NULL else annot,
                        do.mapping && missing(mapping), caller)
  data <- inp$data
  cent <- model$centroids
  cmap <- model$centroids.map
  cmap$symbol <- cmap$probe
  if (!missing(mapping) || do.mapping) {
    ids <- .gid_text(cmap$EntrezGene.ID)
    keep <- !is.na(ids) & !duplicated(ids)
    cent <- cent[keep, , drop = FALSE]
    cmap <- cmap[keep, , drop = FALSE]
  }
  if (!missing(mapping)) {
    j <- match(.gid_text(cmap$EntrezGene.ID), .gid_text(mapping$EntrezGene.ID))
    pr <- as.character(mapping$probe)[j]
    used <- which(!is.na(pr) & pr %in% colnames(data))
    dd <- data[, pr[used], drop = FALSE]
    miss <- .gene_labels(cmap, setdiff(seq_len(nrow(cmap)), used), TRUE)
  } else if (do.mapping) {
    gm <- geneid.map(inp$annot$EntrezGene.ID, data, cmap$EntrezGene.ID, verbose = verbose)
    used <- if (is.null(gm)) integer(0) else gm$index2
    dd <- if (is.null(gm)) NULL else gm$data1
    miss <- .gene_labels(cmap, setdiff(seq_len(nrow(cmap)), used), TRUE)
  } else {
    used <- which(cmap$probe %in% colnames(data))
    dd <- data[, cmap$probe[used], drop = FALSE]
    miss <- .gene_labels(cmap, setdiff(seq_len(nrow(cmap)), used), FALSE)
  }
  if (!length(used)) {
    stop(sprintf(paste("%s: none of the %d centroid genes is in the data; map probes to genes",
                       "(do.mapping = TRUE with annot$EntrezGene.ID) or name the data columns",
                       "after the centroid probes"),
                 caller, nrow(cmap)), call. = FALSE)
  }
  .warn_missing(caller, miss, nrow(cmap), required = FALSE)
  cent <- cent[used, , drop = FALSE]
  cmap <- cmap[used, , drop = FALSE]
  cmap$probe <- colnames(dd)
  if (verbose) message(sprintf("%s: %d of %d centroid genes used", caller, length(used),
                               nrow(model$centroids)))
  ns <- rownames(data)
  k <- ncol(cent)
  na_mat <- matrix(NA_real_, nrow(data), k, dimnames = list(ns, colnames(cent)))
  if (sum(is.na(dd)) / length(dd) > 0.9) {
    return(list(subtype = stats::setNames(rep(NA_character_, nrow(data)), ns), subtype.proba = na_mat,
                cor = na_mat, centroids.map = cmap))
  }
  dd <- .std_columns(dd, model$std, model$rescale.q)
  cent_ok <- stats::complete.cases(cent)
  cors <- na_mat
  for (i in seq_len(nrow(dd))) {
    ok <- !is.na(dd[i, ]) & cent_ok
    if (sum(ok) > 3) {
      cors[i, ] <- suppressWarnings(stats::cor(dd[i, ok], cent[ok, , drop = FALSE],
                                               method = model$method.cor))
    }
  }
  tr <- cors
  tr[!is.na(tr) & tr < 0] <- 0
  proba <- tr / rowSums(tr, na.rm = TRUE)
  proba[rowSums(!is.na(cors)) == 0, ] <- NA
  sbt <- apply(cors, 1, function(r) {
    w <- which.max(r)
    colnames(cent)[if (length(w)) w else 1L]
  })
  names(sbt) <- ns
  list(subtype = sbt, subtype.proba = proba, cor = cors, centroids.map = cmap)
}

#' ROR-S risk of recurrence (genefu's rorS), with the PAM50 subtypes it is built on
#'
#' @inheritParams intrinsic.cluster.predict
#' @return A list: `score` (0-100), `risk` (factor Low/Intermediate/High), `mapping`
#'   (`c(mapped, total = 50)`), `probe`, plus `subtype`, `subtype.proba`, `cor` from the
#'   `pam50` model (std = "none").
#' @references Parker JS et al. (2009). Supervised risk predictor of breast cancer based on
#'   intrinsic subtypes. *Journal of Clinical Oncology* 27(8):1160-1167. Matches genefu 2.39.1
#'   `rorS`.
#' @examples
#' sim <- simulated_expression(n = 30)
#' ror <- rorS(sim$data, sim$annot, do.mapping = TRUE)
#' table(ror$risk)
#' @export
rorS <- function(data, annot, do.mapping = FALSE, mapping, verbose = FALSE) {
  an <- if (missing(annot)) NULL else annot
  icp <- if (missing(mapping)) {
    intrinsic.cluster.predict("pam50", data, an, do.mapping = do.mapping, verbose = verbose)
  } else {
    intrinsic.cluster.predict("pam50", data, an, do.mapping = do.mapping, mapping = mapping,
                              verbose = verbose)
  }
  r <- icp$cor
  u <- 0.05 * r[, "Basal"] + 0.12 * r[, "Her2"] - 0.34 * r[, "LumA"] + 0.23 * r[, "LumB"]
  lo <- stats::quantile(u, 0.025, na.rm = TRUE, names = FALSE)
  hi <- stats::quantile(u, 0.975, na.rm = TRUE, names = FALSE)
  rs <- 100 * (u - lo) / (hi - lo)
  rs <- pmin(pmax(rs, 0), 100)
  risk <- factor(ifelse(rs < 29, "Low", ifelse(rs < 53, "Intermediate", "High")),
                 levels = c("Low", "Intermediate", "High"))
  names(rs) <- names(risk) <- rownames(r)
  list(score = rs, risk = risk,
       mapping = c(mapped = nrow(icp$centroids.map), total = nrow(genefu_centroid_model("pam50")$centroids)),
       probe = stats::setNames(icp$centroids.map$probe, icp$centroids.map$symbol),
       subtype = icp$subtype, subtype.proba = icp$subtype.proba, cor = r)
}

# mclust E-step for the EEI model: posterior of each component for the rows of `u` (n x 2).
.scm_posterior <- function(u, model) {
  pro <- model$pro / sum(model$pro)
  var <- model$scale * model$shape
  logp <- vapply(seq_along(pro), function(k) {
    d <- (u[, 1] - model$mean[1, k])^2 / var[1] + (u[, 2] - model$mean[2, k])^2 / var[2]
    log(pro[k]) - d / 2
  }, numeric(nrow(u)))
  logp <- matrix(logp, nrow = nrow(u))
  mx <- apply(logp, 1, max)
  e <- exp(logp - mx)
  e / rowSums(e)
}

#' SCM subtyping from ESR1/ERBB2/AURKA module scores (genefu's subtype.cluster.predict)
#'
#' @param sbt.model `"scmgene"`, `"scmod1"`, `"scmod2"` (their robust versions), an explicit
#'   name such as `"scmod1.robust"`, or a model list from [genefu_scm_model()].
#' @inheritParams intrinsic.cluster.predict
#' @return A list: `subtype` (3 classes), `subtype.proba` (samples x 3), `subtype2` (4 classes,
#'   ER+/HER2- split by AURKA), `subtype.proba2` (samples x 4; `NULL` when no sample has both
#'   ESR1 and ERBB2 scores), `module.scores` (rescaled ESR1, ERBB2, AURKA).
#' @references Wirapati P et al. (2008). Meta-analysis of gene expression profiles in breast
#'   cancer: toward a unified understanding of breast cancer subtyping and prognosis signatures.
#'   *Breast Cancer Research* 10(4):R65. Matches genefu 2.39.1 `subtype.cluster.predict`.
#' @examples
#' sim <- simulated_expression(n = 30)
#' scp <- subtype.cluster.predict("scmod1", sim$data, sim$annot, do.mapping = TRUE)
#' table(scp$subtype2)
#' @export
subtype.cluster.predict <- function(sbt.model, data, annot, do.mapping = FALSE, verbose = FALSE) {
  model <- if (is.character(sbt.model)) genefu_scm_model(sbt.model) else sbt.model
  if (is.null(model$modules)) {
    stop(sprintf("subtype.cluster.predict: the module genes of '%s' are not bundled; use the robust model",
                 model$name), call. = FALSE)
  }
  an <- if (missing(annot)) NULL else annot
  ms <- vapply(c("ESR1", "ERBB2", "AURKA"), function(m) {
    s <- sig.score(model$modules[[m]], data, an, do.mapping = do.mapping, verbose = verbose,
                   label = sprintf("%s %s module", model$name, m))$score
    if (!is.na(model$rescale.q)) s <- .robust_scale(s, model$rescale.q)
    s
  }, numeric(nrow(data)))
  ms <- matrix(ms, nrow = nrow(data), dimnames = list(rownames(data), c("ESR1", "ERBB2", "AURKA")))
  ns <- rownames(data)
  n <- nrow(data)
  ok <- !is.na(ms[, "ESR1"]) & !is.na(ms[, "ERBB2"])
  proba <- matrix(NA_real_, n, 3, dimnames = list(ns, .scm_classes3))
  sbt <- stats::setNames(rep(NA_character_, n), ns)
  sbt2 <- sbt
  proba2 <- NULL
  if (any(ok)) {
    proba[ok, ] <- .scm_posterior(ms[ok, c("ESR1", "ERBB2"), drop = FALSE], model)
    sbt[ok] <- .scm_classes3[apply(proba[ok, , drop = FALSE], 1, which.max)]
    p <- stats::pnorm(ms[, "AURKA"], mean = model$aurka.mean, sd = model$aurka.sigma)
    sbt2 <- sbt
    erp <- !is.na(sbt) & sbt == "ER+/HER2-"
    sbt2[erp] <- ifelse(p[erp] >= 0.5, "ER+/HER2- High Prolif", "ER+/HER2- Low Prolif")
    proba2 <- cbind(proba[, 1:2, drop = FALSE], proba[, 3] * p, proba[, 3] * (1 - p))
    dimnames(proba2) <- list(ns, .scm_classes4)
  }
  if (verbose) message(sprintf("%s: %d of %d samples classified", model$name, sum(ok), n))
  list(subtype = sbt, subtype.proba = proba, subtype2 = sbt2, subtype.proba2 = proba2,
       module.scores = ms)
}

# one-hot of the first maximum per row (all zeros for an all-missing row)
.crisp <- function(proba) {
  out <- matrix(0, nrow(proba), ncol(proba), dimnames = dimnames(proba))
  for (i in seq_len(nrow(proba))) {
    w <- which.max(proba[i, ])
    if (length(w)) out[i, w] <- 1
  }
  out
}

#' Molecular subtyping with genefu's user-level models (genefu's molecular.subtyping)
#'
#' @param sbt.model `"scmgene"`, `"scmod1"`, `"scmod2"`, `"pam50"`, `"ssp2006"` or `"ssp2003"`;
#'   the robust variant of each model is used, as genefu does.
#' @inheritParams intrinsic.cluster.predict
#' @return A list: `subtype` (factor), `subtype.proba` (samples x classes), `subtype.crisp`
#'   (one-hot of the most probable class).
#' @references Gendoo DMA et al. (2016). Genefu: an R/Bioconductor package for computation of
#'   gene expression-based signatures in breast cancer. *Bioinformatics* 32(7):1097-1099.
#'   Matches genefu 2.39.1 `molecular.subtyping`.
#' @examples
#' sim <- simulated_expression(n = 30)
#' ms <- molecular.subtyping("pam50", sim$data, sim$annot, do.mapping = TRUE)
#' table(ms$subtype)
#' @export
molecular.subtyping <- function(sbt.model = c("scmgene", "scmod1", "scmod2", "pam50", "ssp2006",
                                              "ssp2003"),
                                data, annot, do.mapping = FALSE, verbose = FALSE) {
  sbt.model <- match.arg(sbt.model)
  an <- if (missing(annot)) NULL else annot
  if (sbt.model %in% c("pam50", "ssp2006", "ssp2003")) {
    icp <- intrinsic.cluster.predict(paste0(sbt.model, ".robust"), data, an,
                                     do.mapping = do.mapping, verbose = verbose)
    sbt <- factor(icp$subtype, levels = c("Basal", "Her2", "LumB", "LumA", "Normal"))
    proba <- icp$subtype.proba
  } else {
    scp <- subtype.cluster.predict(sbt.model, data, an, do.mapping = do.mapping,
                                   verbose = verbose)
    if (is.null(scp$subtype.proba2)) {
      stop(sprintf(paste("molecular.subtyping (%s): no sample has both an ESR1 and an ERBB2 module",
                         "score; check that the module genes are in the data"),
                   sbt.model), call. = FALSE)
    }
    sbt <- factor(scp$subtype2, levels = .scm_classes4)
    proba <- scp$subtype.proba2
  }
  names(sbt) <- rownames(proba)
  list(subtype = sbt, subtype.proba = proba, subtype.crisp = .crisp(proba))
}

# genefu re-implementation, part 4: the prognostic signatures (spec sections 4, 5, 8-10, 12-14).
# Each function has genefu's name, arguments and return value; in addition, genes missing from
# the data are reported in a warning that names them.

# Map a fixed-gene signature (oncotypedx, endoPredict, gene70): file order, missing and
# duplicated Entrez IDs removed, IDs compared after conversion to numbers.
# Returns list(data (mapped columns, signature order), rows (signature rows used), missing
# (labels of signature genes not found), total).
.map_fixed <- function(sig, data, annot, do.mapping, probe_col) {
  if (do.mapping) {
    ids <- .gid_text(sig$EntrezGene.ID, numeric_first = TRUE)
    sig_rows <- which(!is.na(ids) & !duplicated(ids))
    gm <- geneid.map(annot$EntrezGene.ID, data, sig$EntrezGene.ID[sig_rows], numeric_first = TRUE)
    used <- if (is.null(gm)) integer(0) else sig_rows[gm$index2]
    dd <- if (is.null(gm)) NULL else gm$data1
    miss <- .gene_labels(sig, setdiff(sig_rows, used), TRUE)
    total <- length(sig_rows)
  } else {
    found <- which(!is.na(sig[[probe_col]]) & sig[[probe_col]] %in% colnames(data))
    used <- found
    dd <- if (length(found)) data[, sig[[probe_col]][found], drop = FALSE] else NULL
    miss <- .gene_labels(sig, setdiff(seq_len(nrow(sig)), found), FALSE)
    total <- nrow(sig)
  }
  list(data = dd, rows = used, missing = miss, total = total)
}

#' OncotypeDX recurrence score (genefu's oncotypedx)
#'
#' The 21-gene recurrence score of Paik et al. (2004) from microarray or RNA-seq data, as genefu
#' computes it: each of the 16 cancer genes is rescaled to \[0, 15\] over the samples of the
#' call, combined into the GRB7, oestrogen, proliferation and invasion groups, and scaled to
#' 0-100. The score is batch-dependent: score a whole cohort in one call.
#'
#' @param data numeric matrix, samples in rows, probes in columns, log2 scale.
#' @param annot probe annotation with `EntrezGene.ID`, one row per data column (used when
#'   `do.mapping = TRUE`).
#' @param do.mapping map genes by Entrez ID (most variant probe per gene); otherwise the
#'   Affymetrix `probe.affy` IDs of the signature must be data column names.
#' @param mapping ignored (genefu compatibility).
#' @param do.scaling rescale each gene to \[0, 15\] over the samples of the call.
#' @param verbose print mapping messages.
#' @return A list: `score` (RS, 0-100), `risk` (0 low, 0.5 intermediate, 1 high), `mapping`
#'   (`c(mapped, total)`), `probe` (data column used per gene). All `NA`, with a warning naming
#'   the missing genes, unless all 16 non-reference genes are present.
#' @references Paik S, Shak S, Tang G, et al. (2004). A multigene assay to predict recurrence
#'   of tamoxifen-treated, node-negative breast cancer. *New England Journal of Medicine*
#'   351(27):2817-2826. Matches genefu 2.39.1 `oncotypedx` (GitHub bhklab/genefu, commit 9c9b66d1).
#' @examples
#' sim <- simulated_expression(n = 30)
#' odx <- oncotypedx(sim$data, sim$annot, do.mapping = TRUE)
#' summary(odx$score)
#' table(odx$risk)
#' @export
oncotypedx <- function(data, annot, do.mapping = FALSE, mapping, do.scaling = TRUE,
                       verbose = FALSE) {
  inp <- .genefu_inputs(data, if (missing(annot)) NULL else annot, do.mapping, "oncotypedx")
  data <- inp$data
  sig <- genefu_signature("oncotypedx")
  sig <- sig[sig$group != "reference", , drop = FALSE]
  mp <- .map_fixed(sig, data, inp$annot, do.mapping, "probe.affy")
  na <- stats::setNames(rep(NA_real_, nrow(data)), rownames(data))
  if (verbose) message(sprintf("oncotypedx: %d of %d genes mapped", length(mp$rows), nrow(sig)))
  if (length(mp$rows) < nrow(sig)) {
    .warn_missing("oncotypedx", mp$missing, nrow(sig), required = TRUE)
    return(list(score = na, risk = na, mapping = c(mapped = length(mp$rows), total = nrow(sig)),
                probe = character(0)))
  }
  dd <- mp$data
  probes <- stats::setNames(colnames(dd), sig$symbol[mp$rows])
  colnames(dd) <- sig$symbol[mp$rows]
  if (do.scaling) {
    dd <- apply(dd, 2, function(x) {
      mi <- min(x, na.rm = TRUE)
      ma <- max(x, na.rm = TRUE)
      (x - mi) / (ma - mi) * 15
    })
    dd <- matrix(dd, nrow = nrow(data), dimnames = list(rownames(data), sig$symbol[mp$rows]))
  } else if (max(dd, na.rm = TRUE) > 20 || min(dd, na.rm = TRUE) < -5) {
    warning("oncotypedx: with do.scaling = FALSE the data should lie on the 0-15 RT-PCR scale; ",
            "values outside [-5, 20] were found", call. = FALSE)
  }
  g <- function(s) dd[, s]
  grb7 <- pmax(0.9 * g("GRB7") + 0.1 * g("ERBB2"), 8)
  er <- (0.8 * g("ESR1") + 1.2 * g("PGR") + g("BCL2") + g("SCUBE2")) / 4
  prolif <- pmax((g("BIRC5") + g("MKI67") + g("MYBL2") + g("CCNB1") + g("AURKA")) / 5, 6.5)
  inv <- (g("CTSL2") + g("MMP11")) / 2
  rsu <- 0.47 * grb7 - 0.34 * er + 1.04 * prolif + 0.10 * inv + 0.05 * g("CD68") -
    0.08 * g("GSTM1") - 0.07 * g("BAG1")
  rs <- ifelse(!is.na(rsu) & rsu >= 0 & rsu <= 100, 20 * (rsu - 6.7), rsu)
  rs <- pmin(pmax(rs, 0), 100)
  rs[!stats::complete.cases(dd)] <- NA
  risk <- ifelse(rs < 18, 0, ifelse(rs < 31, 0.5, 1))
  names(rs) <- names(risk) <- rownames(data)
  list(score = rs, risk = risk, mapping = c(mapped = length(mp$rows), total = nrow(sig)),
       probe = probes)
}

#' EndoPredict EP score (genefu's endoPredict)
#'
#' @inheritParams oncotypedx
#' @return A list: `score` (EP, 0-15), `risk` (1 if EP >= 5), `mapping`, `probe`. With mapping
#'   all 8 genes of interest are required; without mapping absent probes are dropped (with a
#'   warning).
#' @references Filipits M, Rudas M, Jakesz R, et al. (2011). A new molecular predictor of
#'   distant recurrence in ER-positive, HER2-negative breast cancer adds independent information
#'   to conventional clinical risk factors. *Clinical Cancer Research* 17(18):6012-6020.
#'   Matches genefu 2.39.1 `endoPredict`.
#' @examples
#' sim <- simulated_expression(n = 30)
#' ep <- endoPredict(sim$data, sim$annot, do.mapping = TRUE)
#' round(head(ep$score), 2)
#' @export
endoPredict <- function(data, annot, do.mapping = FALSE, mapping, verbose = FALSE) {
  inp <- .genefu_inputs(data, if (missing(annot)) NULL else annot, do.mapping, "endoPredict")
  data <- inp$data
  sig <- genefu_signature("endopredict")
  sig <- sig[sig$group == "GOI", , drop = FALSE]
  mp <- .map_fixed(sig, data, inp$annot, do.mapping, "probe.affy")
  na <- stats::setNames(rep(NA_real_, nrow(data)), rownames(data))
  nmap <- length(mp$rows)
  if (verbose) message(sprintf("endoPredict: %d of %d genes mapped", nmap, nrow(sig)))
  if ((do.mapping && nmap < nrow(sig)) || nmap == 0L) {
    .warn_missing("endoPredict", mp$missing, nrow(sig), required = TRUE)
    return(list(score = na, risk = na, mapping = c(mapped = nmap, total = nrow(sig)),
                probe = character(0)))
  }
  .warn_missing("endoPredict", mp$missing, nrow(sig), required = FALSE)
  dd <- mp$data
  s <- sig[mp$rows, , drop = FALSE]
  probes <- stats::setNames(colnames(dd), s$symbol)
  if (do.mapping) {
    dd <- apply(dd, 2, function(x) {
      lo <- stats::quantile(x, 0.025, na.rm = TRUE, names = FALSE)
      hi <- stats::quantile(x, 0.975, na.rm = TRUE, names = FALSE)
      y <- 8 * (x - lo) / (hi - lo) + 6
      y[!is.na(y) & y < 1] <- 1
      y[!is.na(y) & y > 15] <- 15
      y
    })
    dd <- matrix(dd, nrow = nrow(data))
  }
  dd <- dd - rowMeans(dd, na.rm = TRUE) + log2(500)
  dd <- sweep(sweep(dd, 2, s$b, "-"), 2, s$a, "/")
  epu <- as.vector(dd %*% s$weight) - 2.63
  ep <- pmin(pmax(1.5 * epu + 18.95, 0), 15)
  risk <- ifelse(ep >= 5, 1, 0)
  names(ep) <- names(risk) <- rownames(data)
  list(score = ep, risk = risk, mapping = c(mapped = nmap, total = nrow(sig)), probe = probes)
}

#' MammaPrint 70-gene profile (genefu's gene70)
#'
#' @inheritParams oncotypedx
#' @param std per-gene standardisation before correlating: `"none"`, `"scale"` or `"robust"`.
#' @return A list: `score` (minus the Spearman correlation with the good-prognosis profile),
#'   `risk` (1 if score >= -0.3), `mapping`, `probe`.
#' @references van 't Veer LJ, Dai H, van de Vijver MJ, et al. (2002). Gene expression profiling
#'   predicts clinical outcome of breast cancer. *Nature* 415(6871):530-536. Matches genefu
#'   2.39.1 `gene70`.
#' @examples
#' sim <- simulated_expression(n = 30)
#' g70 <- gene70(sim$data, sim$annot, do.mapping = TRUE)
#' g70$mapping
#' round(head(g70$score), 3)
#' @export
gene70 <- function(data, annot, do.mapping = FALSE, mapping, std = c("none", "scale", "robust"),
                   verbose = FALSE) {
  std <- match.arg(std)
  inp <- .genefu_inputs(data, if (missing(annot)) NULL else annot, do.mapping, "gene70")
  data <- inp$data
  sig <- genefu_signature("gene70")
  mp <- .map_fixed(sig, data, inp$annot, do.mapping, "probe")
  na <- stats::setNames(rep(NA_real_, nrow(data)), rownames(data))
  nmap <- length(mp$rows)
  if (verbose) message(sprintf("gene70: %d of %d genes mapped", nmap, mp$total))
  .warn_missing("gene70", mp$missing, mp$total, required = nmap == 0L)
  if (!nmap) {
    return(list(score = na, risk = na, mapping = c(mapped = 0L, total = mp$total),
                probe = character(0)))
  }
  dd <- .std_columns(mp$data, std, 0.05)
  prof <- sig$average.good.prognosis.profile[mp$rows]
  score <- apply(dd, 1, function(x) {
    ok <- !is.na(x) & !is.na(prof)
    if (sum(ok) <= 3) return(NA_real_)
    -stats::cor(x[ok], prof[ok], method = "spearman")
  })
  risk <- ifelse(score >= -0.3, 1, 0)
  names(score) <- names(risk) <- rownames(data)
  list(score = score, risk = risk, mapping = c(mapped = nmap, total = mp$total),
       probe = stats::setNames(colnames(mp$data), sig$probe[mp$rows]))
}

#' Wang 2005 76-gene relapse score (genefu's gene76)
#'
#' gene76 has no gene mapping: the data must hold the 76 Affymetrix HG-U133A probes as columns.
#'
#' @param data numeric matrix, samples in rows; the 76 Affymetrix probes must be columns.
#' @param er ER status per sample (1 positive, 0 negative, `NA` unknown).
#' @return A list: `score` (relapse score, ER-specific formula), `risk` (1 if score >= 0).
#' @references Wang Y, Klijn JGM, Zhang Y, et al. (2005). Gene-expression profiles to predict
#'   distant metastasis of lymph-node-negative primary breast cancer. *Lancet*
#'   365(9460):671-679. Matches genefu 2.39.1 `gene76`.
#' @examples
#' probes <- genefu_signature("gene76")$probe
#' set.seed(1)
#' data <- matrix(rnorm(10 * length(probes), 8), 10, dimnames = list(paste0("s", 1:10), probes))
#' gene76(data, er = rep(c(1, 0), 5))$score
#' @export
gene76 <- function(data, er) {
  if (is.data.frame(data)) data <- as.matrix(data)
  sig <- genefu_signature("gene76")
  miss <- setdiff(sig$probe, colnames(data))
  if (length(miss)) {
    stop(sprintf(paste0("gene76: %d of the 76 Affymetrix probes are not data columns: %s; ",
                        "gene76 has no mapping, so the data must hold these probe IDs"),
                 length(miss), .name_list(miss)), call. = FALSE)
  }
  if (length(er) != nrow(data)) {
    stop(sprintf("gene76: `er` has %d values for %d samples", length(er), nrow(data)), call. = FALSE)
  }
  pos <- sig$er == 1
  s1 <- 313.5 + as.vector(data[, sig$probe[pos], drop = FALSE] %*% sig$std.cox.coefficient[pos])
  s0 <- 280 + as.vector(data[, sig$probe[!pos], drop = FALSE] %*% sig$std.cox.coefficient[!pos])
  score <- ifelse(is.na(er), NA_real_, ifelse(er == 1, s1, s0))
  risk <- ifelse(score >= 0, 1, 0)
  names(score) <- names(risk) <- rownames(data)
  list(score = score, risk = risk)
}

#' Genomic Grade Index (genefu's ggi)
#'
#' @inheritParams oncotypedx
#' @param hg histological grade per sample (1, 2, 3 or `NA`); when given, the score is
#'   rescaled so grade-1 samples average -1 and grade-3 samples +1, and risk = 1 for scores >= 0.
#' @return A list: `score`, `risk` (`NA` without `hg`), `mapping`, `probe`.
#' @references Sotiriou C, Wirapati P, Loi S, et al. (2006). Gene expression profiling in breast
#'   cancer: understanding the molecular basis of histologic grade to improve prognosis.
#'   *Journal of the National Cancer Institute* 98(4):262-272. Matches genefu 2.39.1 `ggi`.
#' @examples
#' sim <- simulated_expression(n = 30)
#' gg <- ggi(sim$data, sim$annot, do.mapping = TRUE, hg = sim$hg)
#' tapply(gg$score, sim$hg, mean)
#' @export
ggi <- function(data, annot, do.mapping = FALSE, mapping, hg, verbose = FALSE) {
  sig <- genefu_signature("ggi")
  x <- data.frame(probe = sig$probe, EntrezGene.ID = sig$EntrezGene.ID,
                  coefficient = ifelse(sig$grade == 1, -1, 1), symbol = sig$HUGO.gene.symbol,
                  stringsAsFactors = FALSE)
  ss <- sig.score(x, data, if (missing(annot)) NULL else annot, do.mapping = do.mapping,
                  verbose = verbose, label = "ggi")
  raw <- ss$score
  risk <- stats::setNames(rep(NA_real_, length(raw)), names(raw))
  score <- raw
  if (!missing(hg) && !is.null(hg)) {
    if (length(hg) != length(raw)) {
      stop(sprintf("ggi: `hg` has %d values for %d samples", length(hg), length(raw)), call. = FALSE)
    }
    m1 <- mean(raw[which(hg == 1)], na.rm = TRUE)
    m3 <- mean(raw[which(hg == 3)], na.rm = TRUE)
    mid <- m1 + (m3 - m1) / 2
    score <- 2 * (raw - mid) / (m3 - m1)
    score[!is.finite(score)] <- NA
    risk <- ifelse(score >= 0, 1, 0)
    names(score) <- names(risk) <- names(raw)
  }
  list(score = score, risk = risk, mapping = ss$mapping, probe = ss$probe)
}

#' PIK3CA gene signature (genefu's pik3cags)
#'
#' @inheritParams oncotypedx
#' @return The score per sample (a named numeric vector), `NA` when no gene maps.
#' @references Loi S, Haibe-Kains B, Majjaj S, et al. (2010). PIK3CA mutations associated with
#'   gene signature of low mTORC1 signaling and better outcomes in estrogen receptor-positive
#'   breast cancer. *PNAS* 107(22):10208-10213. Matches genefu 2.39.1 `pik3cags`.
#' @examples
#' sim <- simulated_expression(n = 30)
#' round(head(pik3cags(sim$data, sim$annot, do.mapping = TRUE)), 3)
#' @export
pik3cags <- function(data, annot, do.mapping = FALSE, mapping, verbose = FALSE) {
  sig <- genefu_signature("pik3cags")
  sig.score(sig, data, if (missing(annot)) NULL else annot, do.mapping = do.mapping,
            verbose = verbose, label = "pik3cags")$score
}

#' TAMR13 tamoxifen-resistance score (genefu's tamr13)
#'
#' The weighted sum of 11 gene-cluster scores (each a [sig.score()]) of Loi et al. (2008).
#'
#' **Gene IDs.** genefu's `sig.tamr13` table holds, in its `EntrezGene.ID` column, numbers that
#' are not the Entrez IDs of the listed symbols for 60 of its 192 genes (ADRA2A 281 instead of
#' 150, ANLN 14082 instead of 54443, ...), and no ID for 19 more; see [genefu_signature()]. With
#' `do.mapping = TRUE` genefu therefore scores some clusters with other genes' data. The default
#' `table = "genefu"` keeps genefu's behaviour (what published genefu-based work computed) and
#' says so in a warning; `table = "corrected"` uses the Entrez IDs of the symbols. Without
#' mapping the Affymetrix probe IDs are used and both tables give the same score.
#'
#' @inheritParams oncotypedx
#' @param table `"genefu"` (genefu's table, with its wrong IDs) or `"corrected"` (Entrez IDs
#'   from the gene symbols).
#' @return A list: `score` (weighted sum of the 11 cluster scores; `NA` when a cluster has no
#'   mapped gene), `risk` (always `NA`, as in genefu), `cluster.scores` (samples x 11).
#' @references Loi S, Haibe-Kains B, Desmedt C, et al. (2008). Predicting prognosis using
#'   molecular profiling in estrogen receptor-positive breast cancer treated with tamoxifen.
#'   *BMC Genomics* 9:239. Matches genefu 2.39.1 `tamr13` (with `table = "genefu"`).
#' @examples
#' sim <- simulated_expression(n = 30)
#' faithful <- suppressWarnings(tamr13(sim$data, sim$annot, do.mapping = TRUE))
#' fixed <- suppressWarnings(tamr13(sim$data, sim$annot, do.mapping = TRUE, table = "corrected"))
#' cor(faithful$score, fixed$score)
#' @export
tamr13 <- function(data, annot, do.mapping = FALSE, mapping, verbose = FALSE,
                   table = c("genefu", "corrected")) {
  table <- match.arg(table)
  sig <- genefu_signature("tamr13", table = table)
  an <- if (missing(annot)) NULL else annot
  if (do.mapping && table == "genefu") warning(.tamr13_id_warning(), call. = FALSE)
  clusters <- unique(sig$cluster)
  res <- lapply(clusters, function(cl) {
    x <- sig[sig$cluster == cl, , drop = FALSE]
    sig.score(x, data, an, do.mapping = do.mapping, verbose = verbose, label = NULL)
  })
  scores <- vapply(res, function(r) r$score, numeric(length(res[[1]]$score)))
  scores <- matrix(scores, ncol = length(clusters), dimnames = list(names(res[[1]]$score), clusters))
  weights <- sig$cluster_coefficient[match(clusters, sig$cluster)]
  miss <- unlist(lapply(res, `[[`, "missing"))
  empty <- clusters[vapply(res, function(r) r$mapping[["mapped"]] == 0L, logical(1))]
  if (length(miss)) {
    extra <- if (length(empty)) {
      sprintf("; clusters without any gene (%s) make the score NA", paste(empty, collapse = ", "))
    } else ""
    warning(sprintf("tamr13: %d of %d signature genes not found in the data%s: %s",
                    length(unique(miss)), nrow(sig), extra, .name_list(miss)), call. = FALSE)
  }
  total <- as.vector(scores %*% weights)
  names(total) <- rownames(scores)
  list(score = total, risk = stats::setNames(rep(NA_real_, length(total)), names(total)),
       cluster.scores = scores)
}

#' GENIUS score (genefu's genius)
#'
#' @inheritParams oncotypedx
#' @param do.scale robust-rescale each module score (q = 0.05) over the samples of the call.
#' @return A list: `GENIUSM1`, `GENIUSM2`, `GENIUSM3` (module scores) and `score` (their
#'   combination weighted by the scmod1 subtype posteriors). Stops with an error when the batch
#'   does not hold all three SCM subtypes, as genefu does.
#' @references Haibe-Kains B, Desmedt C, Rothe F, et al. (2010). A fuzzy gene expression-based
#'   computational approach improves breast cancer prognostication. *Genome Biology* 11(2):R18.
#'   Matches genefu 2.39.1 `genius`.
#' @examples
#' sim <- simulated_expression(n = 40)
#' gen <- suppressWarnings(genius(sim$data, sim$annot, do.mapping = TRUE))
#' round(head(gen$score), 3)
#' @export
genius <- function(data, annot, do.mapping = FALSE, mapping, do.scale = TRUE, verbose = FALSE) {
  an <- if (missing(annot)) NULL else annot
  scp <- subtype.cluster.predict("scmod1.robust", data, an, do.mapping = do.mapping,
                                 verbose = verbose)
  if (is.null(scp$subtype.proba2)) {
    stop(paste("genius: no sample has both an ESR1 and an ERBB2 module score (scmod1), so GENIUS",
               "cannot be computed; check that the module genes are in the data"),
         call. = FALSE)
  }
  present <- unique(stats::na.omit(scp$subtype))
  if (length(present) < 3) {
    stop(sprintf(paste("genius: the batch must contain all three SCM subtypes, found %d (%s);",
                       "score more samples together"),
                 length(present), paste(present, collapse = ", ")), call. = FALSE)
  }
  mods <- genefu_modules("genius")
  ms <- lapply(names(mods), function(m) {
    s <- sig.score(mods[[m]], data, an, do.mapping = do.mapping, verbose = verbose,
                   label = paste("genius", m))$score
    if (do.scale) s <- stats::setNames(.robust_scale(s, 0.05), names(s))
    s
  })
  names(ms) <- names(mods)
  p <- scp$subtype.proba
  score <- p[, 1] * ms[[1]] + p[, 2] * ms[[2]] + p[, 3] * ms[[3]]
  names(score) <- names(ms[[1]])
  c(ms, list(score = score))
}

# The warning of tamr13(table = "genefu", do.mapping = TRUE): how many of genefu's IDs are
# wrong, counted from the corrected table's id.status column (one count per distinct gene).
.tamr13_id_warning <- function() {
  fix <- genefu_signature("tamr13", table = "corrected")
  genes <- !duplicated(paste(fix$symbol, fix$genefu.EntrezGene.ID))
  st <- fix$id.status[genes]
  bad <- fix[genes & fix$id.status == "differs", , drop = FALSE]
  ex <- utils::head(sprintf("%s %s instead of %s", bad$symbol,
                            .gid_text(bad$genefu.EntrezGene.ID), .gid_text(bad$EntrezGene.ID)), 3)
  sprintf(paste("tamr13: genefu's sig.tamr13 table, used here as genefu uses it, holds numbers",
                "that are not the genes' Entrez IDs for %d of its %d genes (%s, ...) and no ID for",
                "%d more, so with do.mapping = TRUE some clusters are scored with other genes'",
                "data; use table = \"corrected\" (Python: tamr13_table=\"corrected\", CLI:",
                "--tamr13-table corrected) for Entrez IDs taken from the gene symbols"),
          sum(st == "differs"), length(st), paste(ex, collapse = ", "), sum(st == "no_id"))
}

# genefu re-implementation, part 6: every signature and subtype call in one table.

# One coding for every risk column of pyradiogen_signatures(): an ordered factor Low <
# (Intermediate <) High. genefu codes OncotypeDX's risk 0/0.5/1, EndoPredict's, gene70's and
# GGI's 0/1 (1 = high) and rorS's as a Low/Intermediate/High factor; the scores are untouched.
.risk_factor <- function(x, three = FALSE) {
  lev <- if (three) c("Low", "Intermediate", "High") else c("Low", "High")
  if (is.factor(x)) return(factor(as.character(x), levels = lev, ordered = TRUE))
  codes <- if (three) c(0, 0.5, 1) else c(0, 1)
  factor(lev[match(as.numeric(unname(x)), codes)], levels = lev, ordered = TRUE)
}

# Run `expr`; on error warn (naming the part) and return NULL so its columns become NA.
.genefu_try <- function(part, expr) {
  tryCatch(expr, error = function(e) {
    warning(sprintf("pyradiogen_signatures: %s could not be computed (%s); its columns are NA",
                    part, conditionMessage(e)), call. = FALSE)
    NULL
  })
}

#' All genefu signatures, module scores and subtypes for a batch of samples
#'
#' One call computes everything the two reproduced studies use from genefu. Scores depend on
#' the batch (genes are rescaled over the samples passed in), so call this once on the whole
#' cohort. Python's `pyradiogen.genomics.signatures.compute_signatures()` calls this function.
#'
#' @param data numeric matrix (or data.frame), samples in rows, probes or genes in columns, on a
#'   log2 scale.
#' @param annot probe annotation: columns `probe` (the data column names), `EntrezGene.ID`, and
#'   optionally a gene symbol column.
#' @param do.mapping map signature genes through Entrez IDs (genefu's `do.mapping`).
#' @param hg optional histological grade per sample; gives the rescaled GGI and `ggi_risk`.
#' @param er optional ER status per sample; adds `gene76` and `gene76_risk` (the data must then
#'   hold the 76 Affymetrix probe IDs as columns).
#' @param modules module set for the `ESR1`, `ERBB2`, `AURKA` scores: `"mod1"` (Desmedt 2008,
#'   default) or `"mod2"` (Wirapati 2008); each is genefu's [sig.score()] of that module (signed
#'   average, not rescaled).
#' @param pam50.model centroid model for `pam50_subtype`/`pam50_prob_*`: `"pam50.robust"` (what
#'   genefu's `molecular.subtyping(sbt.model = "pam50")` uses, default) or `"pam50"` (what
#'   `rorS` uses internally).
#' @param tamr13.table `"genefu"` (genefu's TAMR13 table as published, default) or
#'   `"corrected"` (Entrez IDs from the gene symbols); see [tamr13()].
#' @param verbose print mapping messages.
#' @return A data.frame, one row per sample (row names = sample IDs), columns: `oncotypedx`,
#'   `oncotypedx_risk`, `endoPredict`, `endoPredict_risk`, `rorS`, `rorS_risk`, `gene70`,
#'   `gene70_risk`, `genius`, `pik3cags`, `ggi`, `ggi_risk`, `tamr13`, `ESR1`, `ERBB2`, `AURKA`,
#'   (every `_risk` column is an ordered factor with one coding: `Low < Intermediate < High`
#'   for OncotypeDX (genefu's 0/0.5/1) and rorS, `Low < High` for EndoPredict, gene70 and GGI
#'   (genefu's 0/1, 1 = high risk); `ggi_risk` is `NA` without `hg`; the scores are genefu's),
#'   `pam50_subtype`, `pam50_prob_<class>`, `scmgene_subtype`, `scmgene_prob_<class>` (likewise
#'   `scmod1_`, `scmod2_`) and, with `er`, `gene76`, `gene76_risk`. A part that cannot be
#'   computed (for instance GENIUS when the batch lacks an SCM subtype) is `NA` with a warning;
#'   genes missing from the data are named in warnings (each distinct warning once).
#' @references Gendoo DMA et al. (2016). Genefu: an R/Bioconductor package for computation of
#'   gene expression-based signatures in breast cancer. *Bioinformatics* 32(7):1097-1099. Each
#'   column matches the genefu 2.39.1 function of the same name (see their help pages for the
#'   papers).
#' @examples
#' sim <- simulated_expression(n = 30)
#' res <- suppressWarnings(pyradiogen_signatures(sim$data, sim$annot, hg = sim$hg))
#' round(head(res[, c("oncotypedx", "rorS", "gene70", "ggi", "tamr13")]), 2)
#' table(res$pam50_subtype)
#' @export
pyradiogen_signatures <- function(data, annot, do.mapping = TRUE, hg = NULL, er = NULL,
                                  modules = c("mod1", "mod2"), pam50.model = "pam50.robust",
                                  tamr13.table = c("genefu", "corrected"), verbose = FALSE) {
  modules <- match.arg(modules)
  tamr13.table <- match.arg(tamr13.table)
  if (is.data.frame(data)) data <- as.matrix(data)
  if (is.null(rownames(data))) rownames(data) <- sprintf("sample%d", seq_len(nrow(data)))
  an <- if (missing(annot)) NULL else annot
  inp <- .genefu_inputs(data, an, do.mapping, "pyradiogen_signatures")
  data <- inp$data
  an <- inp$annot
  n <- nrow(data)
  ns <- rownames(data)
  na_num <- rep(NA_real_, n)
  warns <- character(0)
  collect <- function(expr) {
    withCallingHandlers(expr, warning = function(w) {
      warns <<- c(warns, conditionMessage(w))
      invokeRestart("muffleWarning")
    })
  }
  num <- function(x) if (is.null(x)) na_num else as.numeric(unname(x))
  out <- collect({
    odx <- .genefu_try("oncotypedx", oncotypedx(data, an, do.mapping = do.mapping, verbose = verbose))
    ep <- .genefu_try("endoPredict", endoPredict(data, an, do.mapping = do.mapping, verbose = verbose))
    ror <- .genefu_try("rorS", rorS(data, an, do.mapping = do.mapping, verbose = verbose))
    g70 <- .genefu_try("gene70", gene70(data, an, do.mapping = do.mapping, verbose = verbose))
    gen <- .genefu_try("genius", genius(data, an, do.mapping = do.mapping, verbose = verbose))
    pik <- .genefu_try("pik3cags", pik3cags(data, an, do.mapping = do.mapping, verbose = verbose))
    gg <- .genefu_try("ggi", ggi(data, an, do.mapping = do.mapping, hg = hg, verbose = verbose))
    tam <- .genefu_try("tamr13", tamr13(data, an, do.mapping = do.mapping, verbose = verbose,
                                         table = tamr13.table))
    mods <- genefu_modules(modules)
    msc <- lapply(c("ESR1", "ERBB2", "AURKA"), function(m) {
      .genefu_try(paste(m, "module"),
                  sig.score(mods[[m]], data, an, do.mapping = do.mapping, verbose = verbose,
                            label = sprintf("%s %s module", modules, m))$score)
    })
    res <- data.frame(
      oncotypedx = num(odx$score), oncotypedx_risk = .risk_factor(num(odx$risk), three = TRUE),
      endoPredict = num(ep$score), endoPredict_risk = .risk_factor(num(ep$risk)),
      rorS = num(ror$score),
      rorS_risk = .risk_factor(if (is.null(ror)) na_num else ror$risk, three = TRUE),
      gene70 = num(g70$score), gene70_risk = .risk_factor(num(g70$risk)),
      genius = num(gen$score), pik3cags = num(pik), ggi = num(gg$score),
      ggi_risk = .risk_factor(num(gg$risk)),
      tamr13 = num(tam$score), ESR1 = num(msc[[1]]), ERBB2 = num(msc[[2]]), AURKA = num(msc[[3]]),
      row.names = ns, check.names = FALSE, stringsAsFactors = FALSE)
    pam <- .genefu_try("pam50", {
      icp <- intrinsic.cluster.predict(pam50.model, data, an, do.mapping = do.mapping,
                                       verbose = verbose)
      list(subtype = factor(icp$subtype, levels = c("Basal", "Her2", "LumB", "LumA", "Normal")),
           subtype.proba = icp$subtype.proba)
    })
    res <- .add_subtypes(res, "pam50", pam, .centroid_classes,
                         c("Basal", "Her2", "LumB", "LumA", "Normal"))
    for (m in c("scmgene", "scmod1", "scmod2")) {
      sc <- .genefu_try(m, molecular.subtyping(m, data, an, do.mapping = do.mapping,
                                               verbose = verbose))
      res <- .add_subtypes(res, m, sc, .scm_classes4, .scm_classes4)
    }
    if (!is.null(er)) {
      g76 <- .genefu_try("gene76", gene76(data, er))
      res$gene76 <- num(g76$score)
      res$gene76_risk <- num(g76$risk)
    }
    res
  })
  for (w in unique(warns)) warning(w, call. = FALSE)
  out
}

.add_subtypes <- function(res, prefix, sbt, classes, levels) {
  n <- nrow(res)
  res[[paste0(prefix, "_subtype")]] <- if (is.null(sbt)) factor(rep(NA, n), levels = levels)
                                       else unname(sbt$subtype)
  for (cl in classes) {
    res[[paste0(prefix, "_prob_", cl)]] <- if (is.null(sbt)) rep(NA_real_, n)
                                           else as.numeric(sbt$subtype.proba[, cl])
  }
  res
}

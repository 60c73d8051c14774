# genefu re-implementation, part 1: the bundled signature tables and model parameters.
#
# The tables in inst/extdata/genefu/ are genefu's data objects written out as CSV/JSON
# (provenance: data-raw/ and the shared data README). They are read once per R session and kept
# in a package-level environment.

.genefu_cache <- new.env(parent = emptyenv())

# Read one bundled genefu CSV (cached). Probe and text columns stay character; empty fields are NA.
.genefu_csv <- function(file) {
  key <- paste0("csv:", file)
  if (!is.null(.genefu_cache[[key]])) return(.genefu_cache[[key]])
  path <- pyradiogen_extdata("genefu", file)
  tab <- utils::read.csv(path, stringsAsFactors = FALSE, check.names = FALSE,
                         na.strings = "", colClasses = .genefu_col_classes(path))
  assign(key, tab, envir = .genefu_cache)
  tab
}

.genefu_col_classes <- function(path) {
  header <- names(utils::read.csv(path, nrows = 1, check.names = FALSE))
  cls <- rep(NA_character_, length(header))
  names(cls) <- header
  text_cols <- c("probe", "probe.affy", "probe.centroids", "symbol", "module", "cluster", "group",
                 "NCBI.gene.symbol", "HUGO.gene.symbol", "Gb.acc", "id.status")
  cls[header %in% text_cols] <- "character"
  cls
}

.genefu_json <- function(file) {
  key <- paste0("json:", file)
  if (!is.null(.genefu_cache[[key]])) return(.genefu_cache[[key]])
  val <- jsonlite::fromJSON(pyradiogen_extdata("genefu", file), simplifyVector = TRUE)
  assign(key, val, envir = .genefu_cache)
  val
}

#' A bundled genefu signature table
#'
#' The signature tables are genefu's data objects (`sig.oncotypedx`, `sig.endoPredict`,
#' `sig.gene70`, `sig.gene76`, `sig.ggi`, `sig.pik3cags`, `sig.genius`, `sig.tamr13`) written out
#' unchanged; column names are genefu's.
#'
#' genefu's `sig.tamr13` holds, in its `EntrezGene.ID` column, numbers that are not the Entrez
#' Gene IDs of the listed symbols for 60 of its 192 genes (for example ADRA2A 281 instead of
#' 150; several look like HGNC IDs), and no ID for 19 more. With `do.mapping = TRUE` those
#' genes are matched to other genes' data or not at all. `table = "corrected"` returns the same
#' table with the Entrez IDs of the symbols (org.Hs.eg.db 3.16.0; the script and the check of
#' every bundled table are in the project's `data-raw/`); genefu's ID is kept in
#' `genefu.EntrezGene.ID` and `id.status` says what was changed.
#'
#' @param name one of `"oncotypedx"`, `"endopredict"`, `"gene70"`, `"gene76"`, `"ggi"`,
#'   `"pik3cags"`, `"genius"`, `"tamr13"`.
#' @param table `"genefu"` (genefu's table as published) or `"corrected"` (only for `"tamr13"`).
#' @return A data.frame, one row per probe, with `EntrezGene.ID` numeric (`NA` where the table
#'   has none).
#' @references Gendoo DMA, Ratanasirigulchai N, Schroeder MS, et al. (2016). Genefu: an
#'   R/Bioconductor package for computation of gene expression-based signatures in breast
#'   cancer. *Bioinformatics* 32(7):1097-1099. Tables from genefu 2.39.1 (GitHub bhklab/genefu,
#'   commit 9c9b66d1).
#' @examples
#' head(genefu_signature("oncotypedx"))
#' tam <- genefu_signature("tamr13", table = "corrected")
#' tam[tam$symbol %in% c("ADRA2A", "ANLN"), c("symbol", "EntrezGene.ID", "genefu.EntrezGene.ID")]
#' @export
genefu_signature <- function(name, table = c("genefu", "corrected")) {
  table <- match.arg(table)
  files <- c(oncotypedx = "sig_oncotypedx.csv", endopredict = "sig_endopredict.csv",
             gene70 = "sig_gene70.csv", gene76 = "sig_gene76.csv", ggi = "sig_ggi.csv",
             pik3cags = "sig_pik3cags.csv", genius = "sig_genius.csv", tamr13 = "sig_tamr13.csv")
  if (length(name) != 1L || !name %in% names(files)) {
    stop(sprintf("unknown genefu signature '%s'; use one of: %s", paste(name, collapse = ", "),
                 paste(names(files), collapse = ", ")), call. = FALSE)
  }
  if (table == "corrected") {
    if (name != "tamr13") {
      stop(sprintf(paste("genefu_signature: no corrected table for '%s'; its Entrez IDs agree",
                         "with its symbols (see data-raw/gene_id_check_summary.csv)"), name),
           call. = FALSE)
    }
    return(.genefu_csv("sig_tamr13_corrected.csv"))
  }
  .genefu_csv(files[[name]])
}

#' Module gene lists (ESR1, ERBB2, AURKA, ...)
#'
#' @param set `"mod1"` (Desmedt et al. 2008: ESR1, ERBB2, AURKA, PLAU, VEGF, STAT1, CASP3),
#'   `"mod2"` (Wirapati et al. 2008: ESR1, ERBB2, AURKA), `"scmgene"`, `"scmod1"`, `"scmod2"`
#'   (the robust SCM module genes genefu's subtyping uses) or `"genius"` (GENIUSM1 to M3).
#' @return A named list, one data.frame per module with columns `probe`, `EntrezGene.ID`,
#'   `coefficient` (and a symbol column where the table has one), in file order.
#' @references Desmedt C, Haibe-Kains B, Wirapati P, et al. (2008). Biological processes
#'   associated with breast cancer clinical outcome depend on the molecular subtypes.
#'   *Clinical Cancer Research* 14(16):5158-5165.
#'
#' Wirapati P, Sotiriou C, Kunkel S, et al. (2008). Meta-analysis of gene expression profiles in
#' breast cancer: toward a unified understanding of breast cancer subtyping and prognosis
#' signatures. *Breast Cancer Research* 10(4):R65.
#'
#' Tables from genefu 2.39.1 (`mod1`, `mod2`, `scmgene.robust`, `scmod1.robust`,
#' `scmod2.robust`, `sig.genius`).
#' @examples
#' mods <- genefu_modules("mod1")
#' names(mods)
#' head(mods$ESR1)
#' @export
genefu_modules <- function(set = c("mod1", "mod2", "scmgene", "scmod1", "scmod2", "genius")) {
  set <- match.arg(set)
  key <- paste0("modules:", set)
  if (!is.null(.genefu_cache[[key]])) return(.genefu_cache[[key]])
  tab <- switch(set,
                mod1 = .genefu_csv("mod1.csv"),
                mod2 = .genefu_csv("mod2.csv"),
                scmgene = .genefu_csv("scmgene_robust_modules.csv"),
                scmod1 = .genefu_csv("scmod1_robust_modules.csv"),
                scmod2 = .genefu_csv("scmod2_robust_modules.csv"),
                genius = .genefu_csv("sig_genius.csv"))
  mods <- unique(tab$module)
  out <- lapply(mods, function(m) {
    x <- tab[tab$module == m, setdiff(names(tab), "module"), drop = FALSE]
    rownames(x) <- NULL
    x
  })
  names(out) <- mods
  assign(key, out, envir = .genefu_cache)
  out
}

#' A nearest-centroid subtyping model (PAM50, SSP2003, SSP2006 and their variants)
#'
#' @param name `"pam50"`, `"pam50.robust"`, `"pam50.scale"`, `"ssp2003"`,
#'   `"ssp2003.robust"`, `"ssp2003.scale"`, `"ssp2006"`, `"ssp2006.robust"` or
#'   `"ssp2006.scale"`.
#' @return A list: `name`, `centroids` (genes x 5 matrix, columns Basal, Her2, LumA, LumB,
#'   Normal), `centroids.map` (data.frame `probe`, `probe.centroids`, `EntrezGene.ID`), `std`,
#'   `rescale.q`, `method.cor`, `method.centroids`, `mins`.
#' @references Parker JS, Mullins M, Cheang MCU, et al. (2009). Supervised risk predictor of
#'   breast cancer based on intrinsic subtypes. *Journal of Clinical Oncology* 27(8):1160-1167.
#'
#' Sorlie T, Tibshirani R, Parker J, et al. (2003). Repeated observation of breast tumor
#' subtypes in independent gene expression data sets. *PNAS* 100(14):8418-8423.
#'
#' Hu Z, Fan C, Oh DS, et al. (2006). The molecular portraits of breast tumors are conserved
#' across microarray platforms. *BMC Genomics* 7:96.
#'
#' Models from genefu 2.39.1 (`pam50`, `ssp2003`, `ssp2006` and their `.robust`/`.scale`
#' variants).
#' @examples
#' m <- genefu_centroid_model("pam50.robust")
#' m$std
#' head(m$centroids)
#' @export
genefu_centroid_model <- function(name) {
  params <- .genefu_json("centroid_models_params.json")
  if (!name %in% names(params)) {
    stop(sprintf("unknown centroid model '%s'; use one of: %s", name,
                 paste(names(params), collapse = ", ")), call. = FALSE)
  }
  key <- paste0("centroid:", name)
  if (!is.null(.genefu_cache[[key]])) return(.genefu_cache[[key]])
  base <- sub("\\..*$", "", name)
  tab <- .genefu_csv(paste0(base, "_centroids.csv"))
  classes <- c("Basal", "Her2", "LumA", "LumB", "Normal")
  cent <- as.matrix(tab[, classes])
  rownames(cent) <- tab$probe
  p <- params[[name]]
  model <- list(name = name, centroids = cent,
                centroids.map = data.frame(probe = tab$probe, probe.centroids = tab$probe.centroids,
                                           EntrezGene.ID = tab$EntrezGene.ID,
                                           stringsAsFactors = FALSE),
                std = p$std, rescale.q = p$rescale.q, method.cor = p$method.cor,
                method.centroids = p$method.centroids, mins = p$mins)
  assign(key, model, envir = .genefu_cache)
  model
}

#' An SCM mixture model (scmgene, scmod1, scmod2)
#'
#' @param name `"scmgene"`, `"scmod1"`, `"scmod2"` (mapped to their `.robust` objects, as
#'   genefu's `molecular.subtyping` does) or an explicit name such as `"scmod1.robust"` or
#'   `"scmod1"`.
#' @return A list: `name`, `pro`, `mean` (2 x 3, rows ESR1, ERBB2), `scale`, `shape`,
#'   `aurka.mean`, `aurka.sigma`, `rescale.q`, `modules` (named list of module tables, `NULL`
#'   for an old non-robust model whose genes are not bundled).
#' @references Wirapati P, Sotiriou C, Kunkel S, et al. (2008). Meta-analysis of gene expression
#'   profiles in breast cancer: toward a unified understanding of breast cancer subtyping and
#'   prognosis signatures. *Breast Cancer Research* 10(4):R65. Parameters from genefu 2.39.1.
#' @examples
#' m <- genefu_scm_model("scmod1")
#' m$name
#' m$mean
#' @export
genefu_scm_model <- function(name) {
  if (name %in% c("scmgene", "scmod1", "scmod2")) name <- paste0(name, ".robust")
  params <- .genefu_json("scm_models_params.json")
  if (!name %in% names(params)) {
    stop(sprintf("unknown SCM model '%s'; use one of: %s", name,
                 paste(names(params), collapse = ", ")), call. = FALSE)
  }
  p <- params[[name]]
  mu <- if (is.matrix(p$mean)) p$mean else do.call(rbind, lapply(p$mean, as.numeric))
  mu <- matrix(as.numeric(mu), nrow = 2)
  dimnames(mu) <- list(c("ESR1", "ERBB2"), c("ER-/HER2-", "HER2+", "ER+/HER2-"))
  base <- sub("\\..*$", "", name)
  # a non-robust model shares the robust module genes only where the JSON says so
  same <- grepl("\\.robust$", name) || isTRUE(p$modules_equal_to_robust)
  modules <- if (same) genefu_modules(base) else NULL
  list(name = name, pro = as.numeric(p$pro), mean = mu,
       scale = as.numeric(p$variance$scale), shape = as.numeric(p$variance$shape),
       aurka.mean = as.numeric(p$gaussian.AURKA$mean),
       aurka.sigma = as.numeric(p$gaussian.AURKA$sigma),
       rescale.q = if (is.null(p$rescale.q)) NA_real_ else as.numeric(p$rescale.q),
       modules = modules)
}

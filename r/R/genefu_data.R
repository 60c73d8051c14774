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
                 "NCBI.gene.symbol", "HUGO.gene.symbol", "Gb.acc")
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

#' A genefu signature table as a data.frame with genefu's column names
#'
#' @param name one of "oncotypedx", "endopredict", "gene70", "gene76", "ggi", "pik3cags",
#'   "genius", "tamr13".
#' @return the table (one row per probe), `EntrezGene.ID` numeric with NA for missing IDs.
genefu_signature <- function(name) {
  files <- c(oncotypedx = "sig_oncotypedx.csv", endopredict = "sig_endopredict.csv",
             gene70 = "sig_gene70.csv", gene76 = "sig_gene76.csv", ggi = "sig_ggi.csv",
             pik3cags = "sig_pik3cags.csv", genius = "sig_genius.csv", tamr13 = "sig_tamr13.csv")
  if (!name %in% names(files)) {
    stop(sprintf("unknown genefu signature '%s'; use one of: %s", name,
                 paste(names(files), collapse = ", ")), call. = FALSE)
  }
  .genefu_csv(files[[name]])
}

#' Module gene lists (ESR1, ERBB2, AURKA, ...) as a named list of data.frames
#'
#' @param set "mod1" (Desmedt 2008), "mod2" (Wirapati 2008), "scmgene", "scmod1", "scmod2"
#'   (the robust SCM module genes used by genefu's subtyping), or "genius" (GENIUSM1..3).
#' @return a named list, one data.frame per module with columns `probe`, `EntrezGene.ID`,
#'   `coefficient` (and a symbol column where the table has one), in file order.
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
#' @param name "pam50", "pam50.robust", "pam50.scale", "ssp2003", ..., "ssp2006.scale".
#' @return a list: `name`, `centroids` (genes x 5 matrix, columns Basal, Her2, LumA, LumB,
#'   Normal), `centroids.map` (data.frame `probe`, `probe.centroids`, `EntrezGene.ID`), `std`,
#'   `rescale.q`, `method.cor`, `method.centroids`, `mins`.
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

#' An SCM mixture model (scmgene, scmod1, scmod2; robust versions by default)
#'
#' @param name "scmgene", "scmod1", "scmod2" (mapped to their `.robust` objects, as genefu's
#'   `molecular.subtyping` does) or an explicit name such as "scmod1.robust" or "scmod1".
#' @return a list: `name`, `pro`, `mean` (2 x 3, rows ESR1, ERBB2), `scale`, `shape`,
#'   `aurka.mean`, `aurka.sigma`, `rescale.q`, `modules` (named list of module tables).
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

#' pyradiogen: the R layer of the pyradiogen radiogenomics toolkit
#'
#' Functions here are called from Python through rpy2 and can be used directly from R.
#' Bundled reference tables live under `inst/extdata` and are located with [pyradiogen_extdata()].
"_PACKAGE"

#' Path of a file bundled with the package (signature tables, gene sets)
#'
#' @param ... path components below `inst/extdata`, e.g. `"genefu", "sig_gene70.csv"`.
#' @return the absolute path; an error naming the file when it does not exist.
pyradiogen_extdata <- function(...) {
  path <- system.file("extdata", ..., package = "pyradiogen")
  if (!nzchar(path)) {
    stop(sprintf("bundled file '%s' not found in the pyradiogen R package; reinstall it with `make rpkg`",
                 file.path(...)), call. = FALSE)
  }
  path
}

#' Versions of R and of every R package pyradiogen uses
#'
#' @param packages package names; `NA` for one that is not installed.
#' @return a named character vector of versions.
pyradiogen_versions <- function(packages = c("nlme", "glmnet", "GSVA", "GSEABase", "psych",
                                             "ROCR", "nnet", "org.Hs.eg.db", "AnnotationDbi")) {
  vers <- vapply(packages, function(p) {
    tryCatch(as.character(packageVersion(p)), error = function(e) NA_character_)
  }, character(1))
  c(R = paste(R.version$major, R.version$minor, sep = "."), vers)
}

#' pyradiogen: the R layer of the pyradiogen radiogenomics toolkit
#'
#' Faithful re-implementations, from their published specifications, of the parts of genefu
#' (breast-cancer gene signatures, PAM50 and SCM subtyping), irr (intraclass correlation),
#' biglasso (lasso paths, solved with glmnet) and ClassifyR (selection frequency) that the
#' project needs, plus wrappers of nlme, glmnet, GSVA and ROCR in the exact form the two
#' reproduced studies used them. The Python package `pyradiogen` calls these functions through
#' rpy2; every function can also be used directly from R.
#'
#' Functions that stand in for genefu and irr keep those packages' names and arguments, so R code
#' written for genefu or irr runs unchanged (attach only one of the two packages).
#' Bundled reference tables live under `inst/extdata` and are found with [pyradiogen_extdata()];
#' [simulated_expression()] makes a small expression data set for trying the API.
#' `vignette("pyradiogen")` walks through the R API.
#'
#' @references
#' Liu and Hu (2023), *Biomarker Research* 11:9 (study 1: deep radiomic features, nlme
#' association scan, biglasso prediction).
#'
#' Kim et al. (2020), *Journal of the Korean Society of Radiology* 81:632 (study 2: pyradiomics
#' features, genefu risk scores, leave-one-out lasso).
#' @keywords internal
#' @useDynLib pyradiogen, .registration = TRUE
#' @importFrom stats median quantile sd var cor pf qf pt qt setNames na.omit
#' @importFrom utils read.csv packageVersion sessionInfo head
"_PACKAGE"

#' Path of a file bundled with the package
#'
#' Signature tables, centroid models, gene sets and test images are installed under
#' `extdata/`; this returns the path of one of them and fails with a message naming the file
#' when it is absent.
#'
#' @param ... path components below `inst/extdata`, e.g. `"genefu", "sig_gene70.csv"`.
#' @return The absolute path (a character string).
#' @references The provenance of every bundled file is listed in the project's
#'   `data-raw/README.md`.
#' @examples
#' path <- pyradiogen_extdata("genefu", "sig_oncotypedx.csv")
#' head(read.csv(path), 3)
#' @export
pyradiogen_extdata <- function(...) {
  path <- system.file("extdata", ..., package = "pyradiogen")
  if (!nzchar(path)) {
    stop(sprintf(paste("bundled file '%s' not found in the pyradiogen R package; reinstall it",
                       "with `python -m pyradiogen setup-r`"), file.path(...)), call. = FALSE)
  }
  path
}

#' Versions of R and of the R packages pyradiogen uses
#'
#' @param packages package names to report.
#' @return A named character vector: element `R` (R's version) then one version per package,
#'   `NA` for a package that is not installed.
#' @references R Core Team. *R: A Language and Environment for Statistical Computing*.
#'   <https://www.R-project.org/>.
#' @examples
#' pyradiogen_versions(c("stats", "nlme"))
#' @export
pyradiogen_versions <- function(packages = c("nlme", "glmnet", "GSVA", "GSEABase", "psych",
                                             "ROCR", "nnet", "org.Hs.eg.db", "AnnotationDbi")) {
  vers <- vapply(packages, function(p) {
    tryCatch(as.character(packageVersion(p)), error = function(e) NA_character_)
  }, character(1))
  c(R = paste(R.version$major, R.version$minor, sep = "."), vers)
}

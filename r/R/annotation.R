#' Map human gene identifiers with org.Hs.eg.db
#'
#' `AnnotationDbi::mapIds(org.Hs.eg.db, keys, column, keytype, multiVals = "first")`, with keys
#' unknown to the database returned as `NA` instead of an error.
#'
#' @param keys character vector of identifiers (e.g. gene symbols).
#' @param column what to return, e.g. `"ENTREZID"` or `"SYMBOL"`.
#' @param keytype what `keys` are, e.g. `"SYMBOL"`, `"ALIAS"`, `"ENTREZID"`, `"ENSEMBL"`.
#' @return A character vector named by `keys`, `NA` where a key is unknown. The first value is
#'   taken where a key maps to several.
#' @references Carlson M (2022). *org.Hs.eg.db: Genome wide annotation for Human*. Bioconductor
#'   package version 3.16.0 (Entrez Gene of 2022-09-12).
#' @examples
#' if (requireNamespace("org.Hs.eg.db", quietly = TRUE)) {
#'   map_gene_ids(c("ESR1", "ERBB2", "NOT_A_GENE"), "ENTREZID", "SYMBOL")
#' }
#' @export
map_gene_ids <- function(keys, column = "ENTREZID", keytype = "SYMBOL") {
  for (pkg in c("AnnotationDbi", "org.Hs.eg.db")) {
    if (!requireNamespace(pkg, quietly = TRUE)) {
      stop(sprintf("map_gene_ids needs the Bioconductor package '%s'; install it (Debian: %s)",
                   pkg, if (pkg == "org.Hs.eg.db") "r-bioc-org.hs.eg.db" else "r-bioc-annotationdbi"),
           call. = FALSE)
    }
  }
  keys <- as.character(keys)
  db <- org.Hs.eg.db::org.Hs.eg.db
  out <- stats::setNames(rep(NA_character_, length(keys)), keys)
  ok <- !is.na(keys) & keys %in% AnnotationDbi::keys(db, keytype = keytype)
  if (any(ok)) {
    out[ok] <- suppressMessages(AnnotationDbi::mapIds(db, keys = unique(keys[ok]), column = column,
                                                      keytype = keytype, multiVals = "first"))[keys[ok]]
  }
  out
}

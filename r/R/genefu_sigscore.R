# genefu re-implementation, part 3: sig.score, the signed-average module score (spec section 3).

# Prepare a signature table for sig.score: drop missing coefficients, sort by |coefficient|
# (decreasing, stable).
.sig_sorted <- function(x) {
  x <- as.data.frame(x, stringsAsFactors = FALSE)
  x <- x[!is.na(x$coefficient), , drop = FALSE]
  x[order(-abs(x$coefficient)), , drop = FALSE]
}

#' Signed-average score of a gene signature (genefu's sig.score)
#'
#' Genes with a positive coefficient are averaged, genes with a negative one are averaged, and
#' the score is the difference of the two averages weighted by the share of each sign.
#'
#' @param x signature table with columns `probe`, `EntrezGene.ID`, `coefficient` (only the
#'   sign of the coefficient matters when `signed = TRUE`).
#' @param data numeric matrix, samples in rows, probes in columns.
#' @param annot probe annotation with `EntrezGene.ID`, one row per data column (needed when
#'   `do.mapping = TRUE`).
#' @param do.mapping map genes through Entrez IDs (most variant probe per gene) instead of
#'   matching the signature's `probe` column to the data column names.
#' @param mapping accepted for genefu compatibility and ignored.
#' @param size 0 for all genes, otherwise the top `size` genes by |coefficient|.
#' @param cutoff keep only genes with |coefficient| > cutoff (`NA`: keep all).
#' @param signed signed average (`TRUE`) or |coefficient|-weighted averages (`FALSE`).
#' @param verbose print mapping messages.
#' @param label name used in warnings about genes missing from the data; `NULL` disables them.
#' @return A list: `score` (one per sample, `NA` when no gene maps), `mapping`
#'   (`c(mapped, total)`), `probe` (data columns used, named by signature probe), `missing`
#'   (labels of the signature genes not found).
#' @references genefu 2.39.1, `sig.score` (GitHub bhklab/genefu, commit 9c9b66d1, file
#'   R/sig.score.R). Gendoo DMA et al. (2016). Genefu: an R/Bioconductor package for computation
#'   of gene expression-based signatures in breast cancer. *Bioinformatics* 32(7):1097-1099.
#' @examples
#' sim <- simulated_expression(n = 30)
#' esr1 <- genefu_modules("mod1")$ESR1
#' s <- sig.score(esr1, sim$data, sim$annot, do.mapping = TRUE)
#' s$mapping
#' tapply(s$score, sim$subtype, mean)
#' @export
sig.score <- function(x, data, annot, do.mapping = FALSE, mapping, size = 0, cutoff = NA,
                      signed = TRUE, verbose = FALSE, label = "sig.score") {
  inp <- .genefu_inputs(data, if (missing(annot)) NULL else annot, do.mapping,
                        if (is.null(label)) "sig.score" else label)
  data <- inp$data
  n_rows_in <- nrow(x)
  x <- .sig_sorted(x)
  ns <- rownames(data)
  na_score <- stats::setNames(rep(NA_real_, nrow(data)), ns)
  if (do.mapping) {
    ids <- .gid_text(x$EntrezGene.ID)
    x <- x[!is.na(ids) & !duplicated(ids), , drop = FALSE]
    gm <- geneid.map(inp$annot$EntrezGene.ID, data, x$EntrezGene.ID, verbose = verbose)
    total <- nrow(x)
    miss <- .gene_labels(x, if (is.null(gm)) seq_len(total) else setdiff(seq_len(total), gm$index2),
                         TRUE)
    if (!is.null(label)) .warn_missing(label, miss, total, required = is.null(gm))
    if (is.null(gm)) {
      return(list(score = na_score, mapping = c(mapped = 0L, total = total), probe = character(0),
                  missing = miss))
    }
    x <- x[gm$index2, , drop = FALSE]
    dd <- gm$data1
  } else {
    total <- nrow(x)
    found <- x$probe %in% colnames(data)
    miss <- .gene_labels(x, which(!found), FALSE)
    if (!is.null(label)) .warn_missing(label, miss, total, required = !any(found))
    x <- x[found, , drop = FALSE]
    if (!nrow(x)) {
      return(list(score = na_score, mapping = c(mapped = 0L, total = total), probe = character(0),
                  missing = miss))
    }
    dd <- data[, x$probe, drop = FALSE]
  }
  if (size > 0 && size <= n_rows_in) {
    if (size > nrow(x)) {
      stop(sprintf("sig.score: size = %d but only %d signature genes are mapped; lower `size`",
                   size, nrow(x)), call. = FALSE)
    }
    x <- x[seq_len(size), , drop = FALSE]
    dd <- dd[, seq_len(size), drop = FALSE]
  }
  if (!is.na(cutoff)) {
    sel <- abs(x$coefficient) > cutoff
    x <- x[sel, , drop = FALSE]
    dd <- dd[, sel, drop = FALSE]
  }
  pos <- x$coefficient >= 0
  P <- sum(pos)
  N <- sum(!pos)
  group_mean <- function(cols) {
    sub <- dd[, cols, drop = FALSE]
    if (signed) return(rowMeans(sub, na.rm = TRUE))
    w <- abs(x$coefficient[cols])
    wm <- matrix(w, nrow(sub), length(w), byrow = TRUE)
    wm[is.na(sub)] <- 0
    rowSums(sub * wm, na.rm = TRUE) / rowSums(wm)
  }
  score <- rep(0, nrow(dd))
  if (P > 0) score <- score + (P / (P + N)) * group_mean(pos)
  if (N > 0) score <- score - (N / (P + N)) * group_mean(!pos)
  if (!P && !N) score <- rep(NA_real_, nrow(dd))
  names(score) <- ns
  list(score = score, mapping = c(mapped = nrow(x), total = total),
       probe = stats::setNames(colnames(dd), x$probe), missing = miss)
}

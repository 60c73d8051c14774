# genefu re-implementation, part 2: probe -> gene mapping (geneid.map), scaling helpers and the
# shared checks/warnings used by every signature. Specification: shared/specs/genefu.md, sections
# 0-2.

# Gene IDs as text. Whole numbers are written without scientific notation (4288 -> "4288");
# `numeric_first = TRUE` converts to numbers first, so an ID such as "7157 /// 1234" becomes NA
# (the rule of gene70, oncotypedx and endoPredict).
.gid_text <- function(x, numeric_first = FALSE) {
  if (is.factor(x)) x <- as.character(x)
  if (numeric_first) x <- suppressWarnings(as.numeric(as.character(x)))
  if (is.numeric(x)) {
    out <- rep(NA_character_, length(x))
    ok <- !is.na(x)
    whole <- ok & is.finite(x) & x == round(x)
    out[whole] <- format(x[whole], scientific = FALSE, trim = TRUE, digits = 15)
    out[ok & !whole] <- as.character(x[ok & !whole])
    return(out)
  }
  out <- as.character(x)
  out[!is.na(out) & !nzchar(trimws(out))] <- NA_character_
  out
}

#' Map signature genes to data columns, one probe per gene (genefu's geneid.map)
#'
#' For every signature gene present in the data, the most variant probe is chosen: the probe
#' with the largest `sd * (log((n + 1) / (k + 1)) + 1)` over the samples of the call, `k` being
#' its number of missing values. Columns that are entirely missing are ignored.
#'
#' @param geneid1 platform gene IDs, one per data column (positional).
#' @param data numeric matrix, samples in rows, probes in columns.
#' @param geneid2 signature gene IDs, in signature order.
#' @param verbose print the number of mapped genes.
#' @param numeric_first convert IDs to numbers before comparing them as text (the rule of
#'   gene70, oncotypedx and endoPredict, which makes an ID such as `"7157 /// 1234"` NA).
#' @return `NULL` when no gene is common, otherwise a list: `data1` (data restricted to the
#'   chosen probes, columns in signature order), `geneid1` (mapped IDs named by chosen probe),
#'   `geneid2` (the same IDs), `probe` (chosen probe per gene), `index2` (row of `geneid2` each
#'   mapped gene came from, its first occurrence).
#' @references genefu 2.39.1, `geneid.map` (GitHub bhklab/genefu, commit 9c9b66d1, file
#'   R/geneid.map.R). Gendoo DMA et al. (2016). *Bioinformatics* 32(7):1097-1099.
#' @examples
#' data <- matrix(c(1, 2, 3, 4, 10, 30, 20, 40, 5, 5, 6, 6), nrow = 4,
#'                dimnames = list(paste0("s", 1:4), c("p1", "p2", "p3")))
#' # p1 and p2 both measure gene 2099; p2 varies more and is chosen
#' m <- geneid.map(c(2099, 2099, 7153), data, c(7153, 2099))
#' m$probe
#' @export
geneid.map <- function(geneid1, data, geneid2, verbose = FALSE, numeric_first = FALSE) {
  if (!is.matrix(data)) data <- as.matrix(data)
  if (length(geneid1) != ncol(data)) {
    stop(sprintf(paste("geneid.map: %d platform gene IDs for %d data columns;",
                       "annot must have one row per data column"),
                 length(geneid1), ncol(data)), call. = FALSE)
  }
  g1 <- .gid_text(geneid1, numeric_first)
  g2 <- .gid_text(geneid2, numeric_first)
  probes <- colnames(data)
  if (is.null(probes)) probes <- as.character(seq_len(ncol(data)))
  # only columns of signature genes can matter: restrict first (same result, far less copying),
  # then drop the all-missing ones
  keep <- which(!is.na(g1) & g1 %in% g2)
  data <- data[, keep, drop = FALSE]
  g1 <- g1[keep]
  probes <- probes[keep]
  keep <- colSums(!is.na(data)) > 0
  data <- data[, keep, drop = FALSE]
  g1 <- g1[keep]
  probes <- probes[keep]
  common <- intersect(g2[!is.na(g2)], g1[!is.na(g1)])
  if (verbose) message(sprintf("geneid.map: %d of %d signature genes mapped", length(common),
                               length(unique(g2[!is.na(g2)]))))
  if (!length(common)) return(NULL)
  n <- nrow(data)
  cand <- which(g1 %in% common)
  groups <- split(cand, factor(g1[cand], levels = common))
  chosen <- vapply(groups, function(idx) {
    if (length(idx) == 1L) return(idx)
    x <- data[, idx, drop = FALSE]
    k <- colSums(is.na(x))
    s <- apply(x, 2, stats::sd, na.rm = TRUE)
    score <- s * (log((n + 1) / (k + 1)) + 1)
    # genefu compares the scores as text with 15 significant digits
    ok <- !is.na(score)
    score[ok] <- as.numeric(sprintf("%.15g", score[ok]))
    idx[order(-score, na.last = TRUE)[1L]]
  }, integer(1))
  data1 <- data[, chosen, drop = FALSE]
  colnames(data1) <- probes[chosen]
  list(data1 = data1, geneid1 = stats::setNames(common, probes[chosen]), geneid2 = common,
       probe = probes[chosen], index2 = match(common, g2))
}

# Rescale a vector to [0, 1] by its range or by quantiles (genefu's rescale; internal, so that
# it does not mask scales::rescale or psych::rescale).
# x: numeric; na.rm: ignore missing values for the bounds; q: 0 for min/max, otherwise the
# bounds are the q/2 and 1 - q/2 quantiles (type 7). Returns (x - lo) / (hi - lo), not clipped;
# an all-missing x gives all missing.
rescale <- function(x, na.rm = FALSE, q = 0) {
  x <- as.numeric(x)
  if (all(is.na(x))) return(x)
  if (q == 0) {
    lo <- min(x, na.rm = na.rm)
    hi <- max(x, na.rm = na.rm)
  } else {
    if (!na.rm && anyNA(x)) return(rep(NA_real_, length(x)))
    lo <- stats::quantile(x, probs = q / 2, na.rm = na.rm, names = FALSE, type = 7)
    hi <- stats::quantile(x, probs = 1 - q / 2, na.rm = na.rm, names = FALSE, type = 7)
  }
  (x - lo) / (hi - lo)
}

# genefu's "robust" scaling: 2 * (rescale(q, na.rm = TRUE) - 0.5)
.robust_scale <- function(x, q = 0.05) 2 * (rescale(x, na.rm = TRUE, q = q) - 0.5)

# per-gene z-score over non-missing values (base R's scale())
.z_scale <- function(x) {
  m <- sum(!is.na(x))
  xc <- x - mean(x, na.rm = TRUE)
  xc / sqrt(sum(xc^2, na.rm = TRUE) / (m - 1))
}

# Standardise every column of a samples x genes matrix: "none", "robust" or "scale".
.std_columns <- function(data, std = c("none", "robust", "scale"), q = 0.05) {
  std <- match.arg(std)
  if (std == "none" || !ncol(data)) return(data)
  f <- if (std == "robust") function(x) .robust_scale(x, q) else .z_scale
  out <- apply(data, 2, f)
  out <- matrix(out, nrow = nrow(data), dimnames = dimnames(data))
  out
}

# Check `data`/`annot` and align the annotation rows with the data columns.
# Alignment: by an annot column `probe` or by annot row names when they hold every data column;
# otherwise by position (genefu's convention).
.genefu_inputs <- function(data, annot, do.mapping, caller, need_probe = FALSE) {
  if (is.data.frame(data)) data <- as.matrix(data)
  if (!is.matrix(data) || !is.numeric(data)) {
    stop(sprintf("%s: `data` must be a numeric matrix (samples in rows, probes in columns)", caller),
         call. = FALSE)
  }
  if (is.null(colnames(data))) {
    stop(sprintf("%s: `data` needs column names (probe or gene IDs)", caller), call. = FALSE)
  }
  if (!do.mapping) return(list(data = data, annot = if (missing(annot)) NULL else annot))
  if (is.null(annot)) {
    stop(sprintf("%s: do.mapping = TRUE needs `annot` with a column EntrezGene.ID, one row per data column",
                 caller), call. = FALSE)
  }
  annot <- .plain_data_frame(annot)
  if (!"EntrezGene.ID" %in% names(annot)) {
    stop(sprintf("%s: `annot` has no column EntrezGene.ID (columns: %s); add it or use do.mapping = FALSE",
                 caller, paste(names(annot), collapse = ", ")), call. = FALSE)
  }
  cn <- colnames(data)
  if ("probe" %in% names(annot) && all(cn %in% annot$probe)) {
    annot <- annot[match(cn, annot$probe), , drop = FALSE]
  } else if (all(cn %in% rownames(annot))) {
    annot <- annot[match(cn, rownames(annot)), , drop = FALSE]
  } else if (nrow(annot) != ncol(data)) {
    miss <- setdiff(cn, if ("probe" %in% names(annot)) annot$probe else rownames(annot))
    stop(sprintf("%s: `annot` describes %d probes but `data` has %d columns; probes without annotation: %s",
                 caller, nrow(annot), ncol(data), .name_list(miss)), call. = FALSE)
  }
  rownames(annot) <- cn
  if (need_probe || !"probe" %in% names(annot)) annot$probe <- cn
  list(data = data, annot = annot)
}

# Rebuild a table column by column as a regular data.frame (also repairs a list that carries a
# data.frame class attribute without being an R object, as some converters create).
.plain_data_frame <- function(x) {
  if (is.matrix(x)) x <- as.data.frame(x, stringsAsFactors = FALSE)
  cols <- lapply(seq_along(x), function(i) x[[i]])
  names(cols) <- names(x)
  rn <- attr(x, "row.names")
  out <- data.frame(cols, stringsAsFactors = FALSE, check.names = FALSE)
  if (is.character(rn) && length(rn) == nrow(out)) rownames(out) <- rn
  out
}

# "A, B, C and 12 more"
.name_list <- function(x, max_n = 25L) {
  x <- unique(as.character(x))
  if (length(x) <= max_n) return(paste(x, collapse = ", "))
  sprintf("%s and %d more", paste(x[seq_len(max_n)], collapse = ", "), length(x) - max_n)
}

# Label of signature genes for messages: "SYMBOL (Entrez 1234)", or the probe without mapping.
.gene_labels <- function(sig, rows, do.mapping) {
  sym_col <- intersect(c("symbol", "HUGO.gene.symbol", "NCBI.gene.symbol"), names(sig))
  sym <- if (length(sym_col)) as.character(sig[[sym_col[1]]][rows]) else rep(NA_character_, length(rows))
  if (!do.mapping) {
    pcol <- intersect(c("probe", "probe.affy"), names(sig))[1]
    pr <- as.character(sig[[pcol]][rows])
    return(ifelse(is.na(sym), pr, sprintf("%s (probe %s)", sym, pr)))
  }
  ids <- .gid_text(sig$EntrezGene.ID[rows])
  ifelse(is.na(sym), sprintf("Entrez %s", ids), sprintf("%s (Entrez %s)", sym, ids))
}

# Warning naming signature genes absent from the data.
.warn_missing <- function(caller, labels, total, required) {
  if (!length(labels)) return(invisible())
  what <- if (required) {
    "the result is NA for every sample; add these genes to the expression data"
  } else {
    sprintf("the score uses the other %d genes", total - length(unique(labels)))
  }
  warning(sprintf("%s: %d of %d signature genes not found in the data (%s): %s",
                  caller, length(unique(labels)), total, what, .name_list(labels)), call. = FALSE)
}

#' Read a GMT file of gene sets
#'
#' @param path a GMT file: name, description, then genes, tab-separated, one set a line.
#' @return A named list of character vectors (gene order and repeats kept; empty fields
#'   dropped). A set name defined twice is an error naming it.
#' @references The GMT format of the Broad Institute's GSEA/MSigDB:
#'   Liberzon A et al. (2011). Molecular signatures database (MSigDB) 3.0. *Bioinformatics*
#'   27(12):1739-1740.
#' @examples
#' sets <- pyradiogen_read_gmt(pyradiogen_extdata("genesets", "c2.cp.kegg.v7.2.symbols.gmt"))
#' length(sets)
#' head(sets[["KEGG_CELL_CYCLE"]])
#' @export
pyradiogen_read_gmt <- function(path) {
  if (!file.exists(path)) stop(sprintf("GMT file '%s' not found", path), call. = FALSE)
  lines <- readLines(path, warn = FALSE)
  lines <- lines[nzchar(trimws(lines))]
  fields <- strsplit(lines, "\t", fixed = TRUE)
  nm <- vapply(fields, function(f) trimws(f[1]), character(1))
  if (anyDuplicated(nm)) {
    stop(sprintf("GMT file '%s': gene set '%s' is defined twice", path, nm[anyDuplicated(nm)]),
         call. = FALSE)
  }
  sets <- lapply(fields, function(f) {
    g <- trimws(f[-(1:2)])
    g[nzchar(g)]
  })
  names(sets) <- nm
  sets
}

#' ssGSEA scores through GSVA 1.46
#'
#' The same entry point as Python's `ssgsea(engine = "r")`: `GSVA::gsva(method = "ssgsea")`
#' with the given weight and normalisation; GSVA's progress output is kept off the console.
#'
#' @param expr numeric matrix or data frame, genes x samples, gene IDs as row names
#'   (use `samples_as_rows = TRUE` for a samples x genes table).
#' @param gene_sets named list of character vectors, or the path of a GMT file; `NULL` uses the
#'   bundled MSigDB C2 CP:KEGG v7.2 sets.
#' @param alpha weight exponent tau (GSVA's default for ssgsea, 0.25).
#' @param normalize divide by the range over all scores of the call (`ssgsea.norm`).
#' @param min_size,max_size size filter applied after intersecting sets with the genes.
#' @param samples_as_rows `expr` holds samples as rows; the result is then samples x sets.
#' @return A matrix, gene sets x samples (or samples x gene sets with `samples_as_rows`).
#' @references Barbie DA et al. (2009). Systematic RNA interference reveals that oncogenic
#'   KRAS-driven cancers require TBK1. *Nature* 462(7269):108-112. Hanzelmann S, Castelo R,
#'   Guinney J (2013). GSVA: gene set variation analysis for microarray and RNA-seq data.
#'   *BMC Bioinformatics* 14:7 (GSVA 1.46.0).
#' @examples
#' if (requireNamespace("GSVA", quietly = TRUE)) {
#'   sim <- simulated_expression(n = 12)
#'   expr <- t(sim$data)
#'   rownames(expr) <- ifelse(is.na(sim$annot$symbol), sim$annot$probe, sim$annot$symbol)
#'   expr <- expr[!duplicated(rownames(expr)), ]
#'   es <- pyradiogen_ssgsea(expr, min_size = 5)
#'   dim(es)
#' }
#' @export
pyradiogen_ssgsea <- function(expr, gene_sets = NULL, alpha = 0.25, normalize = TRUE,
                              min_size = 1, max_size = Inf, samples_as_rows = FALSE) {
  if (!requireNamespace("GSVA", quietly = TRUE)) {
    stop("R package 'GSVA' is not installed; run `sudo scripts/install-system-deps.sh`",
         call. = FALSE)
  }
  if (is.null(gene_sets)) {
    gene_sets <- pyradiogen_extdata("genesets", "c2.cp.kegg.v7.2.symbols.gmt")
  }
  if (is.character(gene_sets) && length(gene_sets) == 1 && !is.list(gene_sets)) {
    gene_sets <- pyradiogen_read_gmt(gene_sets)
  }
  x <- as.matrix(expr)
  if (samples_as_rows) x <- t(x)
  if (is.null(rownames(x))) stop("expr needs gene IDs as row names", call. = FALSE)
  storage.mode(x) <- "double"
  es <- NULL
  # GSVA 1.46's ssgsea print()s progress even with verbose = FALSE: keep the console quiet
  utils::capture.output(
    es <- GSVA::gsva(x, gene_sets, method = "ssgsea", min.sz = min_size, max.sz = max_size,
                     tau = alpha, ssgsea.norm = normalize, verbose = FALSE))
  if (samples_as_rows) t(es) else es
}

#' Simulated breast-cancer expression data for examples
#'
#' A small, reproducible expression data set built from the bundled genefu tables, for trying
#' the signature and subtyping functions: every gene of the bundled signatures, modules and
#' centroids, with intrinsic-subtype structure planted through the PAM50 centroids and the
#' ESR1, ERBB2 and AURKA module genes (oestrogen, HER2 and proliferation programmes), and grade
#' following proliferation. The values are simulated, not measured: use them to learn the API,
#' never to draw conclusions.
#'
#' @param n number of samples (at least 10).
#' @param seed seed of R's random number generator (`set.seed(seed)` is called, which changes
#'   the session's random number stream as `set.seed()` does).
#' @return A list:
#'   * `data`: numeric matrix, samples x probes, log2-scale values (about 4 to 14);
#'   * `annot`: data.frame with one row per probe: `probe`, `EntrezGene.ID`, `symbol` (the
#'     `annot` argument of the genefu functions);
#'   * `subtype`: the planted PAM50 subtype of each sample (factor);
#'   * `er`: ER status (1 positive, 0 negative);
#'   * `hg`: histological grade (1, 2 or 3).
#' @references The gene lists and centroids are genefu 2.39.1's (Gendoo DMA et al. 2016,
#'   *Bioinformatics* 32(7):1097-1099); the subtype structure follows the PAM50 centroids of
#'   Parker JS et al. (2009), *Journal of Clinical Oncology* 27(8):1160-1167.
#' @examples
#' sim <- simulated_expression(n = 30)
#' dim(sim$data)
#' head(sim$annot)
#' table(sim$subtype)
#' @export
simulated_expression <- function(n = 40, seed = 1) {
  if (!is.numeric(n) || length(n) != 1L || n < 10) {
    stop("simulated_expression: n must be one number >= 10", call. = FALSE)
  }
  n <- as.integer(n)
  genes <- .simulation_genes()
  set.seed(seed, kind = "Mersenne-Twister", normal.kind = "Inversion", sample.kind = "Rejection")
  classes <- c("Basal", "Her2", "LumA", "LumB", "Normal")
  subtype <- factor(sample(classes, n, replace = TRUE, prob = c(0.2, 0.12, 0.4, 0.18, 0.1)),
                    levels = c("Basal", "Her2", "LumB", "LumA", "Normal"))
  st <- as.character(subtype)
  er_lat <- c(Basal = -1.5, Her2 = -0.5, LumA = 1.2, LumB = 1, Normal = 0.6)[st] + stats::rnorm(n, 0, 0.3)
  her2_lat <- c(Basal = -0.3, Her2 = 1.8, LumA = -0.3, LumB = 0.3, Normal = -0.3)[st] + stats::rnorm(n, 0, 0.3)
  prolif <- c(Basal = 1.2, Her2 = 0.9, LumA = -1, LumB = 0.9, Normal = -1.2)[st] + stats::rnorm(n, 0, 0.3)
  g <- nrow(genes)
  x <- matrix(stats::runif(g, 5, 11), n, g, byrow = TRUE) + matrix(stats::rnorm(n * g, 0, 0.6), n, g)
  x <- x + outer(er_lat, genes$w_er) + outer(her2_lat, genes$w_her2) + outer(prolif, genes$w_prolif)
  cent <- genefu_centroid_model("pam50")
  j <- match(cent$centroids.map$EntrezGene.ID, genes$EntrezGene.ID)
  ok <- !is.na(j)
  x[, j[ok]] <- x[, j[ok]] + t(cent$centroids[ok, st, drop = FALSE])
  x <- pmin(pmax(x, 2), 16)
  ids <- sprintf("S%02d", seq_len(n))
  dimnames(x) <- list(ids, genes$probe)
  hg <- ifelse(prolif > 0.6, 3, ifelse(prolif > -0.6, 2, 1))
  er <- as.numeric(er_lat > 0)
  names(subtype) <- names(er) <- names(hg) <- ids
  list(data = x, annot = genes[, c("probe", "EntrezGene.ID", "symbol")], subtype = subtype,
       er = er, hg = hg)
}

# Gene universe of the simulation: every Entrez ID of the bundled signatures, modules and
# centroids (and of the corrected TAMR13 table), with the loadings on the three programmes.
.simulation_genes <- function() {
  key <- "simulation_genes"
  if (!is.null(.genefu_cache[[key]])) return(.genefu_cache[[key]])
  pick <- function(tab, sym_col = NULL) {
    data.frame(EntrezGene.ID = suppressWarnings(as.numeric(tab$EntrezGene.ID)),
               symbol = if (is.null(sym_col)) NA_character_ else as.character(tab[[sym_col]]),
               stringsAsFactors = FALSE)
  }
  parts <- list(
    pick(genefu_centroid_model("pam50")$centroids.map, "probe"),
    pick(genefu_signature("oncotypedx"), "symbol"), pick(genefu_signature("endopredict"), "symbol"),
    pick(genefu_signature("gene70"), "HUGO.gene.symbol"), pick(genefu_signature("ggi"), "HUGO.gene.symbol"),
    pick(genefu_signature("genius"), "NCBI.gene.symbol"), pick(genefu_signature("tamr13"), "symbol"),
    pick(genefu_signature("tamr13", table = "corrected"), "symbol"),
    pick(genefu_signature("pik3cags")), pick(.genefu_csv("mod1.csv")), pick(.genefu_csv("mod2.csv"), "probe"),
    pick(.genefu_csv("scmod1_robust_modules.csv")), pick(.genefu_csv("scmod2_robust_modules.csv")),
    pick(genefu_centroid_model("ssp2006")$centroids.map), pick(genefu_centroid_model("ssp2003")$centroids.map))
  all <- do.call(rbind, parts)
  all <- all[!is.na(all$EntrezGene.ID), , drop = FALSE]
  all$symbol[!is.na(all$symbol) & (!nzchar(all$symbol) | all$symbol == "na")] <- NA
  all <- all[order(is.na(all$symbol)), , drop = FALSE]
  all <- all[!duplicated(all$EntrezGene.ID), , drop = FALSE]
  all <- all[order(all$EntrezGene.ID), , drop = FALSE]
  weight <- function(module) {
    m <- genefu_modules("mod1")[[module]]
    w <- stats::setNames(sign(m$coefficient) * pmin(abs(m$coefficient), 1), m$EntrezGene.ID)
    w <- w[!duplicated(names(w))]
    out <- unname(w[format(all$EntrezGene.ID, scientific = FALSE, trim = TRUE)])
    ifelse(is.na(out), 0, out)
  }
  ggi <- genefu_signature("ggi")
  g3 <- ggi$EntrezGene.ID[ggi$grade == 3]
  g1 <- ggi$EntrezGene.ID[ggi$grade == 1]
  genes <- data.frame(probe = paste0("EG", format(all$EntrezGene.ID, scientific = FALSE, trim = TRUE)),
                      EntrezGene.ID = all$EntrezGene.ID, symbol = all$symbol,
                      stringsAsFactors = FALSE)
  genes$w_er <- weight("ESR1")
  genes$w_her2 <- weight("ERBB2")
  genes$w_prolif <- weight("AURKA") + 0.8 * (genes$EntrezGene.ID %in% g3) -
    0.8 * (genes$EntrezGene.ID %in% g1)
  assign(key, genes, envir = .genefu_cache)
  genes
}

# Check the gene IDs of every bundled genefu table against the gene symbols, with org.Hs.eg.db,
# and write the corrected TAMR13 table.
#
#   Rscript data-raw/check_gene_ids.R            (from the repository root)
#
# Needs the Bioconductor packages AnnotationDbi and org.Hs.eg.db (Debian r-bioc-org.hs.eg.db;
# the results in data-raw/ were made with org.Hs.eg.db 3.16.0, Entrez Gene of 2022-09-12).
#
# Writes
#   data-raw/gene_id_check_summary.csv   one row per table: counts per status
#   data-raw/gene_id_check_genes.csv     one row per table row whose ID is not confirmed
#   r/inst/extdata/genefu/sig_tamr13_corrected.csv   genefu's sig.tamr13 with Entrez IDs taken
#                                        from the symbols (genefu's ID kept in genefu.EntrezGene.ID)
#
# Status of one (symbol, EntrezGene.ID) row:
#   agrees          the ID is the Entrez ID of the symbol (current symbol, or an alias/previous
#                   symbol of the ID's gene)
#   differs         the symbol is the current symbol of one gene (or an alias of exactly one) and
#                   the ID is another number (for sig.tamr13 mostly the gene's HGNC number)
#   no_id           the table has a symbol but no ID
#   symbol_unknown  the symbol is neither a current symbol nor an alias in org.Hs.eg.db
#   alias_ambiguous the symbol is an alias of several genes, none of them the table's ID
#   no_symbol       the table has no symbol for the row: only the ID's existence is checked
#   id_unknown      (no symbol) the ID is not an Entrez Gene ID in org.Hs.eg.db
suppressPackageStartupMessages({
  library(AnnotationDbi)
  library(org.Hs.eg.db)
})

ext <- file.path("r", "inst", "extdata", "genefu")
if (!dir.exists(ext)) stop("run from the repository root (", ext, " not found)")
db <- org.Hs.eg.db
all_ids <- keys(db, keytype = "ENTREZID")
current <- suppressMessages(select(db, keys(db, "SYMBOL"), "ENTREZID", "SYMBOL"))
sym2eg <- split(current$ENTREZID, current$SYMBOL)
aliases <- suppressMessages(select(db, keys(db, "ALIAS"), "ENTREZID", "ALIAS"))
alias2eg <- split(aliases$ENTREZID, aliases$ALIAS)
eg2sym <- setNames(current$SYMBOL, current$ENTREZID)

# table -> column holding the symbol (NULL: the table has none)
tables <- list(
  sig_oncotypedx.csv = "symbol", sig_endopredict.csv = "symbol",
  sig_gene70.csv = "HUGO.gene.symbol", sig_gene76.csv = "HUGO.gene.symbol",
  sig_ggi.csv = "HUGO.gene.symbol", sig_genius.csv = "NCBI.gene.symbol",
  sig_tamr13.csv = "symbol", sig_pik3cags.csv = NULL, mod1.csv = NULL, mod2.csv = "probe",
  scmgene_robust_modules.csv = NULL, scmod1_robust_modules.csv = NULL,
  scmod2_robust_modules.csv = NULL, pam50_centroids.csv = "probe",
  ssp2003_centroids.csv = NULL, ssp2006_centroids.csv = NULL
)

blank <- function(x) is.na(x) | !nzchar(trimws(x)) | tolower(trimws(x)) %in% c("na", "---")

check_row <- function(symbol, id) {
  id <- if (is.na(id)) NA_character_ else format(id, scientific = FALSE, trim = TRUE)
  if (blank(symbol)) {
    if (is.na(id)) return(c("no_symbol", NA, NA))
    if (!id %in% all_ids) return(c("id_unknown", NA, NA))
    return(c("no_symbol", NA, NA))
  }
  cur <- sym2eg[[symbol]]
  ali <- alias2eg[[symbol]]
  cand <- unique(c(cur, ali))
  if (!length(cand)) return(c(if (is.na(id)) "no_id" else "symbol_unknown", NA, "none"))
  how <- if (length(cur)) "symbol" else "alias"
  target <- if (length(cur) == 1) cur else if (!length(cur) && length(unique(ali)) == 1) ali[1] else NA
  if (is.na(id)) return(c("no_id", target, how))
  if (id %in% cand) return(c("agrees", id, how))
  if (is.na(target)) return(c("alias_ambiguous", NA, how))
  c("differs", target, how)
}

summary_rows <- list()
gene_rows <- list()
for (file in names(tables)) {
  tab <- read.csv(file.path(ext, file), stringsAsFactors = FALSE, check.names = FALSE,
                  na.strings = "", colClasses = c(probe = "character"))
  scol <- tables[[file]]
  sym <- if (is.null(scol)) rep(NA_character_, nrow(tab)) else as.character(tab[[scol]])
  ids <- suppressWarnings(as.numeric(tab$EntrezGene.ID))
  res <- t(mapply(check_row, sym, ids, USE.NAMES = FALSE))
  status <- res[, 1]
  # genes = distinct (symbol, ID) pairs; probes of the same gene count once
  key <- paste(sym, ids)
  first <- !duplicated(key)
  counts <- table(factor(status[first], levels = c("agrees", "differs", "no_id", "symbol_unknown",
                                                   "alias_ambiguous", "no_symbol", "id_unknown")))
  summary_rows[[file]] <- data.frame(
    table = file, symbol_column = if (is.null(scol)) NA_character_ else scol,
    rows = nrow(tab), genes = sum(first), as.list(counts), check.names = FALSE)
  bad <- first & !status %in% c("agrees", "no_symbol")
  if (any(bad)) {
    gene_rows[[file]] <- data.frame(
      table = file, symbol = sym[bad], EntrezGene.ID = ids[bad], status = status[bad],
      entrez_from_symbol = res[bad, 2], matched_by = res[bad, 3],
      symbol_of_table_id = unname(eg2sym[format(ids[bad], scientific = FALSE, trim = TRUE)]),
      stringsAsFactors = FALSE)
  }
}
summary_tab <- do.call(rbind, summary_rows)
rownames(summary_tab) <- NULL
gene_tab <- do.call(rbind, gene_rows)
rownames(gene_tab) <- NULL
write.csv(summary_tab, file.path("data-raw", "gene_id_check_summary.csv"), row.names = FALSE,
          na = "")
write.csv(gene_tab, file.path("data-raw", "gene_id_check_genes.csv"), row.names = FALSE, na = "")

# The corrected TAMR13 table: the Entrez ID of the symbol where org.Hs.eg.db gives exactly one;
# genefu's ID where the symbol is unknown, ambiguous or missing (nothing better is known).
tam <- read.csv(file.path(ext, "sig_tamr13.csv"), stringsAsFactors = FALSE, check.names = FALSE,
                na.strings = "", colClasses = c(probe = "character", symbol = "character"))
res <- t(mapply(check_row, tam$symbol, tam$EntrezGene.ID, USE.NAMES = FALSE))
fixed <- suppressWarnings(as.numeric(res[, 2]))
use_fix <- res[, 1] %in% c("differs", "no_id") & !is.na(fixed)
corrected <- tam
corrected$genefu.EntrezGene.ID <- tam$EntrezGene.ID
corrected$EntrezGene.ID <- ifelse(use_fix, fixed, tam$EntrezGene.ID)
corrected$id.status <- res[, 1]
write.csv(corrected, file.path(ext, "sig_tamr13_corrected.csv"), row.names = FALSE, na = "")

cat(sprintf("org.Hs.eg.db %s (Entrez Gene %s)\n", packageVersion("org.Hs.eg.db"),
            subset(org.Hs.eg_dbInfo(), name == "EGSOURCEDATE")$value))
print(summary_tab, row.names = FALSE)
cat(sprintf("sig_tamr13_corrected.csv: %d of %d rows take the symbol's Entrez ID\n",
            sum(use_fix), nrow(tam)))

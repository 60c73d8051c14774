# Build gene_universe.tsv: the genes the demo cohort expresses, with Entrez and Ensembl IDs.
# Run from the repository root:  Rscript pyradiogen/demo/data/make_gene_universe.R
# Inputs: the bundled genefu tables, the bundled KEGG v7.2 GMT, the risk panel below, and
# org.Hs.eg.db (symbols, Ensembl IDs, gene types); background genes are a seeded sample of
# protein-coding genes. The output is committed; rerun only when the inputs change.
suppressMessages(library(org.Hs.eg.db))
ext <- "r/inst/extdata"
out <- "pyradiogen/demo/data/gene_universe.tsv"
risk <- readLines("pyradiogen/demo/data/risk_panel.txt")
entrez <- character(0)
for (f in list.files(file.path(ext, "genefu"), pattern = "\\.csv$", full.names = TRUE)) {
  d <- read.csv(f, check.names = FALSE)
  if ("EntrezGene.ID" %in% names(d)) entrez <- c(entrez, as.character(d[["EntrezGene.ID"]]))
}
entrez <- unique(entrez[!is.na(entrez) & entrez != "" & entrez != "NA"])
gmt <- strsplit(readLines(file.path(ext, "genesets", "c2.cp.kegg.v7.2.symbols.gmt")), "\t")
kegg <- unique(unlist(lapply(gmt, function(x) x[-(1:2)])))
sym2eg <- AnnotationDbi::select(org.Hs.eg.db, keys = unique(c(kegg, risk)), columns = "ENTREZID",
                                keytype = "SYMBOL")
sym2eg <- sym2eg[!duplicated(sym2eg$SYMBOL), ]
all_eg <- unique(c(entrez, sym2eg$ENTREZID[!is.na(sym2eg$ENTREZID)]))
set.seed(20240501)
pc <- AnnotationDbi::select(org.Hs.eg.db, keys = keys(org.Hs.eg.db, "ENTREZID"),
                            columns = "GENETYPE", keytype = "ENTREZID")
pc <- setdiff(pc$ENTREZID[pc$GENETYPE == "protein-coding"], all_eg)
background <- sort(sample(pc, 1000))
all_eg <- unique(c(all_eg, background))
ann <- AnnotationDbi::select(org.Hs.eg.db, keys = all_eg, columns = c("SYMBOL", "ENSEMBL", "GENETYPE"),
                             keytype = "ENTREZID")
ann <- ann[order(ann$ENTREZID, ann$ENSEMBL), ]
ann <- ann[!duplicated(ann$ENTREZID) & !is.na(ann$SYMBOL), ]
ann <- ann[!duplicated(ann$SYMBOL), ]
role <- ifelse(ann$ENTREZID %in% background, "background", "panel")
res <- data.frame(gene_name = ann$SYMBOL, entrez = ann$ENTREZID, ensembl = ann$ENSEMBL,
                  genetype = ann$GENETYPE, role = role)
# symbols with no Entrez record (risk panel lncRNAs, retired KEGG symbols): no Entrez ID
miss <- setdiff(c(kegg, risk), res$gene_name)
if (length(miss))
  res <- rbind(res, data.frame(gene_name = miss, entrez = NA, ensembl = NA, genetype = "unknown",
                               role = "panel"))
res <- res[order(res$gene_name), ]
write.table(res, out, sep = "\t", quote = FALSE, row.names = FALSE, na = "")
cat(nrow(res), "genes written to", out, "\n")

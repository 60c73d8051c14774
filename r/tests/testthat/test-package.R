test_that("versions lists R and reports NA for absent packages", {
  v <- pyradiogen_versions(c("stats", "surely.not.installed"))
  expect_equal(unname(v[["R"]]), paste(R.version$major, R.version$minor, sep = "."))
  expect_equal(unname(v[["stats"]]), as.character(packageVersion("stats")))
  expect_true(is.na(v[["surely.not.installed"]]))
})

test_that("extdata lookup names a missing file", {
  expect_error(pyradiogen_extdata("no", "such.csv"), "no/such.csv")
})

# Names we keep because we stand in for genefu and irr: R code written for those packages must
# run unchanged, so these may coincide with theirs (and only theirs).
.standins <- c("geneid.map", "sig.score", "oncotypedx", "endoPredict", "gene70", "gene76", "ggi",
               "pik3cags", "tamr13", "genius", "intrinsic.cluster.predict", "rorS",
               "subtype.cluster.predict", "molecular.subtyping", "icc")

test_that("exported names do not mask functions of other installed packages", {
  ours <- getNamespaceExports("pyradiogen")
  pk <- setdiff(rownames(utils::installed.packages()), c("pyradiogen", "genefu", "irr"))
  clashes <- list()
  for (p in pk) {
    ns <- tryCatch(parseNamespaceFile(p, dirname(system.file(package = p))),
                   error = function(e) NULL)
    if (is.null(ns)) next
    ex <- ns$exports
    if (length(ns$exportPatterns)) {
      ex <- tryCatch(suppressMessages(suppressWarnings(getNamespaceExports(p))),
                     error = function(e) character(0))
    }
    hit <- intersect(ours, ex)
    if (length(hit)) clashes[[p]] <- hit
  }
  # well-known functions of packages that need not be installed here
  known <- c(scales = "rescale", psych = "rescale", scales = "rescale_mid",
             pROC = "auc", pROC = "roc", MLmetrics = "F1_Score", performance = "icc")
  hit <- known[known %in% ours]
  hit <- hit[!hit %in% .standins]
  for (p in names(hit)) clashes[[p]] <- unique(c(clashes[[p]], hit[names(hit) == p]))
  expect_equal(clashes, list())
})

test_that("every exported function has a help page with arguments, value, references and examples", {
  rd <- tools::Rd_db("pyradiogen")
  tags <- function(x) vapply(x, function(e) attr(e, "Rd_tag"), character(1))
  has <- lapply(rd, function(x) tags(x))
  aliases <- lapply(rd, function(x) unlist(lapply(x[tags(x) == "\\alias"], as.character)))
  for (f in getNamespaceExports("pyradiogen")) {
    page <- which(vapply(aliases, function(a) f %in% a, logical(1)))
    expect_length(page, 1L)
    if (length(page) != 1L) next
    for (section in c("\\value", "\\references", "\\examples")) {
      expect_true(section %in% has[[page]], label = sprintf("%s: %s", f, section))
    }
    if (length(formals(getExportedValue("pyradiogen", f)))) {
      expect_true("\\arguments" %in% has[[page]], label = sprintf("%s: \\arguments", f))
    }
  }
})


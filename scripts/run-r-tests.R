# Run the R package's testthat suite against the installed package (project library).
# Prints a closing "R testthat: N passed, N failed, N skipped" line; exits 1 on any failure.
suppressPackageStartupMessages({
  library(testthat)
  library(pyradiogen, lib.loc = Sys.getenv("R_LIBS_USER"))
})
res <- as.data.frame(test_dir("r/tests/testthat", package = "pyradiogen",
                              load_package = "installed", reporter = "summary",
                              stop_on_failure = FALSE))
failed <- sum(res$failed)
skipped <- sum(res$skipped)
errored <- sum(res$error)
passed <- sum(res$nb) - failed - skipped
cat(sprintf("R testthat: %d expectations passed, %d failed, %d skipped, %d test errors\n",
            passed, failed, skipped, errored))
if (failed > 0 || errored > 0) quit(status = 1)

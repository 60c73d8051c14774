test_that("versions lists R and reports NA for absent packages", {
  v <- pyradiogen_versions(c("stats", "surely.not.installed"))
  expect_equal(unname(v[["R"]]), paste(R.version$major, R.version$minor, sep = "."))
  expect_equal(unname(v[["stats"]]), as.character(packageVersion("stats")))
  expect_true(is.na(v[["surely.not.installed"]]))
})

test_that("extdata lookup names a missing file", {
  expect_error(pyradiogen_extdata("no", "such.csv"), "no/such.csv")
})

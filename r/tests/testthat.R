library(testthat)
library(pyradiogen)
test_check("pyradiogen")

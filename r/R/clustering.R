#' Hierarchical clustering cut into k clusters
#'
#' `cutree(hclust(dist(x), method), k)`: Euclidean distances between the rows of `x`, the
#' given linkage, the tree cut into `k` clusters. The reference for Python's clustering of
#' study 1's deep radiomic features (Fig 4a).
#'
#' @param x numeric matrix, one row per object (patient or image).
#' @param k number of clusters.
#' @param method linkage passed to [stats::hclust()] (`"complete"` in study 1).
#' @return An integer vector of cluster labels (1 to k), one per row of `x`.
#' @references R Core Team (2022). `hclust`, `dist` and `cutree` of R's stats package (R 4.2.2).
#'   Liu and Hu (2023), *Biomarker Research* 11:9 (study 1, Fig 4a).
#' @examples
#' x <- rbind(matrix(rnorm(10, 0), 5), matrix(rnorm(10, 5), 5))
#' hclust_clusters(x, k = 2)
#' @export
hclust_clusters <- function(x, k = 2L, method = "complete") {
  x <- as.matrix(x)
  if (nrow(x) < 2) stop("hclust_clusters: at least 2 rows are needed", call. = FALSE)
  as.integer(stats::cutree(stats::hclust(stats::dist(x), method = method), k = k))
}

#' Fit nnet's single-hidden-layer logistic network, fast and bit-identical to nnet
#'
#' Fits `nnet::nnet(x, y, size, decay, maxit, ...)` for one architecture: one hidden layer
#' of logistic units, one logistic output unit, least-squares error (nnet's default
#' `entropy = FALSE`, `linout = FALSE`, `softmax = FALSE`, `skip = FALSE`), unit case
#' weights, one weight-decay constant. With `engine = "fast"` the fit runs in this package's
#' compiled code: nnet's error function and gradient and R's variable-metric (BFGS) minimiser
#' `vmmin` (Nash 1990, Algorithm 21) doing the same floating-point operations in the same
#' order, with the inverse-Hessian approximation stored in cache-sized tiles. The fitted
#' weights, `value`, `convergence`, fitted values and predictions are `identical()` to
#' nnet's; the fast engine is several times faster for networks of thousands of weights.
#'
#' The returned object is a genuine `"nnet"` object (nnet's own code builds it at the fitted
#' weights with `maxit = 0`, which evaluates the fit once and leaves the weights unchanged),
#' so `predict()`, `summary()` and `coef()` work as for `nnet::nnet()`.
#'
#' The fast engine uses nnet itself (results identical by construction) for anything outside
#' the architecture above: a response with more than one column, missing or non-finite
#' values in `x` or `y`, a decay vector, `size < 1`, or a build of the package compiled with
#' non-IEEE settings (`-ffast-math`, excess precision). Like nnet, it draws the initial
#' weights with `runif(nwts, -rang, rang)` unless `Wts` is given, so call `set.seed()` first
#' for a reproducible fit.
#'
#' @param x numeric matrix (or data frame) of inputs, one row per case.
#' @param y numeric response, one value per row of `x` (0/1 for a two-class fit; any finite
#'   value is fitted by least squares as nnet does).
#' @param size number of hidden units (>= 1).
#' @param decay weight decay (one number).
#' @param maxit maximum number of iterations.
#' @param Wts initial weights (length `(ncol(x) + 1) * size + size + 1`, in nnet's order);
#'   drawn with `runif(nwts, -rang, rang)` when missing.
#' @param rang range of the initial weights.
#' @param abstol,reltol stopping tolerances of the minimiser (nnet's defaults).
#' @param engine `"fast"` (this package's compiled code) or `"nnet"` (`nnet::nnet()`).
#' @return An object of class `"nnet"`, as returned by `nnet::nnet()`; `value` (the final
#'   value of the penalised least-squares criterion) and `convergence` (1 when `maxit` was
#'   reached, else 0) are those of the fit.
#' @references Nash JC (1990). *Compact Numerical Methods for Computers: Linear Algebra and
#'   Function Minimisation*, 2nd ed. Adam Hilger, Algorithm 21. Ripley BD (1996). *Pattern
#'   Recognition and Neural Networks*. Cambridge University Press, ch. 5. Venables WN, Ripley
#'   BD (2002). *Modern Applied Statistics with S*, 4th ed. Springer, sec. 8.10 (nnet 7.3).
#' @examples
#' set.seed(1)
#' x <- matrix(rnorm(60 * 4), 60)
#' y <- as.numeric(x[, 1] + x[, 2] > 0)
#' set.seed(2)
#' fast <- nnet_fit(x, y, size = 3, decay = 1e-3, maxit = 50)
#' set.seed(2)
#' ref <- nnet_fit(x, y, size = 3, decay = 1e-3, maxit = 50, engine = "nnet")
#' identical(fast$wts, ref$wts)
#' identical(predict(fast, x), predict(ref, x))
#' @export
nnet_fit <- function(x, y, size, decay = 0, maxit = 100L, Wts, rang = 0.7, abstol = 1.0e-4,
                     reltol = 1.0e-8, engine = c("fast", "nnet")) {
  engine <- match.arg(engine)
  x <- as.matrix(x)
  nw <- (ncol(x) + 1) * size + size + 1
  maxnw <- max(1000, nw + 1)
  fit_nnet <- function(wts, iterations) {
    if (is.null(wts)) {
      nnet::nnet(x, y, size = size, decay = decay, maxit = iterations, rang = rang,
                 abstol = abstol, reltol = reltol, MaxNWts = maxnw, trace = FALSE)
    } else {
      nnet::nnet(x, y, size = size, decay = decay, maxit = iterations, Wts = wts,
                 abstol = abstol, reltol = reltol, MaxNWts = maxnw, trace = FALSE)
    }
  }
  if (engine == "nnet" || !.nnet_fast_supported(x, y, size, decay, maxit, abstol, reltol, nw)) {
    fit <- fit_nnet(if (missing(Wts)) NULL else Wts, maxit)
    fit$call <- match.call()
    return(fit)
  }
  if (missing(Wts)) {
    # as nnet.default draws them (nothing before this in nnet.default uses the RNG)
    wts <- if (rang > 0) stats::runif(nw, -rang, rang) else rep(0, nw)
  } else {
    wts <- Wts
    if (length(wts) != nw) stop("weights vector of incorrect length")
  }
  res <- .nnet_vm_fit(x, y, size, decay, wts, maxit, abstol, reltol)
  # nnet builds the object at the fitted weights: maxit = 0 evaluates once, weights unchanged
  fit <- fit_nnet(res$wts, 0L)
  fit$value <- res$value
  fit$convergence <- res$convergence
  fit$call <- match.call()
  fit
}

# The compiled fit: list(wts, value, convergence, counts = c(fn, gr, restarts, stalls)).
# options(pyradiogen.nnet_simd = FALSE) selects the baseline (non-AVX2) build of the matrix
# products (same results; used by the tests to cover both builds on an AVX2 machine).
.nnet_vm_fit <- function(x, y, size, decay, wts, maxit, abstol = 1.0e-4, reltol = 1.0e-8) {
  xd <- as.matrix(x)
  storage.mode(xd) <- "double"
  .Call(pyradiogen_nnet_vm_fit, xd, as.double(y), as.integer(size), as.double(decay),
        as.double(wts), as.integer(maxit), as.double(abstol), as.double(reltol),
        !identical(getOption("pyradiogen.nnet_simd"), FALSE))
}

# TRUE when the fast engine reproduces nnet::nnet for these arguments
.nnet_fast_supported <- function(x, y, size, decay, maxit, abstol, reltol, nw) {
  y <- as.matrix(y)
  is.numeric(x) && is.numeric(y) && ncol(y) == 1L && nrow(y) == nrow(x) && nrow(x) >= 1L &&
    all(is.finite(x)) && all(is.finite(y)) &&
    length(size) == 1L && is.numeric(size) && is.finite(size) && size >= 1 &&
    size == round(size) &&
    length(decay) == 1L && is.numeric(decay) && is.finite(decay) &&
    length(maxit) == 1L && is.numeric(maxit) && !is.na(maxit) &&
    abs(maxit) < .Machine$integer.max &&
    length(abstol) == 1L && is.numeric(abstol) && !is.na(abstol) &&
    length(reltol) == 1L && is.numeric(reltol) && !is.na(reltol) &&
    nw <= 46340 && isTRUE(.Call(pyradiogen_nnet_vm_exact))
}

#ifndef PYRADIOGEN_NNET_VM_H
#define PYRADIOGEN_NNET_VM_H

#include <Rinternals.h>

SEXP pyradiogen_nnet_vm_exact(void);
SEXP pyradiogen_nnet_vm_fit(SEXP x, SEXP y, SEXP size, SEXP decay, SEXP wts, SEXP maxit,
                            SEXP abstol, SEXP reltol, SEXP simd);

#endif

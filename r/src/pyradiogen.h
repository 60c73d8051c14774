#ifndef PYRADIOGEN_H
#define PYRADIOGEN_H
#include <Rinternals.h>
SEXP prg_class_tstat(SEXP x, SEXP rows_a, SEXP rows_b);
#endif

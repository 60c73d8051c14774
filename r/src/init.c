/* Registration of the package's native routines. */
#include <R.h>
#include <Rinternals.h>
#include <R_ext/Rdynload.h>
#include "pyradiogen.h"

static const R_CallMethodDef call_methods[] = {
    {"prg_class_tstat", (DL_FUNC) &prg_class_tstat, 3},
    {NULL, NULL, 0}
};

void R_init_pyradiogen(DllInfo *dll)
{
    R_registerRoutines(dll, NULL, call_methods, NULL, NULL);
    R_useDynamicSymbols(dll, FALSE);
    R_forceSymbols(dll, TRUE);
}

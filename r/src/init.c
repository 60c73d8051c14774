/* Registration of the package's native routines (no dynamic symbol lookup). */
#include <R.h>
#include <Rinternals.h>
#include <R_ext/Rdynload.h>
#include "pyradiogen.h"
#include "nnet_vm.h"

static const R_CallMethodDef call_methods[] = {
    {"prg_class_tstat", (DL_FUNC) &prg_class_tstat, 3},
    {"pyradiogen_nnet_vm_exact", (DL_FUNC) &pyradiogen_nnet_vm_exact, 0},
    {"pyradiogen_nnet_vm_fit", (DL_FUNC) &pyradiogen_nnet_vm_fit, 9},
    {NULL, NULL, 0}
};

void R_init_pyradiogen(DllInfo *dll)
{
    R_registerRoutines(dll, NULL, call_methods, NULL, NULL);
    R_useDynamicSymbols(dll, FALSE);
    R_forceSymbols(dll, TRUE);
}

// The Fortran entry point of L-BFGS-B 3.0 (Debian's liblbfgsb), declared for C++.
#pragma once

#include <cstddef>

extern "C" {

/// One reverse-communication step of L-BFGS-B 3.0:
///   subroutine setulb(n, m, x, l, u, nbd, f, g, factr, pgtol, wa, iwa, task, iprint,
///                     csave, lsave, isave, dsave)
/// Every argument is passed by pointer; gfortran (>= 8) appends the lengths of the two
/// character*60 arguments, task and csave, as size_t after all the others. `logical` is a
/// 4-byte int. wa holds 2mn + 5n + 11m^2 + 8m doubles, iwa 3n ints, lsave 4, isave 44, dsave 29.
void setulb_(const int* n, const int* m, double* x, const double* l, const double* u,
             const int* nbd, double* f, double* g, const double* factr, const double* pgtol,
             double* wa, int* iwa, char* task, const int* iprint, char* csave, int* lsave,
             int* isave, double* dsave, std::size_t task_length, std::size_t csave_length);
}

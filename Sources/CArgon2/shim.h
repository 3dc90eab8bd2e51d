#ifndef MANAGESIEVED_CARGON2_SHIM_H
#define MANAGESIEVED_CARGON2_SHIM_H
/* libargon2 (Debian's libargon2-dev, the reference implementation): ARGON2I/ARGON2ID password hashes. */
#include <argon2.h>
#endif

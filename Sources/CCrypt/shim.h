#ifndef MANAGESIEVED_CCRYPT_SHIM_H
#define MANAGESIEVED_CCRYPT_SHIM_H
#include <crypt.h>
#endif

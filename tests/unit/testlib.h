/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* testlib.h - cmocka with the headers it needs, for every C test of xglb. */
#ifndef XGLB_TESTLIB_H
#define XGLB_TESTLIB_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#endif

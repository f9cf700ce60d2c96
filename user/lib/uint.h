/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * uint.h - an unsigned integer struct member of 1, 2, 4 or 8 bytes read or
 * written as a number, for the table-driven codecs that reach members by
 * offset and size: the configuration schema and the hello wire format.
 */
#ifndef XGLB_UINT_H
#define XGLB_UINT_H

#include <stddef.h>
#include <linux/types.h>

static inline __u64 xglb_uint_get(const void *p, size_t size)
{
	switch (size) {
	case 1:
		return *(const __u8 *)p;
	case 2:
		return *(const __u16 *)p;
	case 4:
		return *(const __u32 *)p;
	default:
		return *(const __u64 *)p;
	}
}

static inline void xglb_uint_set(void *p, size_t size, __u64 v)
{
	switch (size) {
	case 1:
		*(__u8 *)p = (__u8)v;
		break;
	case 2:
		*(__u16 *)p = (__u16)v;
		break;
	case 4:
		*(__u32 *)p = (__u32)v;
		break;
	default:
		*(__u64 *)p = v;
		break;
	}
}

#endif

/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * yaml_schema.h - the schema walker behind config.c: a table of fields per
 * YAML mapping (key -> handler, offset, limits, flags), lists and nested
 * mappings of them, and the FILE:LINE: field: problem error collector.
 * Internal to the configuration loader.
 */
#ifndef XGLB_YAML_SCHEMA_H
#define XGLB_YAML_SCHEMA_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <yaml.h>
#include "config.h"

#define FIELD_NAME_MAX 128	  /* "groups[254].forwarders[15].preferred" and unknown keys */
#define FILE_MAX       (16 << 20) /* bytes; a config is a few kB */

/* One problem-collecting pass over one document. */
struct ctx {
	const char *file;
	FILE *errs;
	int n_err;
	yaml_document_t *doc;
	struct xglb_config *cfg;
	int root_line;
	bool self_given;  /* the file has "node:", valid or not */
	struct ref *refs; /* node names to resolve once all nodes are known */
	int n_refs;
};

/* A node name written in the file, resolved to an index into cfg->nodes at the end. */
struct ref {
	int *dst;
	int line;
	char field[FIELD_NAME_MAX];
	char name[XGLB_NAME_MAX];
};

struct field;
/*
 * Checks rules across the fields of MAP (at LINE, field NAME) once walked
 * against FIELDS into OBJ; BAD is schema_walk_map()'s: a bit per failed row.
 */
typedef void (*field_check)(struct ctx *c, yaml_node_t *map, int line, void *obj, const char *name,
			    const struct field *fields, unsigned int bad);
/*
 * A field reader: parses V (the value of key F) into OBJ; NAME is the dotted
 * field name. False on error. Readers are declared as "field_reader NAME;".
 */
typedef bool field_reader(struct ctx *c, const struct field *f, yaml_node_t *v, int line, void *obj,
			  const char *name);
typedef field_reader *field_fn;

#define F_REQUIRED 0x1
#define F_UNIQUE   0x2	/* no two items of the enclosing list may have the same value */
#define F_ZERO_OK  0x4	/* integer: 0 is allowed besides min..max */
#define F_STATIC   0x8	/* required without membership (static mode) */
#define F_MEMBER   0x10 /* required with membership */
#define F_UNSET_OK 0x20 /* with F_UNIQUE: items that leave it unset (all zero) may share that */

/* One row of a schema: key name -> handler, where it lands and its limits. */
struct field {
	const char *key;
	field_fn fn;
	size_t off;
	size_t size;
	long long min, max;
	unsigned int flags;
	const void *arg;
};

/* A list of mappings (nodes, groups, forwarders) stored in a fixed array of the parent. */
struct list_desc {
	const struct field *fields;
	size_t items; /* offset of the array in the parent */
	size_t count; /* offset of the int item count in the parent */
	size_t size;  /* one item */
	int min, max;
	void (*init)(void *item, int pos, int line);
	/* cross-item checks after the unique ones; bad[i] has a bit per failed field of item i */
	void (*done)(struct ctx *c, void *parent, int line, const char *name,
		     const unsigned int *bad);
	field_check check; /* per item, after its fields: rules across them */
};

/* A mapping whose fields land in the object of its parent (membership, group timers). */
struct map_desc {
	const struct field *fields;
	field_check check;
};

/* FILE:LINE: field: problem; LINE 0 means the problem is not in the file. */
__attribute__((format(printf, 4, 5))) void schema_err(struct ctx *c, int line, const char *field,
						      const char *fmt, ...);
yaml_node_t *schema_node(struct ctx *c, int id);
int schema_line_of(const yaml_node_t *n);
bool schema_want(struct ctx *c, yaml_node_t *v, yaml_node_type_t t, int line, const char *name);
const char *schema_scalar(struct ctx *c, yaml_node_t *v, int line, const char *name);
yaml_node_pair_t *schema_map_find(struct ctx *c, yaml_node_t *map, const char *key);
void schema_join(char *buf, const char *path, const char *key);
const char *schema_required(struct ctx *c, const struct field *f);
unsigned int schema_walk_map(struct ctx *c, yaml_node_t *map, const struct field *fields, void *obj,
			     const char *path);
int schema_key_line(struct ctx *c, yaml_node_t *map, const char *key);
bool schema_parse_int(const char *s, long long *out);
field_reader schema_read_uint;
field_reader schema_read_enum;
const char *schema_abs_path(struct ctx *c, const char *s, size_t max, int line, const char *name);
bool schema_put_text(const struct field *f, void *obj, const char *s);
field_reader schema_read_path;
field_reader schema_read_text;
field_reader schema_read_bool;
field_reader schema_read_map;
field_reader schema_read_list;
char *schema_slurp(FILE *f, size_t *len);
int schema_read_file(struct ctx *c, const char *path, char **text, size_t *len);
void schema_syntax_error(struct ctx *c, yaml_parser_t *p, const char *text);
void schema_check_single(struct ctx *c, yaml_parser_t *p, const char *text);

#endif

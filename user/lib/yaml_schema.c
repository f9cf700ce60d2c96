// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* yaml_schema.c - walks a libyaml document against field tables: generic handlers, error reports.
 */
#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "yaml_schema.h"
#include "uint.h"

/* ---- errors and node access --------------------------------------------- */

/* FILE:LINE: field: problem; LINE 0 means the problem is not in the file. */
void schema_err(struct ctx *c, int line, const char *field, const char *fmt, ...)
{
	va_list ap;

	if (line > 0)
		fprintf(c->errs, "%s:%d: %s: ", c->file, line, field);
	else
		fprintf(c->errs, "%s: %s: ", c->file, field);
	va_start(ap, fmt);
	vfprintf(c->errs, fmt, ap);
	va_end(ap);
	fputc('\n', c->errs);
	c->n_err++;
}

yaml_node_t *schema_node(struct ctx *c, int id)
{
	return yaml_document_get_node(c->doc, id);
}

int schema_line_of(const yaml_node_t *n)
{
	return (int)n->start_mark.line + 1;
}

static const char *kind(yaml_node_type_t t)
{
	switch (t) {
	case YAML_SCALAR_NODE:
		return "scalar";
	case YAML_SEQUENCE_NODE:
		return "list";
	case YAML_MAPPING_NODE:
		return "mapping";
	default:
		return "nothing";
	}
}

bool schema_want(struct ctx *c, yaml_node_t *v, yaml_node_type_t t, int line, const char *name)
{
	if (v->type == t)
		return true;
	schema_err(c, line, name, "expected a %s, got a %s", kind(t), kind(v->type));
	return false;
}

/* The text of a scalar value, NULL (and an error) if V is not one or hides a NUL. */
const char *schema_scalar(struct ctx *c, yaml_node_t *v, int line, const char *name)
{
	const char *s;

	if (!schema_want(c, v, YAML_SCALAR_NODE, line, name))
		return NULL;
	s = (const char *)v->data.scalar.value;
	if (strlen(s) != v->data.scalar.length) {
		schema_err(c, line, name, "contains a NUL character");
		return NULL;
	}
	return s;
}

/* The first pair of MAP whose key is KEY, or NULL. */
yaml_node_pair_t *schema_map_find(struct ctx *c, yaml_node_t *map, const char *key)
{
	yaml_node_pair_t *p;

	for (p = map->data.mapping.pairs.start; p < map->data.mapping.pairs.top; p++) {
		yaml_node_t *k = schema_node(c, p->key);

		if (k->type == YAML_SCALAR_NODE && !strcmp((const char *)k->data.scalar.value, key))
			return p;
	}
	return NULL;
}

void schema_join(char *buf, const char *path, const char *key)
{
	snprintf(buf, FIELD_NAME_MAX, "%s%s%s", path, *path ? "." : "", key);
}

/* ---- the walker ------------------------------------------------------------ */

static const struct field *find_field(const struct field *fields, const char *key)
{
	for (; fields->key; fields++)
		if (!strcmp(fields->key, key))
			return fields;
	return NULL;
}

/* Checks one key of a mapping and runs its handler; returns the bit of a failed field. */
static unsigned int walk_pair(struct ctx *c, yaml_node_t *map, yaml_node_pair_t *p,
			      const struct field *fields, void *obj, const char *path)
{
	yaml_node_t *k = schema_node(c, p->key), *v = schema_node(c, p->value);
	const struct field *f;
	yaml_node_pair_t *first;
	char name[FIELD_NAME_MAX];
	const char *key;

	if (k->type != YAML_SCALAR_NODE) {
		schema_err(c, schema_line_of(k), *path ? path : "document",
			   "field names must be scalars");
		return 0;
	}
	key = (const char *)k->data.scalar.value;
	schema_join(name, path, key);
	f = find_field(fields, key);
	if (!f) {
		schema_err(c, schema_line_of(k), name, "unknown field");
		return 0;
	}
	first = schema_map_find(c, map, key);
	if (first != p) {
		schema_err(c, schema_line_of(k), name, "duplicate field (first at line %d)",
			   schema_line_of(schema_node(c, first->key)));
		return 1u << (f - fields);
	}
	return f->fn(c, f, v, schema_line_of(k), obj, name) ? 0 : 1u << (f - fields);
}

/* Why F must be given, or NULL if it may be left out. */
const char *schema_required(struct ctx *c, const struct field *f)
{
	if ((f->flags & F_REQUIRED) || ((f->flags & F_STATIC) && !c->cfg->membership))
		return "missing required field";
	if ((f->flags & F_MEMBER) && c->cfg->membership)
		return "required when membership is configured";
	return NULL;
}

/* Walks MAP against FIELDS into OBJ; returns a bit per field that failed or is missing. */
unsigned int schema_walk_map(struct ctx *c, yaml_node_t *map, const struct field *fields, void *obj,
			     const char *path)
{
	unsigned int bad = 0;
	yaml_node_pair_t *p;
	const struct field *f;
	char name[FIELD_NAME_MAX];

	for (p = map->data.mapping.pairs.start; p < map->data.mapping.pairs.top; p++)
		bad |= walk_pair(c, map, p, fields, obj, path);
	for (f = fields; f->key; f++) {
		const char *why = schema_required(c, f);

		if (!why || schema_map_find(c, map, f->key))
			continue;
		schema_join(name, path, f->key);
		schema_err(c, schema_line_of(map), name, "%s", why);
		bad |= 1u << (f - fields);
	}
	return bad;
}

/* Line of KEY in MAP, or of MAP when the key is absent (a default). */
int schema_key_line(struct ctx *c, yaml_node_t *map, const char *key)
{
	yaml_node_pair_t *p = schema_map_find(c, map, key);

	return p ? schema_line_of(schema_node(c, p->key)) : schema_line_of(map);
}

/* ---- scalar handlers --------------------------------------------------- */

/* Decimal only: "010" is 10 and "0x10" an error, as an operator reading the file expects. */
bool schema_parse_int(const char *s, long long *out)
{
	const char *d = s + (*s == '-' || *s == '+');
	char *end;

	if (!isdigit((unsigned char)*d))
		return false;
	errno = 0;
	*out = strtoll(s, &end, 10);
	if (errno == ERANGE)
		*out = *s == '-' ? LLONG_MIN : LLONG_MAX; /* out of every range */
	return *end == '\0';
}

bool schema_read_uint(struct ctx *c, const struct field *f, yaml_node_t *v, int line, void *obj,
		      const char *name)
{
	const char *s = schema_scalar(c, v, line, name);
	long long n;

	if (!s)
		return false;
	if (!schema_parse_int(s, &n)) {
		schema_err(c, line, name, "\"%s\" is not an integer", s);
		return false;
	}
	if ((n < f->min || n > f->max) && !(n == 0 && (f->flags & F_ZERO_OK))) {
		schema_err(c, line, name, "must be %sbetween %lld and %lld",
			   f->flags & F_ZERO_OK ? "0 or " : "", f->min, f->max);
		return false;
	}
	xglb_uint_set((char *)obj + f->off, f->size, n);
	return true;
}

/* One of the NULL-terminated names in f->arg, stored as its position. */
bool schema_read_enum(struct ctx *c, const struct field *f, yaml_node_t *v, int line, void *obj,
		      const char *name)
{
	const char *const *names = f->arg;
	const char *s = schema_scalar(c, v, line, name);
	char all[128] = "";
	int i;

	if (!s)
		return false;
	for (i = 0; names[i]; i++) {
		if (!strcmp(s, names[i])) {
			xglb_uint_set((char *)obj + f->off, f->size, i);
			return true;
		}
		snprintf(all + strlen(all), sizeof(all) - strlen(all), "%s%s", i ? ", " : "",
			 names[i]);
	}
	schema_err(c, line, name, "\"%s\" is not one of %s", s, all);
	return false;
}

/* S if it is an absolute path of at most MAX characters, else NULL (and an error). */
const char *schema_abs_path(struct ctx *c, const char *s, size_t max, int line, const char *name)
{
	if (!s)
		return NULL;
	if (s[0] != '/') {
		schema_err(c, line, name, "\"%s\" is not an absolute path", s);
		return NULL;
	}
	if (strlen(s) > max) {
		schema_err(c, line, name, "longer than %zu characters", max);
		return NULL;
	}
	return s;
}

/* Stores s, checked to fit, as f's member of obj; false for a NULL s (its reader reported why). */
bool schema_put_text(const struct field *f, void *obj, const char *s)
{
	if (!s)
		return false;
	strcpy((char *)obj + f->off, s);
	return true;
}

/* An absolute path; f->max, when set, is a shorter limit than the member's size. */
bool schema_read_path(struct ctx *c, const struct field *f, yaml_node_t *v, int line, void *obj,
		      const char *name)
{
	size_t max = f->max ? (size_t)f->max : f->size - 1;

	return schema_put_text(
	    f, obj, schema_abs_path(c, schema_scalar(c, v, line, name), max, line, name));
}

/* Free text of 1 to f->size - 1 characters (a command line). */
bool schema_read_text(struct ctx *c, const struct field *f, yaml_node_t *v, int line, void *obj,
		      const char *name)
{
	const char *s = schema_scalar(c, v, line, name);

	if (s && (!*s || strlen(s) >= f->size)) {
		schema_err(c, line, name, "must be 1 to %zu characters long", f->size - 1);
		return false;
	}
	return schema_put_text(f, obj, s);
}

/* As YAML 1.1 writes them, lower case: true, false, yes or no. */
bool schema_read_bool(struct ctx *c, const struct field *f, yaml_node_t *v, int line, void *obj,
		      const char *name)
{
	const char *s = schema_scalar(c, v, line, name);
	bool *b = (bool *)((char *)obj + f->off);

	if (!s)
		return false;
	if (!strcmp(s, "true") || !strcmp(s, "yes")) {
		*b = true;
	} else if (!strcmp(s, "false") || !strcmp(s, "no")) {
		*b = false;
	} else {
		schema_err(c, line, name, "must be true, false, yes or no, not \"%s\"", s);
		return false;
	}
	return true;
}

/* ---- mappings within an object ------------------------------------------- */

/* A mapping whose fields land in OBJ itself, then the rules across them. */
bool schema_read_map(struct ctx *c, const struct field *f, yaml_node_t *v, int line, void *obj,
		     const char *name)
{
	const struct map_desc *d = f->arg;
	unsigned int bad;
	int errs0 = c->n_err;

	if (!schema_want(c, v, YAML_MAPPING_NODE, line, name))
		return false;
	bad = schema_walk_map(c, v, d->fields, obj, name);
	if (d->check)
		d->check(c, v, line, obj, name, d->fields, bad);
	return c->n_err == errs0;
}

/* ---- lists of mappings ------------------------------------------------- */

static void *item_at(const struct list_desc *d, void *parent, int i)
{
	return (char *)parent + d->items + (size_t)i * d->size;
}

/* Line of the key F in item I, or of the item when the key is absent (a default). */
static int field_line(struct ctx *c, yaml_node_t *seq, int i, const struct field *f)
{
	yaml_node_t *it = schema_node(c, seq->data.sequence.items.start[i]);
	yaml_node_pair_t *p = schema_map_find(c, it, f->key);

	return p ? schema_line_of(schema_node(c, p->key)) : schema_line_of(it);
}

static void describe(struct ctx *c, yaml_node_t *seq, int i, const struct field *f, const void *val,
		     char *buf, size_t n)
{
	yaml_node_t *it = schema_node(c, seq->data.sequence.items.start[i]);
	yaml_node_pair_t *p = schema_map_find(c, it, f->key);

	if (p && schema_node(c, p->value)->type == YAML_SCALAR_NODE)
		snprintf(buf, n, "%s", schema_node(c, p->value)->data.scalar.value);
	else
		snprintf(buf, n, "%llu", (unsigned long long)xglb_uint_get(val, f->size));
}

static bool all_zero(const char *p, size_t n)
{
	while (n--)
		if (*p++)
			return false;
	return true;
}

/* Reports item I if its field F repeats an earlier item's value. */
static void unique_one(struct ctx *c, const struct list_desc *d, yaml_node_t *seq, void *parent,
		       const unsigned int *bad, int i, const struct field *f, const char *name)
{
	unsigned int bit = 1u << (f - d->fields);
	const char *vi = (char *)item_at(d, parent, i) + f->off;
	char fname[FIELD_NAME_MAX], val[64];
	int j;

	if ((f->flags & F_UNSET_OK) && all_zero(vi, f->size))
		return;
	for (j = 0; j < i; j++) {
		if ((bad[j] & bit) || memcmp(vi, (char *)item_at(d, parent, j) + f->off, f->size))
			continue;
		snprintf(fname, sizeof(fname), "%s[%d].%s", name, i, f->key);
		describe(c, seq, i, f, vi, val, sizeof(val));
		schema_err(c, field_line(c, seq, i, f), fname, "duplicate %s %s (first at line %d)",
			   f->key, val, field_line(c, seq, j, f));
		return;
	}
}

static void check_unique(struct ctx *c, const struct list_desc *d, yaml_node_t *seq, void *parent,
			 const unsigned int *bad, int n, const char *name)
{
	const struct field *f;
	int i;

	for (i = 0; i < n; i++) /* in file order */
		for (f = d->fields; f->key; f++)
			if ((f->flags & F_UNIQUE) && !(bad[i] & 1u << (f - d->fields)))
				unique_one(c, d, seq, parent, bad, i, f, name);
}

bool schema_read_list(struct ctx *c, const struct field *f, yaml_node_t *v, int line, void *obj,
		      const char *name)
{
	const struct list_desc *d = f->arg;
	unsigned int bad[XGLB_MAX_GROUPS];
	char iname[FIELD_NAME_MAX];
	int i, n, errs0 = c->n_err;

	if (!schema_want(c, v, YAML_SEQUENCE_NODE, line, name))
		return false;
	n = v->data.sequence.items.top - v->data.sequence.items.start;
	if (n < d->min || n > d->max) {
		schema_err(c, line, name, "must have %d to %d entries, not %d", d->min, d->max, n);
		return false;
	}
	for (i = 0; i < n; i++) {
		yaml_node_t *it = schema_node(c, v->data.sequence.items.start[i]);
		void *o = item_at(d, obj, i);

		snprintf(iname, sizeof(iname), "%s[%d]", name, i);
		d->init(o, i, schema_line_of(it));
		bad[i] = ~0u;
		if (!schema_want(c, it, YAML_MAPPING_NODE, schema_line_of(it), iname))
			continue;
		bad[i] = schema_walk_map(c, it, d->fields, o, iname);
		if (d->check)
			d->check(c, it, schema_line_of(it), o, iname, d->fields, bad[i]);
	}
	*(int *)((char *)obj + d->count) = n;
	check_unique(c, d, v, obj, bad, n, name);
	if (d->done)
		d->done(c, obj, line, name, bad);
	return c->n_err == errs0;
}

/* All of F, NUL-terminated; NULL with errno set on failure. */
char *schema_slurp(FILE *f, size_t *len)
{
	size_t cap = 0, n = 0, got;
	char *buf = NULL, *nb;

	do {
		if (cap - n < 4096) {
			errno = EFBIG;
			nb = cap <= FILE_MAX ? realloc(buf, cap = cap ? 2 * cap : 8192) : NULL;
			if (!nb)
				goto fail;
			buf = nb;
		}
		got = fread(buf + n, 1, cap - n - 1, f);
		n += got;
	} while (got > 0);
	if (ferror(f))
		goto fail;
	buf[n] = '\0';
	*len = n;
	return buf;
fail:
	free(buf);
	return NULL;
}

/* The whole file in *text; prints the error and returns -1 if it can't. */
int schema_read_file(struct ctx *c, const char *path, char **text, size_t *len)
{
	FILE *f = fopen(path, "r");

	if (!f) {
		fprintf(c->errs, "%s: cannot open: %s\n", path, strerror(errno));
		return -1;
	}
	*text = schema_slurp(f, len);
	if (!*text)
		fprintf(c->errs, "%s: cannot read: %s\n", path, strerror(errno));
	fclose(f);
	return *text ? 0 : -1;
}

void schema_syntax_error(struct ctx *c, yaml_parser_t *p, const char *text)
{
	int line = (int)p->problem_mark.line + 1;
	size_t i;

	if (p->error == YAML_READER_ERROR) /* only the byte offset is known */
		for (i = 0, line = 1; i < p->problem_offset && text[i]; i++)
			line += text[i] == '\n';
	if (p->error == YAML_MEMORY_ERROR)
		schema_err(c, 0, "yaml", "out of memory");
	else if (p->context)
		schema_err(c, line, "syntax error", "%s (%s at line %d)", p->problem, p->context,
			   (int)p->context_mark.line + 1);
	else
		schema_err(c, line, "syntax error", "%s", p->problem ? p->problem : "unknown");
}

/* The file holds one document; a second one would be silently ignored otherwise. */
void schema_check_single(struct ctx *c, yaml_parser_t *p, const char *text)
{
	yaml_document_t doc;
	yaml_node_t *root;

	if (!yaml_parser_load(p, &doc)) {
		schema_syntax_error(c, p, text);
		return;
	}
	root = yaml_document_get_root_node(&doc);
	if (root)
		schema_err(c, schema_line_of(root), "document", "a second document is not allowed");
	yaml_document_delete(&doc);
}

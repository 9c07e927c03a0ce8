/*
 * filters.h - the built-in filters, grouped by what they work on; the
 * table that names them is in filters.c.
 *
 * Every filter takes its input value (borrowed) and arguments, and
 * returns a new reference or NULL with err set.
 */
#ifndef ACMED_TMPL_FILTERS_H
#define ACMED_TMPL_FILTERS_H

#include "tmpl/render.h"

#define FILTER(name) struct tmpl_value *name(struct rstate *, \
	    const struct tmpl_value *, struct rargs *)

/* filters_str.c */
FILTER(f_lower);
FILTER(f_upper);
FILTER(f_title);
FILTER(f_capitalize);
FILTER(f_replace);
FILTER(f_trim);
FILTER(f_escape);
FILTER(f_safe);
FILTER(f_string);
FILTER(f_indent);
FILTER(f_split);
FILTER(f_lines);
FILTER(f_urlencode);
FILTER(f_rev_labels);

/* filters_fmt.c */
FILTER(f_format);
FILTER(f_tojson);
FILTER(f_pprint);

/* filters_num.c */
FILTER(f_int);
FILTER(f_float);
FILTER(f_abs);
FILTER(f_round);
FILTER(f_bool);
FILTER(f_default);

/* filters_seq.c */
FILTER(f_length);
FILTER(f_first);
FILTER(f_last);
FILTER(f_join);
FILTER(f_reverse);
FILTER(f_list);
FILTER(f_min);
FILTER(f_max);
FILTER(f_sum);
FILTER(f_batch);
FILTER(f_slice);
FILTER(f_attr);
FILTER(f_chain);
FILTER(f_zip);
FILTER(f_items);

/* filters_sort.c */
FILTER(f_sort);
FILTER(f_unique);
FILTER(f_dictsort);
FILTER(f_groupby);

/* filters_map.c */
FILTER(f_map);
FILTER(f_select);
FILTER(f_reject);
FILTER(f_selectattr);
FILTER(f_rejectattr);

/* Shared helpers (filters_str.c). */
/* The string form of v for filters that take text: borrowed characters
 * in *s and *len, with the value that holds them (a new reference). */
struct tmpl_value *fstr(const struct tmpl_value *v);
/* Boolean argument or keyword: *out unchanged when absent. */
int	 farg_bool(struct rargs *a, size_t i, const char *name, int *out);
/* Integer argument or keyword. */
int	 farg_int(struct rargs *a, size_t i, const char *name, tint *out);
/* String argument (borrowed value) or NULL when absent / none. */
int	 farg_str(struct rargs *a, size_t i, const char *name,
	    const struct tmpl_value **out);

#endif

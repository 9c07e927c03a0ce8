/*
 * filters.c - the names of the built-in filters (MiniJinja's, plus
 * ACMEd's rev_labels).
 */
#include <string.h>

#include "tmpl/filters.h"

struct tfilter {
	const char	*name;
	tfilter_fn	 fn;
};

static const struct tfilter filters[] = {
	{ "abs", f_abs },
	{ "attr", f_attr },
	{ "batch", f_batch },
	{ "bool", f_bool },
	{ "capitalize", f_capitalize },
	{ "chain", f_chain },
	{ "count", f_length },
	{ "d", f_default },
	{ "default", f_default },
	{ "dictsort", f_dictsort },
	{ "e", f_escape },
	{ "escape", f_escape },
	{ "first", f_first },
	{ "float", f_float },
	{ "format", f_format },
	{ "groupby", f_groupby },
	{ "indent", f_indent },
	{ "int", f_int },
	{ "items", f_items },
	{ "join", f_join },
	{ "last", f_last },
	{ "length", f_length },
	{ "lines", f_lines },
	{ "list", f_list },
	{ "lower", f_lower },
	{ "map", f_map },
	{ "max", f_max },
	{ "min", f_min },
	{ "pprint", f_pprint },
	{ "reject", f_reject },
	{ "rejectattr", f_rejectattr },
	{ "replace", f_replace },
	{ "rev_labels", f_rev_labels },
	{ "reverse", f_reverse },
	{ "round", f_round },
	{ "safe", f_safe },
	{ "select", f_select },
	{ "selectattr", f_selectattr },
	{ "slice", f_slice },
	{ "sort", f_sort },
	{ "split", f_split },
	{ "string", f_string },
	{ "sum", f_sum },
	{ "title", f_title },
	{ "tojson", f_tojson },
	{ "trim", f_trim },
	{ "unique", f_unique },
	{ "upper", f_upper },
	{ "urlencode", f_urlencode },
	{ "zip", f_zip },
};

tfilter_fn
tfilter_find(const char *name)
{
	size_t i;

	for (i = 0; i < sizeof(filters) / sizeof(filters[0]); i++)
		if (strcmp(filters[i].name, name) == 0)
			return filters[i].fn;
	return NULL;
}

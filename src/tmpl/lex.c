/*
 * lex.c - the template tokenizer (see lex.h).
 *
 * Text runs until "{{", "{%" or "{#".  A "-" just inside a tag's
 * delimiter strips the whitespace on that side ("{%-", "-%}"); "+" is
 * accepted and ignored (we never strip blocks on our own).  Comments
 * vanish, raw blocks become text.
 */
#include <stdlib.h>
#include <string.h>

#include "tmpl/lex.h"
#include "tmpl/utf8.h"
#include "util/err.h"

struct lexer {
	const char	*s;
	size_t		 n;
	size_t		 i;
	size_t		 cpos;		/* line/col cursor */
	unsigned	 cline, ccol;
	struct tlex	*out;
	int		 lstrip_next;
	enum ttok	 prev;
};

static const char *const tok_names[] = {
	[TT_EOF] = "end of input", [TT_TEXT] = "template data",
	[TT_VAR_BEGIN] = "`{{`", [TT_VAR_END] = "`}}`",
	[TT_BLOCK_BEGIN] = "`{%`", [TT_BLOCK_END] = "`%}`",
	[TT_NAME] = "identifier", [TT_STR] = "string",
	[TT_INT] = "integer", [TT_FLOAT] = "float",
	[TT_PLUS] = "`+`", [TT_MINUS] = "`-`", [TT_MUL] = "`*`",
	[TT_DIV] = "`/`", [TT_FLOORDIV] = "`//`", [TT_MOD] = "`%`",
	[TT_POW] = "`**`", [TT_TILDE] = "`~`", [TT_LPAREN] = "`(`",
	[TT_RPAREN] = "`)`", [TT_LBRACKET] = "`[`", [TT_RBRACKET] = "`]`",
	[TT_LBRACE] = "`{`", [TT_RBRACE] = "`}`", [TT_COMMA] = "`,`",
	[TT_DOT] = "`.`", [TT_COLON] = "`:`", [TT_PIPE] = "`|`",
	[TT_ASSIGN] = "`=`", [TT_EQ] = "`==`", [TT_NE] = "`!=`",
	[TT_LT] = "`<`", [TT_LE] = "`<=`", [TT_GT] = "`>`", [TT_GE] = "`>=`",
};

const char *
ttok_name(enum ttok t)
{
	return tok_names[t];
}

static void
linecol(struct lexer *lx, size_t pos, unsigned *line, unsigned *col)
{
	if (pos < lx->cpos) {
		lx->cpos = 0;
		lx->cline = 1;
		lx->ccol = 1;
	}
	for (; lx->cpos < pos && lx->cpos < lx->n; lx->cpos++) {
		if (lx->s[lx->cpos] == '\n') {
			lx->cline++;
			lx->ccol = 1;
		} else
			lx->ccol++;
	}
	*line = lx->cline;
	*col = lx->ccol;
}

static int
lex_error(struct lexer *lx, size_t pos, const char *msg)
{
	unsigned line, col;

	linecol(lx, pos, &line, &col);
	return err_set("line %u:col %u: %s", line, col, msg);
}

static int
emit(struct lexer *lx, enum ttok type, size_t pos, const char *p, size_t len,
    struct tmpl_value *val)
{
	struct ttoken *t;
	size_t ncap;

	if (lx->out->n == lx->out->cap) {
		ncap = lx->out->cap ? lx->out->cap * 2 : 64;
		if ((t = reallocarray(lx->out->toks, ncap, sizeof(*t))) ==
		    NULL) {
			tv_free_immortal(val);
			return err_set("out of memory");
		}
		lx->out->toks = t;
		lx->out->cap = ncap;
	}
	t = &lx->out->toks[lx->out->n++];
	memset(t, 0, sizeof(*t));
	t->type = type;
	linecol(lx, pos, &t->line, &t->col);
	t->p = p;
	t->len = len;
	t->val = val;
	if (val != NULL)
		tv_make_immortal(val);
	lx->prev = type;
	return 0;
}

/* Length of s[0..n) without its trailing whitespace. */
static size_t
rstrip_len(const char *s, size_t n)
{
	size_t i = 0, end = 0, k;
	uint32_t cp;

	while (i < n) {
		k = uc_decode(s + i, n - i, &cp);
		i += k;
		if (!uc_is_space(cp))
			end = i;
	}
	return end;
}

/* Number of leading whitespace bytes. */
static size_t
lstrip_len(const char *s, size_t n)
{
	size_t i = 0, k;
	uint32_t cp;

	while (i < n) {
		k = uc_decode(s + i, n - i, &cp);
		if (!uc_is_space(cp))
			break;
		i += k;
	}
	return i;
}

static int
emit_text(struct lexer *lx, size_t start, size_t end, int rstrip)
{
	const char *p = lx->s + start;
	size_t len = end - start, k;

	if (lx->lstrip_next) {
		k = lstrip_len(p, len);
		p += k;
		len -= k;
		start += k;
		lx->lstrip_next = 0;
	}
	if (rstrip)
		len = rstrip_len(p, len);
	if (len == 0)
		return 0;
	return emit(lx, TT_TEXT, start, p, len, NULL);
}

static int
is_ident_start(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
}

static int
is_digit(char c)
{
	return c >= '0' && c <= '9';
}

static int
is_space(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' ||
	    c == '\f' || c == '\v';
}

static int
starts(struct lexer *lx, size_t pos, const char *what)
{
	size_t k = strlen(what);

	return pos + k <= lx->n && memcmp(lx->s + pos, what, k) == 0;
}

static int
hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

static int
put_cp(struct buf *b, uint32_t cp)
{
	char enc[4];

	return buf_append(b, enc, uc_encode(cp, enc));
}

/* The escapes MiniJinja understands; an unknown one is kept as is. */
static int
unescape(const char *s, size_t n, struct buf *b)
{
	size_t i = 0, k;
	uint32_t cp, lo;
	int h, j;

	while (i < n) {
		if (s[i] != '\\') {
			if (buf_putc(b, s[i++]) == -1)
				return -1;
			continue;
		}
		if (++i >= n)
			return -1;
		switch (s[i]) {
		case '"': case '\\': case '/': case '\'':
			cp = (unsigned char)s[i++];
			break;
		case 'b':
			cp = '\b';
			i++;
			break;
		case 'f':
			cp = '\f';
			i++;
			break;
		case 'n':
			cp = '\n';
			i++;
			break;
		case 'r':
			cp = '\r';
			i++;
			break;
		case 't':
			cp = '\t';
			i++;
			break;
		case 'u':
			for (cp = 0, j = 0, i++; j < 4; j++, i++) {
				if (i >= n || (h = hexval(s[i])) < 0)
					return -1;
				cp = cp * 16 + (uint32_t)h;
			}
			if (cp >= 0xdc00 && cp <= 0xdfff)
				return -1;
			if (cp >= 0xd800 && cp <= 0xdbff) {
				/* A surrogate pair: the low half follows. */
				if (i + 6 > n || s[i] != '\\' ||
				    s[i + 1] != 'u')
					return -1;
				for (lo = 0, j = 0, i += 2; j < 4; j++, i++) {
					if ((h = hexval(s[i])) < 0)
						return -1;
					lo = lo * 16 + (uint32_t)h;
				}
				if (lo < 0xdc00 || lo > 0xdfff)
					return -1;
				cp = 0x10000 + ((cp - 0xd800) << 10) +
				    (lo - 0xdc00);
			}
			break;
		case 'x':
			if (i + 2 >= n || (h = hexval(s[i + 1])) < 0 ||
			    hexval(s[i + 2]) < 0)
				return -1;
			cp = (uint32_t)(h * 16 + hexval(s[i + 2]));
			i += 3;
			break;
		case '0': case '1': case '2': case '3':
		case '4': case '5': case '6': case '7':
			for (cp = 0, k = 0; k < 3 && i < n && s[i] >= '0' &&
			    s[i] <= '7'; k++, i++)
				cp = cp * 8 + (uint32_t)(s[i] - '0');
			break;
		default:
			if (buf_putc(b, '\\') == -1)
				return -1;
			continue;
		}
		if (put_cp(b, cp) == -1)
			return -1;
	}
	return 0;
}

static int
lex_string(struct lexer *lx)
{
	size_t start = lx->i, j;
	char q = lx->s[lx->i];
	struct buf b;
	struct tmpl_value *v;

	for (j = start + 1; j < lx->n && lx->s[j] != q; j++)
		if (lx->s[j] == '\\')
			j++;
	if (j >= lx->n)
		return lex_error(lx, start, "unexpected end of string");
	buf_init(&b, BUF_MAX_LARGE);
	if (unescape(lx->s + start + 1, j - start - 1, &b) == -1) {
		buf_free(&b);
		return lex_error(lx, start, "bad string escape");
	}
	v = tv_str_buf(&b);
	buf_free(&b);
	if (v == NULL)
		return -1;
	lx->i = j + 1;
	return emit(lx, TT_STR, start, lx->s + start, j + 1 - start, v);
}

static int
lex_number(struct lexer *lx)
{
	size_t start = lx->i, i = lx->i, k;
	int radix = 10, is_float = 0, d, int_only = lx->prev == TT_DOT;
	char clean[128];
	size_t nclean = 0;
	tuint u = 0;
	struct tmpl_value *v;

	if (!int_only && lx->s[i] == '0' && i + 1 < lx->n &&
	    strchr("bBoOxX", lx->s[i + 1]) != NULL && lx->s[i + 1] != '\0') {
		radix = (lx->s[i + 1] | 0x20) == 'b' ? 2 :
		    (lx->s[i + 1] | 0x20) == 'o' ? 8 : 16;
		i += 2;
		for (; i < lx->n && (lx->s[i] == '_' ||
		    ((d = hexval(lx->s[i])) >= 0 && d < radix)); i++)
			;
	} else {
		while (i < lx->n && (is_digit(lx->s[i]) || lx->s[i] == '_'))
			i++;
		if (!int_only && i < lx->n && lx->s[i] == '.' &&
		    !(i + 1 < lx->n && lx->s[i + 1] == '.')) {
			is_float = 1;
			for (i++; i < lx->n && (is_digit(lx->s[i]) ||
			    lx->s[i] == '_'); i++)
				;
		}
		if (!int_only && i < lx->n && (lx->s[i] | 0x20) == 'e') {
			is_float = 1;
			i++;
			if (i < lx->n && (lx->s[i] == '+' || lx->s[i] == '-'))
				i++;
			if (i >= lx->n || !is_digit(lx->s[i]))
				return lex_error(lx, i, "invalid float");
			while (i < lx->n && (is_digit(lx->s[i]) ||
			    lx->s[i] == '_'))
				i++;
		}
	}
	if (lx->s[i - 1] == '_')
		return lex_error(lx, i - 1,
		    "'_' may not occur at end of number");
	for (k = radix == 10 ? start : start + 2; k < i; k++)
		if (lx->s[k] != '_') {
			if (nclean + 1 >= sizeof(clean))
				return lex_error(lx, start,
				    is_float ? "invalid float" :
				    "invalid integer (too large)");
			clean[nclean++] = lx->s[k];
		}
	clean[nclean] = '\0';
	if (nclean == 0)
		return lex_error(lx, start, "invalid integer");
	if (is_float) {
		v = tv_float(strtod(clean, NULL));
	} else {
		for (k = 0; k < nclean; k++) {
			d = hexval(clean[k]);
			if (u > (~(tuint)0 - (tuint)d) / (tuint)radix)
				return lex_error(lx, i,
				    "invalid integer (too large)");
			u = u * (tuint)radix + (tuint)d;
		}
		v = tv_uint(u);
	}
	if (v == NULL)
		return -1;
	lx->i = i;
	return emit(lx, is_float ? TT_FLOAT : TT_INT, start, lx->s + start,
	    i - start, v);
}

struct optok {
	const char	*text;
	enum ttok	 type;
};

/* Longest first. */
static const struct optok ops[] = {
	{ "//", TT_FLOORDIV }, { "**", TT_POW }, { "==", TT_EQ },
	{ "!=", TT_NE }, { "<=", TT_LE }, { ">=", TT_GE },
	{ "+", TT_PLUS }, { "-", TT_MINUS }, { "*", TT_MUL }, { "/", TT_DIV },
	{ "%", TT_MOD }, { "~", TT_TILDE }, { "(", TT_LPAREN },
	{ ")", TT_RPAREN }, { "[", TT_LBRACKET }, { "]", TT_RBRACKET },
	{ "{", TT_LBRACE }, { "}", TT_RBRACE }, { ",", TT_COMMA },
	{ ".", TT_DOT }, { ":", TT_COLON }, { "|", TT_PIPE },
	{ "=", TT_ASSIGN }, { "<", TT_LT }, { ">", TT_GT },
};

/* Tokens of one {{ }} or {% %} up to and including its end. */
static int
lex_tag(struct lexer *lx, int block)
{
	const char *end = block ? "%}" : "}}";
	size_t i, k;
	char c;

	for (;;) {
		while (lx->i < lx->n && is_space(lx->s[lx->i]))
			lx->i++;
		i = lx->i;
		if (i >= lx->n)
			return lex_error(lx, i, block ?
			    "unexpected end of input, expected end of block" :
			    "unexpected end of input, expected end of "
			    "variable block");
		c = lx->s[i];
		if ((c == '-' || c == '+') && starts(lx, i + 1, end)) {
			lx->lstrip_next = c == '-';
			lx->i = i + 3;
			return emit(lx, block ? TT_BLOCK_END : TT_VAR_END, i,
			    NULL, 0, NULL);
		}
		if (starts(lx, i, end)) {
			lx->i = i + 2;
			return emit(lx, block ? TT_BLOCK_END : TT_VAR_END, i,
			    NULL, 0, NULL);
		}
		if (c == '"' || c == '\'') {
			if (lex_string(lx) == -1)
				return -1;
			continue;
		}
		if (is_digit(c)) {
			if (lex_number(lx) == -1)
				return -1;
			continue;
		}
		if (is_ident_start(c)) {
			k = i + 1;
			while (k < lx->n && (is_ident_start(lx->s[k]) ||
			    is_digit(lx->s[k])))
				k++;
			lx->i = k;
			if (emit(lx, TT_NAME, i, lx->s + i, k - i, NULL) == -1)
				return -1;
			continue;
		}
		for (k = 0; k < sizeof(ops) / sizeof(ops[0]); k++)
			if (starts(lx, i, ops[k].text))
				break;
		if (k == sizeof(ops) / sizeof(ops[0]))
			return lex_error(lx, i, "unexpected character");
		lx->i = i + strlen(ops[k].text);
		if (emit(lx, ops[k].type, i, lx->s + i, lx->i - i, NULL) == -1)
			return -1;
	}
}

/*
 * If a raw tag ("{%" [-+] "raw" [-] "%}") starts at pos, its end;
 * name is "raw" or "endraw".
 */
static size_t
match_tag(struct lexer *lx, size_t pos, const char *name, int *strip_before,
    int *strip_after)
{
	size_t i = pos + 2, k = strlen(name);

	*strip_before = *strip_after = 0;
	if (!starts(lx, pos, "{%"))
		return 0;
	if (i < lx->n && (lx->s[i] == '-' || lx->s[i] == '+')) {
		*strip_before = lx->s[i] == '-';
		i++;
	}
	while (i < lx->n && is_space(lx->s[i]))
		i++;
	if (!starts(lx, i, name))
		return 0;
	i += k;
	if (i < lx->n && (is_ident_start(lx->s[i]) || is_digit(lx->s[i])))
		return 0;
	while (i < lx->n && is_space(lx->s[i]))
		i++;
	if (i < lx->n && (lx->s[i] == '-' || lx->s[i] == '+')) {
		*strip_after = lx->s[i] == '-';
		i++;
	}
	if (!starts(lx, i, "%}"))
		return 0;
	return i + 2;
}

static int
lex_raw(struct lexer *lx, size_t body)
{
	size_t j, end, start = body, stop;
	int sb, sa;

	for (j = body; j + 1 < lx->n; j++) {
		if (lx->s[j] != '{' || lx->s[j + 1] != '%')
			continue;
		if ((end = match_tag(lx, j, "endraw", &sb, &sa)) == 0)
			continue;
		stop = j;
		if (lx->lstrip_next) {
			start += lstrip_len(lx->s + start, stop - start);
			lx->lstrip_next = 0;
		}
		if (sb)
			stop = start + rstrip_len(lx->s + start, stop - start);
		if (stop > start && emit(lx, TT_TEXT, start, lx->s + start,
		    stop - start, NULL) == -1)
			return -1;
		lx->lstrip_next = sa;
		lx->i = end;
		return 0;
	}
	return lex_error(lx, lx->n, "unexpected end of raw block");
}

int
tlex_run(const char *src, size_t len, struct tlex *out)
{
	struct lexer lx;
	size_t j, end;
	char c;
	int sb, sa, strip;

	memset(out, 0, sizeof(*out));
	memset(&lx, 0, sizeof(lx));
	lx.s = src;
	lx.n = len;
	lx.cline = lx.ccol = 1;
	lx.out = out;
	lx.prev = TT_EOF;
	while (lx.i < lx.n) {
		for (j = lx.i; j + 1 < lx.n; j++)
			if (src[j] == '{' && (src[j + 1] == '{' ||
			    src[j + 1] == '%' || src[j + 1] == '#'))
				break;
		if (j + 1 >= lx.n) {
			if (emit_text(&lx, lx.i, lx.n, 0) == -1)
				goto fail;
			break;
		}
		c = src[j + 1];
		strip = j + 2 < lx.n && src[j + 2] == '-';
		if (emit_text(&lx, lx.i, j, strip) == -1)
			goto fail;
		if (c == '#') {
			for (end = j + 2; end + 1 < lx.n; end++)
				if (src[end] == '#' && src[end + 1] == '}')
					break;
			if (end + 1 >= lx.n) {
				lex_error(&lx, j, "unexpected end of comment");
				goto fail;
			}
			lx.lstrip_next = end > j + 2 && src[end - 1] == '-';
			lx.i = end + 2;
			continue;
		}
		if (c == '%' &&
		    (end = match_tag(&lx, j, "raw", &sb, &sa)) != 0) {
			lx.lstrip_next = sa;
			if (lex_raw(&lx, end) == -1)
				goto fail;
			continue;
		}
		if (emit(&lx, c == '%' ? TT_BLOCK_BEGIN : TT_VAR_BEGIN, j,
		    NULL, 0, NULL) == -1)
			goto fail;
		lx.i = j + 2;
		if (lx.i < lx.n && (src[lx.i] == '-' || src[lx.i] == '+'))
			lx.i++;
		if (lex_tag(&lx, c == '%') == -1)
			goto fail;
	}
	if (emit(&lx, TT_EOF, lx.n, NULL, 0, NULL) == -1)
		goto fail;
	return 0;
fail:
	tlex_free(out);
	return -1;
}

void
tlex_free(struct tlex *lx)
{
	size_t i;

	for (i = 0; i < lx->n; i++)
		tv_free_immortal(lx->toks[i].val);
	free(lx->toks);
	memset(lx, 0, sizeof(*lx));
}

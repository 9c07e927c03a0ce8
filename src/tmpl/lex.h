/*
 * lex.h - splits template source into tokens: text, tag delimiters and
 * the tokens of expressions, with whitespace control applied.
 */
#ifndef ACMED_TMPL_LEX_H
#define ACMED_TMPL_LEX_H

#include <stddef.h>

#include "tmpl/value.h"

enum ttok {
	TT_EOF,
	TT_TEXT,
	TT_VAR_BEGIN, TT_VAR_END, TT_BLOCK_BEGIN, TT_BLOCK_END,
	TT_NAME, TT_STR, TT_INT, TT_FLOAT,
	TT_PLUS, TT_MINUS, TT_MUL, TT_DIV, TT_FLOORDIV, TT_MOD, TT_POW,
	TT_TILDE,
	TT_LPAREN, TT_RPAREN, TT_LBRACKET, TT_RBRACKET, TT_LBRACE, TT_RBRACE,
	TT_COMMA, TT_DOT, TT_COLON, TT_PIPE, TT_ASSIGN,
	TT_EQ, TT_NE, TT_LT, TT_LE, TT_GT, TT_GE,
};

struct ttoken {
	enum ttok		 type;
	unsigned		 line, col;
	const char		*p;	/* source text: names, text */
	size_t			 len;
	struct tmpl_value	*val;	/* literals; owned by the token
					   until the parser takes it */
};

struct tlex {
	struct ttoken	*toks;
	size_t		 n, cap;
};

/* Tokenizes src, which must outlive the tokens (text points into it).
 * -1 with err "line N:col M: message". */
int	 tlex_run(const char *src, size_t len, struct tlex *out);
void	 tlex_free(struct tlex *lx);
/* A short description of a token for error messages. */
const char *ttok_name(enum ttok t);

#endif

/*
 * parse.h - builds the tree of a template from its tokens.
 */
#ifndef ACMED_TMPL_PARSE_H
#define ACMED_TMPL_PARSE_H

#include "tmpl/ast.h"
#include "tmpl/lex.h"

/*
 * Parses the tokens into t->body.  Literal values move from the tokens
 * into the tree.  -1 with err "line N:col M: message"; t->body is then
 * empty.
 */
int	 tparse(struct tlex *lx, struct tmpl *t);

#endif

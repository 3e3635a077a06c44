/*
 * shorthand.h - the AWS CLI's shorthand syntax for structured parameter values, parsed as the
 * AWS CLI's awscli/shorthand.py ShorthandParser parses it (purely syntactic, no model):
 *
 *   Key=Value,Key2=Value2         {"Key": "Value", "Key2": "Value2"}
 *   Key=a,b,c                     {"Key": ["a", "b", "c"]}   (a csv list up to the next key=)
 *   Key=[a,b],Nested={A=1,B=x}    {"Key": ["a", "b"], "Nested": {"A": "1", "B": "x"}}
 *   Key='quoted, text',K2="x\"y"  quoted values keep commas; \' \" and \\ are unescaped
 *   Key=a\,b                      an escaped comma is part of the value
 *
 * Keys are [A-Za-z0-9-_.#/:]*; whitespace around separators is ignored and trailing whitespace is
 * stripped from unquoted values. A repeated top-level key is an error (a likely "," typed for a
 * space). Every value is a string, a list or an object: turning "1" into a number is the model's
 * business (the caller's). Lists and structures nest at most 64 levels deep (an error past that).
 *
 * The parser was compared with the AWS CLI's on thousands of random and fuzzed inputs: the same
 * documents, the same errors and the same messages, except for nesting past the bound.
 */
#ifndef CPW_SHORTHAND_H
#define CPW_SHORTHAND_H

#include "cpw/json.h"

/**
 * Parses text into *out (a new object owned by the caller). Returns 0, or -1 with CPW_ERR_PARSE
 * whose detail is the AWS CLI's message ("Expected: '=', received: ',' for input:\n...\n   ^"),
 * leaving *out NULL.
 */
int cpw_shorthand_parse(const char *text, json_t **out);

#endif

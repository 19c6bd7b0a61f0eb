#include "common/shquote.h"

#include <ctype.h>
#include <string.h>

void sq_quote(struct strbuf *sb, const char *s)
{
	strbuf_addch(sb, '\'');
	for (; *s; s++) {
		if (*s == '\'')
			strbuf_addstr(sb, "'\\''");
		else
			strbuf_addch(sb, *s);
	}
	strbuf_addch(sb, '\'');
}

int sh_name_char(int c, int first)
{
	/* ASCII only, whatever the locale: the shell's own rule */
	return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || c == '_' ||
	       (!first && c >= '0' && c <= '9');
}

static int name_start(int c)
{
	return sh_name_char(c, 1);
}
static int name_char(int c)
{
	return sh_name_char(c, 0);
}

int sh_valid_name(const char *s)
{
	if (!s || !name_start((unsigned char)*s))
		return 0;
	for (s++; *s; s++)
		if (!name_char((unsigned char)*s))
			return 0;
	return 1;
}

void sq_quote_expand(struct strbuf *sb, const char *s)
{
	/* A leading ~ stays literal either way; outside the double quotes, shellcheck
	 * does not mistake it for a tilde that was meant to expand (SC2088). */
	if (*s == '~') {
		strbuf_addstr(sb, "'~'");
		s++;
	}
	strbuf_addch(sb, '"');
	while (*s) {
		unsigned char c = (unsigned char)*s;
		if (c == '$') {
			const char *p = s + 1;
			if (*p == '$') { /* $$ -> literal $ */
				strbuf_addstr(sb, "\\$");
				s += 2;
				continue;
			}
			if (*p == '{' && name_start((unsigned char)p[1])) {
				const char *q = p + 2;
				while (name_char((unsigned char)*q))
					q++;
				if (*q == '}') {
					strbuf_add(sb, s, (size_t)(q + 1 - s));
					s = q + 1;
					continue;
				}
			} else if (name_start((unsigned char)*p)) {
				const char *q = p + 1;
				while (name_char((unsigned char)*q))
					q++;
				/* ${NAME} form so that a following name character cannot join it */
				strbuf_addstr(sb, "${");
				strbuf_add(sb, p, (size_t)(q - p));
				strbuf_addch(sb, '}');
				s = q;
				continue;
			}
			strbuf_addstr(sb, "\\$");
			s++;
			continue;
		}
		if (c == '"' || c == '\\' || c == '`')
			strbuf_addch(sb, '\\');
		strbuf_addch(sb, c);
		s++;
	}
	strbuf_addch(sb, '"');
}

void sq_quote_argv(struct strbuf *sb, const char *const *argv)
{
	for (size_t i = 0; argv[i]; i++) {
		if (i)
			strbuf_addch(sb, ' ');
		sq_quote(sb, argv[i]);
	}
}

/* Embedding encoders: see vec-json.h. */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "load/chroma/vec-json.h"

/* 10^i for i in [-60, 60]: exact up to 10^22, correctly rounded beyond. */
static double pow10_table[121];

/* Filled once at start-up, before any thread can encode. */
__attribute__((constructor)) static void pow10_init(void)
{
	double p = 1;
	for (int k = 0; k <= 60; k++) {
		pow10_table[60 + k] = p;
		p *= 10;
	}
	for (int k = 1; k <= 60; k++)
		pow10_table[60 - k] = 1.0 / pow10_table[60 + k];
}

static inline double pow10_tab(int i)
{
	return pow10_table[60 + i];
}

size_t vec_fmt_float(char *out, float f)
{
	char digits[10], *p = out;
	double d;
	int e10, nd;
	uint64_t m;
	uint32_t bits;

	if (!isfinite(f) || f == 0) {
		*p = '0';
		return 1;
	}
	memcpy(&bits, &f, 4);
	if (bits >> 31) {
		*p++ = '-';
		f = -f;
	}
	d = f;
	/* Decimal exponent from the binary one (77/256 ~ log10(2)), corrected once. */
	int e2 = (int)((bits >> 23) & 0xff) - 127;
	e10 = (e2 * 77) >> 8; /* arithmetic shift: floor for negative e2 too */
	if (d >= pow10_tab(e10 + 1))
		e10++;
	else if (d < pow10_tab(e10))
		e10--;
	/* Nine significant digits: m in [1e8, 1e9). */
	m = (uint64_t)(d * pow10_tab(8 - e10) + 0.5);
	if (m >= 1000000000ull) {
		m = (m + 5) / 10;
		e10++;
	}
	/* Two digits at a time. */
	static const char pairs[] = "00010203040506070809101112131415161718192021222324"
				    "25262728293031323334353637383940414243444546474849"
				    "50515253545556575859606162636465666768697071727374"
				    "75767778798081828384858687888990919293949596979899";
	uint32_t m32 = (uint32_t)m;
	digits[0] = (char)('0' + m32 / 100000000u);
	m32 %= 100000000u;
	for (int i = 7; i > 0; i -= 2) {
		uint32_t two = m32 % 100u;
		m32 /= 100u;
		digits[i] = pairs[2 * two];
		digits[i + 1] = pairs[2 * two + 1];
	}
	nd = 9;
	while (nd > 1 && digits[nd - 1] == '0')
		nd--;
	if (e10 >= 0 && e10 < 9) {
		/* ddd.ddd */
		int ip = e10 + 1;
		for (int i = 0; i < ip; i++)
			*p++ = i < nd ? digits[i] : '0';
		if (nd > ip) {
			*p++ = '.';
			for (int i = ip; i < nd; i++)
				*p++ = digits[i];
		}
	} else if (e10 < 0 && e10 >= -5) {
		/* 0.000ddd */
		*p++ = '0';
		*p++ = '.';
		for (int i = -1; i > e10; i--)
			*p++ = '0';
		for (int i = 0; i < nd; i++)
			*p++ = digits[i];
	} else {
		/* d.ddde-XX */
		*p++ = digits[0];
		if (nd > 1) {
			*p++ = '.';
			for (int i = 1; i < nd; i++)
				*p++ = digits[i];
		}
		*p++ = 'e';
		int e = e10;
		if (e < 0) {
			*p++ = '-';
			e = -e;
		}
		if (e >= 10)
			*p++ = (char)('0' + e / 10);
		*p++ = (char)('0' + e % 10);
	}
	return (size_t)(p - out);
}

void vec_json_array(struct strbuf *sb, const float *v, unsigned dim)
{
	strbuf_grow(sb, 2 + (size_t)dim * (VEC_FLOAT_MAX_CHARS + 1));
	char *p = sb->buf + sb->len;
	*p++ = '[';
	for (unsigned i = 0; i < dim; i++) {
		if (i)
			*p++ = ',';
		p += vec_fmt_float(p, v[i]);
	}
	*p++ = ']';
	strbuf_setlen(sb, (size_t)(p - sb->buf));
}

void vec_json_base64(struct strbuf *sb, const float *v, unsigned dim)
{
	static const char b64[] =
	    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
	size_t n = (size_t)dim * 4, i;
	const unsigned char *b;
#if __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
	unsigned char *le = malloc(n);
	for (size_t k = 0; k < dim; k++) {
		uint32_t x;
		memcpy(&x, v + k, 4);
		x = __builtin_bswap32(x);
		memcpy(le + 4 * k, &x, 4);
	}
	b = le;
#else
	b = (const unsigned char *)v;
#endif
	strbuf_grow(sb, 3 + (n + 2) / 3 * 4);
	char *p = sb->buf + sb->len;
	*p++ = '"';
	for (i = 0; i + 3 <= n; i += 3) {
		uint32_t x = (uint32_t)b[i] << 16 | (uint32_t)b[i + 1] << 8 | b[i + 2];
		*p++ = b64[x >> 18];
		*p++ = b64[(x >> 12) & 63];
		*p++ = b64[(x >> 6) & 63];
		*p++ = b64[x & 63];
	}
	if (i < n) {
		uint32_t x = (uint32_t)b[i] << 16 | (i + 1 < n ? (uint32_t)b[i + 1] << 8 : 0);
		*p++ = b64[x >> 18];
		*p++ = b64[(x >> 12) & 63];
		*p++ = i + 1 < n ? b64[(x >> 6) & 63] : '=';
		*p++ = '=';
	}
	*p++ = '"';
	strbuf_setlen(sb, (size_t)(p - sb->buf));
#if __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
	free(le);
#endif
}

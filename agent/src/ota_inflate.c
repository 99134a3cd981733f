/* Incremental raw inflate. Modelled on the structure of zlib's inflate.c (a mode per step, re-entered when more
 * input comes) with the canonical-code decoding of Mark Adler's puff.c, which needs no lookup tables. */
#include "ota_inflate.h"
#include <string.h>

enum { M_HEADER, M_STORED, M_COPY, M_TABLE, M_LENLENS, M_CODELENS, M_CODELENS_EXTRA, M_CODES, M_LENEXT, M_DIST,
       M_DISTEXT, M_DONE, M_ERROR };

static const uint16_t len_base[29] = { 3, 4, 5, 6, 7, 8, 9, 10, 11, 13, 15, 17, 19, 23, 27, 31, 35, 43, 51, 59,
                                       67, 83, 99, 115, 131, 163, 195, 227, 258 };
static const uint8_t len_extra[29] = { 0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2, 2, 3, 3, 3, 3, 4, 4, 4, 4,
                                       5, 5, 5, 5, 0 };
static const uint16_t dist_base[30] = { 1, 2, 3, 4, 5, 7, 9, 13, 17, 25, 33, 49, 65, 97, 129, 193, 257, 385,
                                        513, 769, 1025, 1537, 2049, 3073, 4097, 6145, 8193, 12289, 16385, 24577 };
static const uint8_t dist_extra[30] = { 0, 0, 0, 0, 1, 1, 2, 2, 3, 3, 4, 4, 5, 5, 6, 6, 7, 7, 8, 8, 9, 9, 10,
                                        10, 11, 11, 12, 12, 13, 13 };
static const uint8_t clen_order[19] = { 16, 17, 18, 0, 8, 7, 9, 6, 10, 5, 11, 4, 12, 3, 13, 2, 14, 1, 15 };

/* Builds a canonical code from n lengths. Returns 0 for a complete code (or no code at all), a positive number for
 * an incomplete one, -1 for an over-subscribed one: the callers apply zlib's rules on which are acceptable. */
static int build(ota_huffman *h, const uint8_t *lens, unsigned n)
{
    uint16_t offs[16];
    unsigned i;
    int left = 1;
    memset(h->counts, 0, sizeof h->counts);
    for (i = 0; i < n; i++) h->counts[lens[i]]++;
    if (h->counts[0] == n) return 0;
    for (i = 1; i < 16; i++) {
        left <<= 1;
        left -= h->counts[i];
        if (left < 0) return -1;
    }
    offs[1] = 0;
    for (i = 1; i < 15; i++) offs[i + 1] = (uint16_t)(offs[i] + h->counts[i]);
    for (i = 0; i < n; i++) {
        if (lens[i]) h->symbols[offs[lens[i]]++] = (uint16_t)i;
    }
    return left;
}

/* zlib and puff accept an incomplete literal/length or distance code only when it is a single one-bit code. */
static int usable(const ota_huffman *h, int built, unsigned n)
{
    return built == 0 || (built > 0 && n == (unsigned)h->counts[0] + h->counts[1]);
}

/* A symbol from the bits held (consumed), -2 when more bits are needed (nothing consumed), -1 for a code that
 * is not in the table. */
static int decode(ota_inflate *s, const ota_huffman *h)
{
    unsigned len, code = 0, first = 0, index = 0;
    for (len = 1; len < 16; len++) {
        unsigned count;
        if (len > s->bits) return -2;
        code |= (s->hold >> (len - 1)) & 1u;
        count = h->counts[len];
        if (code - first < count) {
            s->hold >>= len;
            s->bits = (uint8_t)(s->bits - len);
            return h->symbols[index + (code - first)];
        }
        index += count;
        first = (first + count) << 1;
        code <<= 1;
    }
    return -1;
}

static int flush(ota_inflate *s)
{
    if (s->wpos > s->flushed) {
        if (s->sink(s->ctx, s->window + s->flushed, (size_t)(s->wpos - s->flushed))) return -1;
    }
    s->flushed = s->wpos;
    return 0;
}

static int put(ota_inflate *s, uint8_t b)
{
    s->window[s->wpos++] = b;
    if (s->total < OTA_INFLATE_WINDOW) s->total++;
    if (s->wpos == OTA_INFLATE_WINDOW) {
        if (flush(s)) return -1;
        s->wpos = 0;
        s->flushed = 0;
    }
    return 0;
}

void ota_inflate_init(ota_inflate *s, ota_inflate_sink sink, void *ctx)
{
    s->sink = sink;
    s->ctx = ctx;
    s->hold = 0;
    s->bits = 0;
    s->mode = M_HEADER;
    s->last = 0;
    s->total = 0;
    s->wpos = 0;
    s->flushed = 0;
}

static void fixed_tables(ota_inflate *s)
{
    unsigned i;
    for (i = 0; i < 144; i++) s->lens[i] = 8;
    for (; i < 256; i++) s->lens[i] = 9;
    for (; i < 280; i++) s->lens[i] = 7;
    for (; i < 288; i++) s->lens[i] = 8;
    (void)build(&s->lencode, s->lens, 288);
    for (i = 0; i < 30; i++) s->lens[i] = 5;
    (void)build(&s->distcode, s->lens, 30);
}

#define NEED(n)                                              \
    do {                                                     \
        while (s->bits < (n)) {                              \
            if (pos == len) goto out;                        \
            s->hold |= (uint32_t)in[pos++] << s->bits;       \
            s->bits = (uint8_t)(s->bits + 8);                \
        }                                                    \
    } while (0)
#define TAKE(n) (take_bits(s, (n)))
#define FAIL(code)               \
    do {                         \
        rc = (code);             \
        s->mode = M_ERROR;       \
        goto out;                \
    } while (0)
/* Decodes into sym with table h, pulling bytes until the code is complete. */
#define DECODE(sym, h)                                            \
    do {                                                          \
        for (;;) {                                                \
            sym = decode(s, (h));                                 \
            if (sym >= 0) break;                                  \
            if (sym == -1) FAIL(OTA_INFLATE_ERR_CODE);            \
            if (s->bits > 16) FAIL(OTA_INFLATE_ERR_CODE);         \
            if (pos == len) goto out;                             \
            s->hold |= (uint32_t)in[pos++] << s->bits;            \
            s->bits = (uint8_t)(s->bits + 8);                     \
        }                                                         \
    } while (0)

static unsigned take_bits(ota_inflate *s, unsigned n)
{
    unsigned v = (unsigned)(s->hold & ((1u << n) - 1u));
    s->hold >>= n;
    s->bits = (uint8_t)(s->bits - n);
    return v;
}

int ota_inflate_feed(ota_inflate *s, const uint8_t *in, size_t len)
{
    size_t pos = 0;
    int rc = OTA_INFLATE_MORE;
    int sym;
    for (;;) {
        switch (s->mode) {
        case M_HEADER:
            NEED(3);
            s->last = (uint8_t)TAKE(1);
            switch (TAKE(2)) {
            case 0:
                TAKE(s->bits & 7u);
                s->mode = M_STORED;
                break;
            case 1:
                fixed_tables(s);
                s->mode = M_CODES;
                break;
            case 2:
                s->mode = M_TABLE;
                break;
            default:
                FAIL(OTA_INFLATE_ERR_BLOCK);
            }
            break;
        case M_STORED: {
            unsigned n, nn;
            /* Byte-aligned here (bits is 0, 8, 16 or 24), so 32 bits fit the holder. */
            NEED(32);
            n = TAKE(16);
            nn = TAKE(16);
            if (n != (~nn & 0xffffu)) FAIL(OTA_INFLATE_ERR_STORED);
            s->left = (uint16_t)n;
            s->mode = M_COPY;
            break;
        }
        case M_COPY:
            while (s->left) {
                uint8_t b;
                if (s->bits >= 8) {
                    b = (uint8_t)TAKE(8);
                } else {
                    if (pos == len) goto out;
                    b = in[pos++];
                }
                if (put(s, b)) FAIL(OTA_INFLATE_ERR_SINK);
                s->left--;
            }
            s->mode = s->last ? M_DONE : M_HEADER;
            break;
        case M_TABLE:
            NEED(14);
            s->hlit = (uint16_t)(TAKE(5) + 257u);
            s->hdist = (uint16_t)(TAKE(5) + 1u);
            s->hclen = (uint16_t)(TAKE(4) + 4u);
            if (s->hlit > 286 || s->hdist > 30) FAIL(OTA_INFLATE_ERR_TABLE);
            memset(s->lens, 0, 19);
            s->have = 0;
            s->mode = M_LENLENS;
            break;
        case M_LENLENS:
            while (s->have < s->hclen) {
                NEED(3);
                s->lens[clen_order[s->have++]] = (uint8_t)TAKE(3);
            }
            if (build(&s->lencode, s->lens, 19) != 0) FAIL(OTA_INFLATE_ERR_TABLE); /* must be complete */
            s->have = 0;
            s->mode = M_CODELENS;
            break;
        case M_CODELENS:
            while (s->have < s->hlit + s->hdist) {
                DECODE(sym, &s->lencode);
                if (sym < 16) {
                    s->lens[s->have++] = (uint8_t)sym;
                    continue;
                }
                s->sym = (uint16_t)sym;
                s->mode = M_CODELENS_EXTRA;
                break;
            }
            if (s->mode == M_CODELENS_EXTRA) break;
            if (s->lens[256] == 0) FAIL(OTA_INFLATE_ERR_TABLE);
            if (!usable(&s->lencode, build(&s->lencode, s->lens, s->hlit), s->hlit)) FAIL(OTA_INFLATE_ERR_TABLE);
            if (!usable(&s->distcode, build(&s->distcode, s->lens + s->hlit, s->hdist), s->hdist)) FAIL(OTA_INFLATE_ERR_TABLE);
            s->mode = M_CODES;
            break;
        case M_CODELENS_EXTRA: {
            unsigned rep;
            uint8_t value = 0;
            if (s->sym == 16) {
                NEED(2);
                if (s->have == 0) FAIL(OTA_INFLATE_ERR_TABLE);
                value = s->lens[s->have - 1];
                rep = 3u + TAKE(2);
            } else if (s->sym == 17) {
                NEED(3);
                rep = 3u + TAKE(3);
            } else {
                NEED(7);
                rep = 11u + TAKE(7);
            }
            if (s->have + rep > (unsigned)(s->hlit + s->hdist)) FAIL(OTA_INFLATE_ERR_TABLE);
            while (rep--) s->lens[s->have++] = value;
            s->mode = M_CODELENS;
            break;
        }
        case M_CODES:
            for (;;) {
                DECODE(sym, &s->lencode);
                if (sym < 256) {
                    if (put(s, (uint8_t)sym)) FAIL(OTA_INFLATE_ERR_SINK);
                    continue;
                }
                if (sym == 256) {
                    s->mode = s->last ? M_DONE : M_HEADER;
                } else {
                    sym -= 257;
                    if (sym >= 29) FAIL(OTA_INFLATE_ERR_CODE);
                    s->sym = (uint16_t)sym;
                    s->mode = M_LENEXT;
                }
                break;
            }
            break;
        case M_LENEXT:
            NEED(len_extra[s->sym]);
            s->left = (uint16_t)(len_base[s->sym] + TAKE(len_extra[s->sym]));
            s->mode = M_DIST;
            break;
        case M_DIST:
            DECODE(sym, &s->distcode);
            if (sym >= 30) FAIL(OTA_INFLATE_ERR_CODE);
            s->sym = (uint16_t)sym;
            s->mode = M_DISTEXT;
            break;
        case M_DISTEXT: {
            unsigned dist;
            NEED(dist_extra[s->sym]);
            dist = dist_base[s->sym] + TAKE(dist_extra[s->sym]);
            if (dist > s->total) FAIL(OTA_INFLATE_ERR_DISTANCE);
            while (s->left) {
                unsigned from = (s->wpos + OTA_INFLATE_WINDOW - dist) & (OTA_INFLATE_WINDOW - 1u);
                if (put(s, s->window[from])) FAIL(OTA_INFLATE_ERR_SINK);
                s->left--;
            }
            s->mode = M_CODES;
            break;
        }
        case M_DONE:
            if (pos < len) FAIL(OTA_INFLATE_ERR_TRAILING);
            rc = OTA_INFLATE_DONE;
            goto out;
        default:
            return OTA_INFLATE_ERR_CODE;
        }
    }
out:
    /* What was decoded before an error still goes out (the caller decides what to do with it). */
    if (rc != OTA_INFLATE_ERR_SINK && flush(s)) {
        s->mode = M_ERROR;
        rc = OTA_INFLATE_ERR_SINK;
    }
    if (rc == OTA_INFLATE_MORE && s->mode == M_DONE) rc = pos < len ? OTA_INFLATE_ERR_TRAILING : OTA_INFLATE_DONE;
    return rc;
}

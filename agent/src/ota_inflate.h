/* A raw-deflate (RFC 1951) decoder for small MCUs: no heap, a window of at most 4 KiB (streams made with zlib
 * windowBits 9..12), and input in pieces of any size (a frame may end anywhere, even inside a Huffman code). */
#ifndef OTA_INFLATE_H
#define OTA_INFLATE_H
#include <stddef.h>
#include <stdint.h>
#include "ota_config.h"

#define OTA_INFLATE_WINDOW (1u << OTA_INFLATE_WINDOW_BITS)

enum {
    OTA_INFLATE_MORE = 0,           /* all input used; the stream goes on */
    OTA_INFLATE_DONE = 1,           /* the last block ended */
    OTA_INFLATE_ERR_BLOCK = -1,     /* reserved block type 3 */
    OTA_INFLATE_ERR_STORED = -2,    /* stored block length and its complement differ */
    OTA_INFLATE_ERR_TABLE = -3,     /* a Huffman table is invalid (over-subscribed, bad counts, bad repeat) */
    OTA_INFLATE_ERR_CODE = -4,      /* a code that is not in its table, or a reserved symbol */
    OTA_INFLATE_ERR_DISTANCE = -5,  /* a match reaches further back than the window or the start of the data */
    OTA_INFLATE_ERR_TRAILING = -6,  /* data after the last block */
    OTA_INFLATE_ERR_SINK = -7       /* the output callback refused the data */
};

/* Receives the output in order; returns 0 to go on, non-zero to stop the stream with OTA_INFLATE_ERR_SINK. */
typedef int (*ota_inflate_sink)(void *ctx, const uint8_t *data, size_t len);

typedef struct {
    uint16_t counts[16];
    uint16_t symbols[288];
} ota_huffman;

typedef struct {
    ota_inflate_sink sink;
    void *ctx;
    uint32_t hold;
    uint8_t bits;
    uint8_t mode;
    uint8_t last;
    uint16_t left;      /* stored: bytes left; match: length left */
    uint16_t sym;       /* a decoded symbol waiting for its extra bits */
    uint16_t hlit, hdist, hclen, have;
    uint16_t dist;
    uint32_t total;     /* bytes out so far (capped at the window size: only "is the distance valid" matters) */
    uint16_t wpos, flushed;
    ota_huffman lencode, distcode;
    uint8_t lens[320];
    uint8_t window[OTA_INFLATE_WINDOW];
} ota_inflate;

void ota_inflate_init(ota_inflate *s, ota_inflate_sink sink, void *ctx);
/* Decodes len more bytes of the stream; returns one of the codes above. After an error, call init again. */
int ota_inflate_feed(ota_inflate *s, const uint8_t *in, size_t len);

#endif

/* Test tool: inflates a raw deflate stream from stdin to stdout with the agent's inflater, feeding it in pieces
 * of pseudo-random sizes (1..max, seeded) so that every resume point of the decoder gets exercised.
 *   inflate-tool [SEED] [MAX_PIECE]
 * Exit 0: the stream ended and all of it was used. 3: the inflater reported an error (code on stderr).
 * 4: the input ended before the last block did. */
#include <stdio.h>
#include <stdlib.h>

#include "ota_inflate.h"

static ota_inflate state;
static unsigned char input[1u << 24];

static int sink(void *ctx, const uint8_t *data, size_t len)
{
    (void)ctx;
    return fwrite(data, 1, len, stdout) == len ? 0 : 1;
}

int main(int argc, char **argv)
{
    unsigned long seed = argc > 1 ? strtoul(argv[1], NULL, 10) : 1;
    unsigned long max = argc > 2 ? strtoul(argv[2], NULL, 10) : 64;
    size_t len = fread(input, 1, sizeof input, stdin), pos = 0;
    int rc = OTA_INFLATE_MORE;
    if (max == 0) max = 1;
    ota_inflate_init(&state, sink, NULL);
    while (pos < len) {
        size_t n;
        seed = seed * 1103515245ul + 12345ul;
        n = 1 + (size_t)((seed >> 8) % max);
        if (n > len - pos) n = len - pos;
        rc = ota_inflate_feed(&state, input + pos, n);
        pos += n;
        if (rc != OTA_INFLATE_MORE) break;
    }
    fflush(stdout);
    if (rc < 0) {
        fprintf(stderr, "inflate error %d at input byte %lu\n", rc, (unsigned long)pos);
        return 3;
    }
    if (rc != OTA_INFLATE_DONE) {
        fprintf(stderr, "stream incomplete after %lu bytes\n", (unsigned long)len);
        return 4;
    }
    if (pos < len) {
        fprintf(stderr, "%lu bytes after the end of the stream\n", (unsigned long)(len - pos));
        return 3;
    }
    return 0;
}

/* Unit tests of the agent's parts (CRC-32, SHA-256, inflater) and of the agent itself over the in-memory HAL of
 * test_hal.c. Built with the sanitizers by `make test`; prints "C tests: N passed, M failed" and exits 1 on any
 * failure. */
#include <stdio.h>
#include <string.h>

#include "ota_agent.h"
#include "ota_crc32.h"
#include "ota_inflate.h"
#include "ota_proto.h"
#include "ota_sha256.h"
#include "test_hal.h"

static int passed, failed;

#define CHECK(cond, what)                                                  \
    do {                                                                   \
        if (cond) {                                                        \
            passed++;                                                      \
        } else {                                                           \
            failed++;                                                      \
            fprintf(stderr, "FAIL %s:%d: %s\n", __FILE__, __LINE__, what); \
        }                                                                  \
    } while (0)

/* ---- parts ---- */

static void hex(const uint8_t *d, size_t n, char *out)
{
    size_t i;
    for (i = 0; i < n; i++) sprintf(out + 2 * i, "%02x", d[i]);
}

static void test_crc32(void)
{
    const uint8_t check[] = "123456789";
    CHECK(ota_crc32_update(0, check, 9) == 0xcbf43926u, "CRC-32 check value of 123456789");
    CHECK(ota_crc32_update(ota_crc32_update(0, check, 4), check + 4, 5) == 0xcbf43926u, "CRC-32 in two pieces");
}

static void sha_of(const void *data, size_t len, char out[65])
{
    ota_sha256 s;
    uint8_t d[32];
    ota_sha256_init(&s);
    ota_sha256_update(&s, (const uint8_t *)data, len);
    ota_sha256_final(&s, d);
    hex(d, 32, out);
}

static void test_sha256(void)
{
    char h[65];
    static uint8_t million[1000000];
    sha_of("", 0, h);
    CHECK(strcmp(h, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855") == 0, "SHA-256 of nothing");
    sha_of("abc", 3, h);
    CHECK(strcmp(h, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad") == 0, "SHA-256 of abc");
    sha_of("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq", 56, h);
    CHECK(strcmp(h, "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1") == 0, "SHA-256 of the 448-bit vector");
    memset(million, 'a', sizeof million);
    sha_of(million, sizeof million, h);
    CHECK(strcmp(h, "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0") == 0, "SHA-256 of a million a");
}

static uint8_t inflated[65536];
static size_t inflated_len;

static int collect(void *ctx, const uint8_t *data, size_t len)
{
    (void)ctx;
    if (inflated_len + len > sizeof inflated) return 1;
    memcpy(inflated + inflated_len, data, len);
    inflated_len += len;
    return 0;
}

static int inflate_all(const uint8_t *in, size_t len, size_t piece)
{
    static ota_inflate s;
    size_t pos = 0;
    int rc = OTA_INFLATE_MORE;
    inflated_len = 0;
    ota_inflate_init(&s, collect, NULL);
    while (pos < len && rc == OTA_INFLATE_MORE) {
        size_t n = len - pos < piece ? len - pos : piece;
        rc = ota_inflate_feed(&s, in + pos, n);
        pos += n;
    }
    return rc;
}

static void test_inflate(void)
{
    /* zlib, Z_FIXED: "hello, hello, hello!" */
    static const uint8_t fixed[] = { 0xcb, 0x48, 0xcd, 0xc9, 0xc9, 0xd7, 0x51, 0xc8, 0x40, 0xa2, 0x14, 0x01 };
    /* A stored block: BFINAL, type 0, LEN 5, NLEN ~5, "hello". */
    static const uint8_t stored[] = { 0x01, 0x05, 0x00, 0xfa, 0xff, 'h', 'e', 'l', 'l', 'o' };
    static const uint8_t bad_nlen[] = { 0x01, 0x05, 0x00, 0xfa, 0xfe, 'h', 'e', 'l', 'l', 'o' };
    static const uint8_t reserved_type[] = { 0x07 };
    /* Fixed block whose first symbol is a match at distance 1: before any output. */
    static const uint8_t too_far[] = { 0x03, 0x02, 0x00 };
    size_t piece;
    for (piece = 1; piece <= sizeof fixed; piece += 5) {
        CHECK(inflate_all(fixed, sizeof fixed, piece) == OTA_INFLATE_DONE, "fixed block ends");
        CHECK(inflated_len == 20 && memcmp(inflated, "hello, hello, hello!", 20) == 0, "fixed block output");
    }
    CHECK(inflate_all(stored, sizeof stored, 3) == OTA_INFLATE_DONE && inflated_len == 5 && memcmp(inflated, "hello", 5) == 0,
          "stored block");
    CHECK(inflate_all(bad_nlen, sizeof bad_nlen, 64) == OTA_INFLATE_ERR_STORED, "stored block with a bad NLEN");
    CHECK(inflate_all(reserved_type, 1, 1) == OTA_INFLATE_ERR_BLOCK, "reserved block type");
    CHECK(inflate_all(too_far, sizeof too_far, 1) == OTA_INFLATE_ERR_DISTANCE, "match before the start of the data");
    CHECK(inflate_all(fixed, sizeof fixed - 1, 64) == OTA_INFLATE_MORE, "a cut stream asks for more");
}

/* ---- the agent over the in-memory HAL ---- */

static uint8_t frame_buf[2048];

/* Builds a frame into frame_buf; returns its length. */
static size_t host_frame(uint8_t type, uint32_t seq, const uint8_t *payload, uint16_t len)
{
    uint32_t crc;
    frame_buf[0] = OTA_SOF;
    frame_buf[1] = type;
    frame_buf[2] = (uint8_t)len;
    frame_buf[3] = (uint8_t)(len >> 8);
    frame_buf[4] = (uint8_t)seq;
    frame_buf[5] = (uint8_t)(seq >> 8);
    frame_buf[6] = (uint8_t)(seq >> 16);
    frame_buf[7] = (uint8_t)(seq >> 24);
    if (len) memcpy(frame_buf + 8, payload, len);
    crc = ota_crc32_update(0, frame_buf + 1, 7u + len);
    frame_buf[8 + len] = (uint8_t)crc;
    frame_buf[9 + len] = (uint8_t)(crc >> 8);
    frame_buf[10 + len] = (uint8_t)(crc >> 16);
    frame_buf[11 + len] = (uint8_t)(crc >> 24);
    return 12u + len;
}

static void host_send(uint8_t type, uint32_t seq, const uint8_t *payload, uint16_t len)
{
    test_uart_push(frame_buf, host_frame(type, seq, payload, len));
}

typedef struct {
    uint8_t type;
    uint8_t payload[128];
    uint16_t len;
} reply;

static uint32_t le32(const uint8_t *p)
{
    return (uint32_t)p[0] | ((uint32_t)p[1] << 8) | ((uint32_t)p[2] << 16) | ((uint32_t)p[3] << 24);
}

/* Runs the agent until it has read everything, then returns its replies (frames checked for CRC). */
static size_t run_agent(reply *out, size_t max)
{
    static uint8_t sent[1u << 16];
    size_t n, i = 0, count = 0;
    int k;
    for (k = 0; k < 2000; k++) ota_agent_poll(0);
    n = test_uart_take(sent, sizeof sent);
    while (i + 12 <= n && count < max) {
        uint16_t len = (uint16_t)(sent[i + 2] | (sent[i + 3] << 8));
        CHECK(sent[i] == OTA_SOF, "agent frame starts with SOF");
        CHECK(len <= sizeof out[count].payload, "agent frame length");
        if (sent[i] != OTA_SOF || len > sizeof out[count].payload || i + 12u + len > n) break;
        CHECK(ota_crc32_update(0, sent + i + 1, 7u + len) == le32(sent + i + 8 + len), "agent frame CRC");
        out[count].type = sent[i + 1];
        out[count].len = len;
        memcpy(out[count].payload, sent + i + 8, len);
        count++;
        i += 12u + len;
    }
    return count;
}

static uint8_t image[20000];
static uint8_t image_sha[32];

static void start_payload(uint8_t *p, uint32_t size, uint32_t offset)
{
    memset(p, 0, OTA_START_LEN);
    p[4] = (uint8_t)size;
    p[5] = (uint8_t)(size >> 8);
    p[6] = (uint8_t)(size >> 16);
    p[8] = (uint8_t)offset;
    p[9] = (uint8_t)(offset >> 8);
    p[10] = (uint8_t)(offset >> 16);
    memcpy(p + 12, image_sha, 8);
    memcpy(p + 20, image_sha, 32);
}

static const reply *find(const reply *r, size_t n, uint8_t type)
{
    size_t i;
    for (i = 0; i < n; i++) {
        if (r[i].type == type) return &r[i];
    }
    return NULL;
}

static void test_agent_session(void)
{
    static reply r[4096];
    uint8_t start[OTA_START_LEN];
    uint8_t version = OTA_PROTO_VERSION;
    const reply *x;
    size_t n, i;
    uint32_t seq;
    ota_sha256 s;
    for (i = 0; i < sizeof image; i++) image[i] = (uint8_t)(i * 7u + (i >> 8));
    ota_sha256_init(&s);
    ota_sha256_update(&s, image, sizeof image);
    ota_sha256_final(&s, image_sha);

    test_hal_reset(0);
    ota_agent_init();
    host_send(OTA_T_HELLO, 0, &version, 1);
    n = run_agent(r, 16);
    x = find(r, n, OTA_T_INFO);
    CHECK(x && x->len == OTA_INFO_LEN, "HELLO gets INFO");
    CHECK(x && x->payload[0] == OTA_PROTO_VERSION && (x->payload[1] & OTA_CAP_DEFLATE) && x->payload[3] == OTA_WINDOW,
          "INFO: version, deflate, window");
    CHECK(x && le32(x->payload + 8) == 256 && le32(x->payload + 12) == TEST_FLASH_BYTES && x->payload[16] == OTA_SESSION_NONE,
          "INFO: page, flash, no session");

    /* DATA before START. */
    host_send(OTA_T_DATA, 0, image, 100);
    n = run_agent(r, 16);
    x = find(r, n, OTA_T_ERROR);
    CHECK(x && x->payload[0] == OTA_E_NO_SESSION, "DATA without START is refused");

    /* Too large. */
    start_payload(start, TEST_FLASH_BYTES + 1, 0);
    host_send(OTA_T_START, 0, start, OTA_START_LEN);
    n = run_agent(r, 16);
    x = find(r, n, OTA_T_ERROR);
    CHECK(x && x->payload[0] == OTA_E_TOO_LARGE && le32(x->payload + 4) == TEST_FLASH_BYTES, "an image larger than flash is refused");

    /* A session of 10000 bytes, then a "reset", then the rest. */
    start_payload(start, sizeof image, 0);
    host_send(OTA_T_START, 0, start, OTA_START_LEN);
    n = run_agent(r, 16);
    x = find(r, n, OTA_T_READY);
    CHECK(x && le32(x->payload) == 0, "START gets READY at 0");
    for (seq = 0; seq < 10; seq++) host_send(OTA_T_DATA, seq, image + seq * 1000, 1000);
    /* A frame out of order, and a damaged one. */
    host_send(OTA_T_DATA, 12, image + 12000, 1000);
    n = run_agent(r, 64);
    x = find(r, n, OTA_T_NAK);
    CHECK(x && le32(x->payload) == 10 && x->payload[4] == OTA_NAK_GAP, "a gap gets NAK for the frame expected");
    x = &r[n - 2];
    CHECK(n >= 2 && x->type == OTA_T_ACK && le32(x->payload) == 10, "the last ACK acknowledges 10 frames");
    {
        size_t len;
        host_send(OTA_T_DATA, 10, image + 10000, 1000);
        len = host_frame(OTA_T_DATA, 11, image + 11000, 1000);
        frame_buf[30] ^= 0x01;
        test_uart_push(frame_buf, len);
    }
    n = run_agent(r, 16);
    x = find(r, n, OTA_T_NAK);
    CHECK(x && le32(x->payload) == 11 && x->payload[4] == OTA_NAK_CRC, "a damaged frame gets NAK (CRC)");

    /* Reset: the agent starts again with flash and state kept. */
    test_hal_reset(1);
    ota_agent_init();
    host_send(OTA_T_HELLO, 0, &version, 1);
    n = run_agent(r, 16);
    x = find(r, n, OTA_T_INFO);
    CHECK(x && x->payload[16] == OTA_SESSION_PARTIAL && le32(x->payload + 28) == sizeof image, "after a reset INFO shows the partial image");
    CHECK(x && le32(x->payload + 32) == 10752 && memcmp(x->payload + 36, image_sha, 32) == 0,
          "committed: the 42 whole pages written before the reset");
    start_payload(start, sizeof image, 10752);
    host_send(OTA_T_START, 0, start, OTA_START_LEN);
    n = run_agent(r, 16);
    x = find(r, n, OTA_T_READY);
    CHECK(x && le32(x->payload) == 10752, "resume READY at the committed offset");
    for (seq = 0; 10752 + seq * 1000 < sizeof image; seq++) {
        uint32_t off = 10752 + seq * 1000;
        uint16_t len = (uint16_t)(sizeof image - off < 1000 ? sizeof image - off : 1000);
        host_send(OTA_T_DATA, seq, image + off, len);
    }
    n = run_agent(r, 64);
    x = find(r, n, OTA_T_RESULT);
    CHECK(x && x->payload[0] == OTA_RESULT_OK && le32(x->payload + 4) == sizeof image && memcmp(x->payload + 8, image_sha, 32) == 0,
          "RESULT ok with the image's SHA-256");
    CHECK(memcmp(test_flash, image, sizeof image) == 0, "flash holds the image");
    CHECK(test_bootable_calls == 1, "marked bootable once");

    /* Asked again: complete, and END repeats the result. */
    host_send(OTA_T_END, 0, NULL, 0);
    n = run_agent(r, 16);
    x = find(r, n, OTA_T_RESULT);
    CHECK(x && x->payload[0] == OTA_RESULT_OK, "END after the end repeats RESULT");

    /* A start with a wrong hash: the flash reads back as the image, which is not what was announced. */
    start_payload(start, sizeof image, 0);
    start[20] ^= 1;
    host_send(OTA_T_START, 0, start, OTA_START_LEN);
    for (seq = 0; seq * 1000 < sizeof image; seq++) host_send(OTA_T_DATA, seq, image + seq * 1000, 1000);
    n = run_agent(r, 64);
    x = find(r, n, OTA_T_RESULT);
    CHECK(x && x->payload[0] == OTA_RESULT_HASH_MISMATCH, "a hash that does not match is reported as a mismatch");
    CHECK(test_bootable_calls == 1, "a mismatch is not marked bootable");
}

int main(void)
{
    test_crc32();
    test_sha256();
    test_inflate();
    test_agent_session();
    printf("C tests: %d passed, %d failed\n", passed, failed);
    return failed ? 1 : 0;
}

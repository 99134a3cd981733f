/* The agent side of the OTA stream protocol (docs/stream-protocol.md): frame parsing, the session state
 * machine, double-buffered flash pages, resume state and the final SHA-256 check. */
#include "ota_agent.h"

#include <string.h>

#include "ota_config.h"
#include "ota_crc32.h"
#include "ota_hal.h"
#include "ota_proto.h"
#include "ota_sha256.h"
#if OTA_WITH_INFLATE
#include "ota_inflate.h"
#endif

#define STATE_MAGIC 0x3141544fu /* "OTA1" */
#define FRAME_BUF (OTA_FRAME_MAX + OTA_FRAME_OVERHEAD)
#define HEADER_LEN 8u
#define NO_PAGE 0xffu

/* What survives a reset: the session the flash holds and how much of it is safely written. */
typedef struct {
    uint32_t magic;
    uint32_t size;
    uint32_t committed;
    uint32_t complete;
    uint8_t token[8];
    uint8_t sha256[32];
    uint32_t crc;
} saved_state;

static struct {
    ota_flash_info flash;
    ota_agent_stats stats;
    /* Frame parser. */
    uint8_t rx[FRAME_BUF];
    uint32_t rx_len;
    uint8_t in[256];
    uint8_t tx[OTA_FRAME_OVERHEAD + OTA_INFO_LEN];
    /* Session. */
    saved_state saved;
    uint8_t active;      /* a START was accepted and the image is not complete yet */
    uint8_t deflate;
    uint32_t expected;   /* next DATA sequence number */
    uint32_t out_total;  /* image bytes received (after inflating) */
    uint32_t erased_to;
    /* Pages: one fills while the other may be programming. */
    uint8_t page[2][OTA_PAGE_MAX];
    uint8_t cur;
    uint32_t fill;
    uint32_t cur_base;
    uint8_t pending;     /* index of the page being programmed, or NO_PAGE */
    uint32_t pending_end;
    uint8_t failed;      /* a flash error stopped the session; reported once */
    /* Asking again. */
    uint32_t nak_seq;
    uint8_t nak_sent;
    uint32_t last_rx_ms;
    uint32_t no_session_ms;
    uint8_t no_session_sent;
    uint32_t start_ms;
#if OTA_WITH_INFLATE
    ota_inflate inflate;
    uint8_t inflate_done;
#endif
} A;

/* ---- little-endian helpers ---- */

static uint32_t get32(const uint8_t *p)
{
    return (uint32_t)p[0] | ((uint32_t)p[1] << 8) | ((uint32_t)p[2] << 16) | ((uint32_t)p[3] << 24);
}

static void put32(uint8_t *p, uint32_t v)
{
    p[0] = (uint8_t)v;
    p[1] = (uint8_t)(v >> 8);
    p[2] = (uint8_t)(v >> 16);
    p[3] = (uint8_t)(v >> 24);
}

static void put16(uint8_t *p, uint32_t v)
{
    p[0] = (uint8_t)v;
    p[1] = (uint8_t)(v >> 8);
}

/* ---- sending ---- */

static void send_frame(uint8_t type, uint32_t seq, const uint8_t *payload, uint32_t len)
{
    uint8_t *t = A.tx;
    uint32_t crc;
    t[0] = OTA_SOF;
    t[1] = type;
    put16(t + 2, len);
    put32(t + 4, seq);
    if (len) memcpy(t + HEADER_LEN, payload, len);
    crc = ota_crc32_update(0, t + 1, HEADER_LEN - 1u + len);
    put32(t + HEADER_LEN + len, crc);
    (void)ota_hal_uart_write(t, HEADER_LEN + len + 4u);
}

static void send_ack(void)
{
    uint8_t p[8];
    put32(p, A.expected);
    put32(p + 4, A.saved.committed);
    send_frame(OTA_T_ACK, 0, p, 8);
}

static void send_nak(uint8_t reason)
{
    uint8_t p[5];
    if (A.nak_sent && A.nak_seq == A.expected && reason != OTA_NAK_IDLE) return;
    A.nak_sent = 1;
    A.nak_seq = A.expected;
    A.stats.naks++;
    put32(p, A.expected);
    p[4] = reason;
    send_frame(OTA_T_NAK, 0, p, 5);
}

static void send_error(uint8_t code, uint32_t detail)
{
    uint8_t p[8];
    memset(p, 0, sizeof p);
    p[0] = code;
    put32(p + 4, detail);
    send_frame(OTA_T_ERROR, 0, p, 8);
}

static void send_result(uint8_t status, const uint8_t sha[32])
{
    uint8_t p[40];
    memset(p, 0, sizeof p);
    p[0] = status;
    put32(p + 4, A.saved.size);
    memcpy(p + 8, sha, 32);
    send_frame(OTA_T_RESULT, 0, p, 40);
}

/* ---- resume state ---- */

static uint32_t state_crc(const saved_state *s)
{
    return ota_crc32_update(0, (const uint8_t *)s, (size_t)((const uint8_t *)&s->crc - (const uint8_t *)s));
}

static int save_state(void)
{
    A.saved.magic = STATE_MAGIC;
    A.saved.crc = state_crc(&A.saved);
    return ota_hal_state_save(&A.saved, sizeof A.saved);
}

static void load_state(void)
{
    if (ota_hal_state_load(&A.saved, sizeof A.saved) != 0 || A.saved.magic != STATE_MAGIC ||
        A.saved.crc != state_crc(&A.saved) || A.saved.size > A.flash.flash_bytes ||
        A.saved.committed > A.saved.size) {
        memset(&A.saved, 0, sizeof A.saved);
    }
}

/* ---- flash pages ---- */

static void stop_session(uint8_t code, uint32_t detail)
{
    A.active = 0;
    A.failed = 1;
    send_error(code, detail);
}

/* Waits for the page being programmed, then records it as committed. 0, or -1 after a flash error. */
static int finish_pending(void)
{
    int busy;
    if (A.pending == NO_PAGE) return 0;
    while ((busy = ota_hal_flash_busy()) > 0) {
    }
    A.pending = NO_PAGE;
    if (busy < 0) {
        stop_session(OTA_E_WRITE, A.pending_end - A.flash.page_bytes);
        return -1;
    }
    A.saved.committed = A.pending_end < A.saved.size ? A.pending_end : A.saved.size;
    if (save_state() != 0) {
        stop_session(OTA_E_STATE, A.saved.committed);
        return -1;
    }
    return 0;
}

/* Commits a finished write without waiting when the flash is already done. */
static void poll_pending(void)
{
    if (A.pending != NO_PAGE && ota_hal_flash_busy() <= 0) (void)finish_pending();
}

/* Starts programming the current page (padded with 0xff) and switches to the other buffer. */
static int submit_page(void)
{
    uint32_t base = A.cur_base;
    if (A.fill < A.flash.page_bytes) memset(A.page[A.cur] + A.fill, 0xff, A.flash.page_bytes - A.fill);
    if (finish_pending() != 0) return -1;
    if (base >= A.erased_to) {
        uint32_t block = base - base % A.flash.erase_bytes;
        if (ota_hal_flash_erase(block, A.flash.erase_bytes) != 0) {
            stop_session(OTA_E_ERASE, block);
            return -1;
        }
        A.erased_to = block + A.flash.erase_bytes;
    }
    if (ota_hal_flash_write(base, A.page[A.cur], A.flash.page_bytes) != 0) {
        stop_session(OTA_E_WRITE, base);
        return -1;
    }
    A.pending = A.cur;
    A.pending_end = base + A.flash.page_bytes;
    A.cur ^= 1u;
    A.cur_base = base + A.flash.page_bytes;
    A.fill = 0;
    return 0;
}

/* Image bytes in order (raw DATA payloads, or the inflater's output). Non-zero stops the stream. */
static int emit(void *ctx, const uint8_t *data, size_t len)
{
    (void)ctx;
    if (len > A.saved.size - A.out_total) {
        stop_session(OTA_E_OVERFLOW, A.saved.size);
        return -1;
    }
    A.out_total += (uint32_t)len;
    while (len) {
        size_t n = A.flash.page_bytes - A.fill;
        if (n > len) n = len;
        memcpy(A.page[A.cur] + A.fill, data, n);
        A.fill += (uint32_t)n;
        data += n;
        len -= n;
        if (A.fill == A.flash.page_bytes && submit_page() != 0) return -1;
    }
    return 0;
}

/* Everything is in: write the last page, hash the flash back and report. */
static void finish_image(void)
{
    ota_sha256 h;
    uint8_t sha[32];
    uint32_t off;
    uint8_t status = OTA_RESULT_OK;
    if (A.fill && submit_page() != 0) return;
    if (finish_pending() != 0) return;
    A.stats.last_data_ms = ota_hal_millis() - A.start_ms;
    A.active = 0;
    A.saved.committed = A.saved.size;
    ota_sha256_init(&h);
    for (off = 0; off < A.saved.size; off += A.flash.page_bytes) {
        uint32_t n = A.saved.size - off < A.flash.page_bytes ? A.saved.size - off : A.flash.page_bytes;
        if (ota_hal_flash_read(off, A.page[0], n) != 0) {
            status = OTA_RESULT_READ_FAILED;
            break;
        }
        ota_sha256_update(&h, A.page[0], n);
    }
    ota_sha256_final(&h, sha);
    if (status == OTA_RESULT_OK && memcmp(sha, A.saved.sha256, 32) != 0) status = OTA_RESULT_HASH_MISMATCH;
    if (status == OTA_RESULT_OK && ota_hal_mark_bootable(A.saved.size, sha) != 0) status = OTA_RESULT_BOOT_HOOK_FAILED;
    A.saved.complete = status == OTA_RESULT_OK ? 1u : 0u;
    /* A failed check leaves nothing to resume from: the next START begins again at 0. */
    if (status != OTA_RESULT_OK) A.saved.committed = 0;
    (void)save_state();
    A.stats.last_result = status;
    A.stats.last_size = A.saved.size;
    memcpy(A.stats.last_sha256, sha, 32);
    A.stats.results++;
    send_result(status, sha);
}

/* Ends what was going on (a HELLO mid-session, a new START): keeps what is committed, drops the rest. */
static void settle(void)
{
    if (A.pending != NO_PAGE) (void)finish_pending();
    A.active = 0;
    A.fill = 0;
}

/* ---- frames ---- */

static int session_matches(const uint8_t *start)
{
    return A.saved.magic == STATE_MAGIC && A.saved.size == get32(start + 4) &&
           memcmp(A.saved.token, start + 12, 8) == 0 && memcmp(A.saved.sha256, start + 20, 32) == 0;
}

static void on_hello(const uint8_t *p, uint32_t len)
{
    uint8_t info[OTA_INFO_LEN];
    if (len >= 1 && p[0] != OTA_PROTO_VERSION) {
        send_error(OTA_E_VERSION, OTA_PROTO_VERSION);
        return;
    }
    settle();
    memset(info, 0, sizeof info);
    info[0] = OTA_PROTO_VERSION;
#if OTA_WITH_INFLATE
    info[1] = OTA_CAP_DEFLATE;
    info[2] = OTA_INFLATE_WINDOW_BITS;
#endif
    info[3] = OTA_WINDOW;
    put16(info + 4, OTA_FRAME_MAX);
    put32(info + 8, A.flash.page_bytes);
    put32(info + 12, A.flash.flash_bytes);
    if (A.saved.magic == STATE_MAGIC && A.saved.size) {
        info[16] = A.saved.complete ? OTA_SESSION_COMPLETE : OTA_SESSION_PARTIAL;
        memcpy(info + 20, A.saved.token, 8);
        put32(info + 28, A.saved.size);
        put32(info + 32, A.saved.committed);
        memcpy(info + 36, A.saved.sha256, 32);
    }
    send_frame(OTA_T_INFO, 0, info, OTA_INFO_LEN);
}

static int blank(uint32_t off, uint32_t len)
{
    uint32_t i;
    if (ota_hal_flash_read(off, A.page[0], len) != 0) return 0;
    for (i = 0; i < len; i++) {
        if (A.page[0][i] != 0xffu) return 0;
    }
    return 1;
}

static void on_start(const uint8_t *p, uint32_t len)
{
    uint32_t size, offset;
    uint8_t flags, bits;
    uint8_t ready[8];
    if (len < OTA_START_LEN) {
        send_error(OTA_E_BAD_START, 0);
        return;
    }
    settle();
    A.failed = 0;
    flags = p[0];
    bits = p[1];
    size = get32(p + 4);
    offset = get32(p + 8);
    if (size == 0 || size > A.flash.flash_bytes) {
        send_error(OTA_E_TOO_LARGE, A.flash.flash_bytes);
        return;
    }
#if OTA_WITH_INFLATE
    if ((flags & OTA_START_DEFLATE) && (bits < 9 || bits > OTA_INFLATE_WINDOW_BITS)) {
        send_error(OTA_E_UNSUPPORTED, OTA_INFLATE_WINDOW_BITS);
        return;
    }
#else
    if (flags & OTA_START_DEFLATE) {
        send_error(OTA_E_UNSUPPORTED, 0);
        return;
    }
#endif
    if (offset != 0) {
        uint32_t in_block;
        if (!session_matches(p) || offset > A.saved.committed ||
            (offset % A.flash.page_bytes != 0 && offset != A.saved.committed)) {
            send_error(OTA_E_BAD_START, session_matches(p) ? A.saved.committed : 0);
            return;
        }
        /* A reset during programming can leave the page at the offset half written: then its whole erase block
         * is written again. Complete images are checked again from the last page. */
        in_block = offset % A.flash.erase_bytes;
        if (offset < size && in_block != 0 && !blank(offset, A.flash.page_bytes)) offset -= in_block;
        A.erased_to = offset % A.flash.erase_bytes ? offset - offset % A.flash.erase_bytes + A.flash.erase_bytes : offset;
    } else {
        A.saved.size = size;
        memcpy(A.saved.token, p + 12, 8);
        memcpy(A.saved.sha256, p + 20, 32);
        A.erased_to = 0;
    }
    A.saved.committed = offset;
    A.saved.complete = 0;
    if (save_state() != 0) {
        send_error(OTA_E_STATE, offset);
        return;
    }
    A.deflate = (flags & OTA_START_DEFLATE) ? 1u : 0u;
#if OTA_WITH_INFLATE
    ota_inflate_init(&A.inflate, emit, 0);
    A.inflate_done = 0;
#endif
    A.active = 1;
    A.no_session_sent = 0;
    A.expected = 0;
    A.out_total = offset;
    A.cur_base = offset;
    A.fill = 0;
    A.nak_sent = 0;
    A.stats.resumed_from = offset;
    A.stats.sessions++;
    A.start_ms = ota_hal_millis();
    put32(ready, offset);
    ready[4] = OTA_WINDOW;
    ready[5] = ready[6] = ready[7] = 0;
    send_frame(OTA_T_READY, 0, ready, 8);
    if (offset == size) finish_image();
}

static void on_data(uint32_t seq, const uint8_t *p, uint32_t len)
{
    if (!A.active) {
        if (A.failed) return;
        /* A complete image: the host lost our last answers and sent again. */
        if (A.saved.complete && A.expected) {
            A.stats.duplicates++;
            send_ack();
            return;
        }
        /* Once per burst: a restarted agent may find a window of old frames waiting. */
        if (!A.no_session_sent || (uint32_t)(ota_hal_millis() - A.no_session_ms) >= OTA_IDLE_NAK_MS) {
            A.no_session_sent = 1;
            A.no_session_ms = ota_hal_millis();
            send_error(OTA_E_NO_SESSION, 0);
        }
        return;
    }
    if (seq != A.expected) {
        if (seq < A.expected) {
            A.stats.duplicates++;
            send_ack();
        } else {
            send_nak(OTA_NAK_GAP);
        }
        return;
    }
    A.expected++;
    A.nak_sent = 0;
    A.stats.frames_ok++;
#if OTA_WITH_INFLATE
    if (A.deflate) {
        int rc;
        if (A.inflate_done) {
            stop_session(OTA_E_OVERFLOW, A.saved.size);
            return;
        }
        rc = ota_inflate_feed(&A.inflate, p, len);
        if (rc < 0) {
            if (rc != OTA_INFLATE_ERR_SINK) stop_session(OTA_E_INFLATE, (uint32_t)-rc);
            return;
        }
        if (rc == OTA_INFLATE_DONE) {
            A.inflate_done = 1;
            if (A.out_total != A.saved.size) {
                stop_session(OTA_E_OVERFLOW, A.out_total);
                return;
            }
        }
    } else
#endif
    if (emit(0, p, len) != 0) {
        return;
    }
    if (!A.active) return;
    send_ack();
#if OTA_WITH_INFLATE
    if (A.out_total == A.saved.size && (!A.deflate || A.inflate_done)) finish_image();
#else
    if (A.out_total == A.saved.size) finish_image();
#endif
}

static void on_end(void)
{
    if (A.active) {
        send_ack();
        return;
    }
    if (A.saved.complete) {
        send_result(OTA_RESULT_OK, A.stats.last_sha256);
        return;
    }
    if (A.stats.results && A.stats.last_result != OTA_RESULT_OK) {
        send_result(A.stats.last_result, A.stats.last_sha256);
        return;
    }
    send_error(OTA_E_NO_SESSION, 0);
}

static void handle(uint8_t type, uint32_t seq, const uint8_t *p, uint32_t len)
{
    switch (type) {
    case OTA_T_HELLO: on_hello(p, len); break;
    case OTA_T_START: on_start(p, len); break;
    case OTA_T_DATA: on_data(seq, p, len); break;
    case OTA_T_END: on_end(); break;
    case OTA_T_ABORT: settle(); break;
    default: break;
    }
}

/* Drops the first n bytes of the receive buffer (a forward copy: no memmove needed). */
static void drop(uint32_t n)
{
    uint32_t i;
    for (i = n; i < A.rx_len; i++) A.rx[i - n] = A.rx[i];
    A.rx_len -= n;
}

/* After a bad frame: skip its start byte and look for the next one. */
static void resync(void)
{
    uint32_t i = 1;
    while (i < A.rx_len && A.rx[i] != OTA_SOF) i++;
    drop(i);
}

/* Handles every complete frame in the buffer. */
static void parse(void)
{
    for (;;) {
        uint32_t len, total;
        if (A.rx_len == 0) return;
        if (A.rx[0] != OTA_SOF) {
            resync();
            continue;
        }
        if (A.rx_len < HEADER_LEN) return;
        len = (uint32_t)A.rx[2] | ((uint32_t)A.rx[3] << 8);
        if (len > OTA_FRAME_MAX) {
            resync();
            continue;
        }
        total = HEADER_LEN + len + 4u;
        if (A.rx_len < total) return;
        if (ota_crc32_update(0, A.rx + 1, HEADER_LEN - 1u + len) != get32(A.rx + HEADER_LEN + len)) {
            A.stats.crc_errors++;
            if (A.active) send_nak(OTA_NAK_CRC);
            resync();
            continue;
        }
        handle(A.rx[1], get32(A.rx + 4), A.rx + HEADER_LEN, len);
        drop(total);
    }
}

void ota_agent_init(void)
{
    memset(&A, 0, sizeof A);
    ota_hal_flash_info(&A.flash);
    if (A.flash.page_bytes == 0 || A.flash.page_bytes > OTA_PAGE_MAX) A.flash.page_bytes = OTA_PAGE_MAX;
    if (A.flash.erase_bytes < A.flash.page_bytes || A.flash.erase_bytes % A.flash.page_bytes != 0) {
        A.flash.erase_bytes = A.flash.page_bytes;
    }
    A.pending = NO_PAGE;
    A.stats.last_result = 0xffu;
    load_state();
    A.last_rx_ms = ota_hal_millis();
}

void ota_agent_poll(uint32_t timeout_ms)
{
    size_t n, i;
    if (A.pending != NO_PAGE && timeout_ms > 1) timeout_ms = 1;
    n = ota_hal_uart_read(A.in, sizeof A.in, timeout_ms);
    if (n) {
        A.last_rx_ms = ota_hal_millis();
        for (i = 0; i < n; i++) {
            A.rx[A.rx_len++] = A.in[i];
            if (A.rx_len == FRAME_BUF || i + 1 == n) parse();
        }
    } else {
        uint32_t quiet = (uint32_t)(ota_hal_millis() - A.last_rx_ms);
        /* A frame never stops halfway on a working line: a start that waits that long was noise or the tail of
         * an old run, and may be hiding whole frames behind it. */
        if (A.rx_len && quiet >= OTA_RESYNC_MS) {
            resync();
            parse();
        }
        if (A.active && quiet >= OTA_IDLE_NAK_MS) {
            A.last_rx_ms = ota_hal_millis();
            send_nak(OTA_NAK_IDLE);
        }
    }
    poll_pending();
}

void ota_agent_run(void)
{
    for (;;) ota_agent_poll(50);
}

const ota_agent_stats *ota_agent_get_stats(void)
{
    return &A.stats;
}

/* The agent as a POSIX program, for tests and benchmarks: the UART is a serial device or pseudo-terminal, the
 * flash is a file, and programming takes as long as --write-us-per-kib says (in the background, as a flash
 * controller or an SPI NOR chip would).
 *   ota-agent-host --port PATH --out FILE [--flash-kib N] [--page-bytes N] [--erase-bytes N]
 *                  [--write-us-per-kib N] [--flip-bit-at OFFSET] [--once]
 * Prints one JSON line per event on stdout: {"event":"listening"...}, {"event":"result"...}. */
#define _POSIX_C_SOURCE 200809L
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#include "ota_agent.h"
#include "ota_config.h"
#include "ota_hal.h"
#include "ota_proto.h"

static struct {
    int uart;
    int flash;
    int state;
    uint32_t flash_bytes, page_bytes, erase_bytes, write_us_per_kib;
    long flip_bit_at;
    struct timespec busy_until;
    int bootable;
    int trace;
} H;

static void die(const char *what)
{
    fprintf(stderr, "ota-agent-host: %s: %s\n", what, strerror(errno));
    exit(1);
}

static void usage(void)
{
    fprintf(stderr,
            "usage: ota-agent-host --port PATH --out FILE [--flash-kib N] [--page-bytes N] [--erase-bytes N]\n"
            "                      [--write-us-per-kib N] [--flip-bit-at OFFSET] [--once]\n");
    exit(2);
}

static uint32_t number(const char *name, const char *text, unsigned long max)
{
    char *end;
    unsigned long v = strtoul(text, &end, 10);
    if (*text == '\0' || *end != '\0' || v > max) {
        fprintf(stderr, "ota-agent-host: %s must be a whole number up to %lu, not \"%s\"\n", name, max, text);
        exit(2);
    }
    return (uint32_t)v;
}

static void now(struct timespec *t)
{
    clock_gettime(CLOCK_MONOTONIC, t);
}

static long long ns_until(const struct timespec *t)
{
    struct timespec n;
    now(&n);
    return (long long)(t->tv_sec - n.tv_sec) * 1000000000LL + (t->tv_nsec - n.tv_nsec);
}

size_t ota_hal_uart_read(uint8_t *buf, size_t max, uint32_t timeout_ms)
{
    struct pollfd p;
    ssize_t n;
    p.fd = H.uart;
    p.events = POLLIN;
    p.revents = 0;
    if (poll(&p, 1, (int)timeout_ms) <= 0) return 0;
    n = read(H.uart, buf, max);
    if (H.trace) fprintf(stderr, "trace: read %ld\n", (long)n);
    if (n < 0) {
        if (errno == EAGAIN || errno == EINTR) return 0;
        die("reading the port");
    }
    if (n == 0) {
        /* The other end of the pty went away (socat restarted): wait for it like a UART with no cable. */
        struct timespec pause = { 0, 10000000L };
        nanosleep(&pause, NULL);
    }
    return (size_t)n;
}

int ota_hal_uart_write(const uint8_t *data, size_t len)
{
    if (H.trace && len > 1) fprintf(stderr, "trace: send type 0x%02x, %lu bytes\n", data[1], (unsigned long)len);
    while (len) {
        ssize_t n = write(H.uart, data, len);
        if (n < 0) {
            if (errno == EINTR) continue;
            if (errno == EAGAIN) {
                /* Nobody reads the other end (a pty with no host): a UART would send into the void, not wait. */
                struct pollfd p;
                p.fd = H.uart;
                p.events = POLLOUT;
                p.revents = 0;
                if (poll(&p, 1, 100) <= 0) return -1;
                continue;
            }
            return -1;
        }
        data += n;
        len -= (size_t)n;
    }
    return 0;
}

void ota_hal_flash_info(ota_flash_info *info)
{
    info->flash_bytes = H.flash_bytes;
    info->page_bytes = H.page_bytes;
    info->erase_bytes = H.erase_bytes;
}

static int pwrite_all(int fd, const uint8_t *data, size_t len, off_t off)
{
    while (len) {
        ssize_t n = pwrite(fd, data, len, off);
        if (n < 0) {
            if (errno == EINTR) continue;
            return -1;
        }
        data += n;
        len -= (size_t)n;
        off += n;
    }
    return 0;
}

int ota_hal_flash_erase(uint32_t offset, uint32_t len)
{
    uint8_t ff[4096];
    memset(ff, 0xff, sizeof ff);
    if (offset + len > H.flash_bytes) return -1;
    while (len) {
        uint32_t n = len < sizeof ff ? len : (uint32_t)sizeof ff;
        if (pwrite_all(H.flash, ff, n, offset) != 0) return -1;
        offset += n;
        len -= n;
    }
    return 0;
}

int ota_hal_flash_write(uint32_t offset, const uint8_t *data, uint32_t len)
{
    uint8_t copy[8192];
    long long ns;
    if (offset + len > H.flash_bytes || len > sizeof copy) return -1;
    memcpy(copy, data, len);
    if (H.flip_bit_at >= (long)offset && H.flip_bit_at < (long)(offset + len)) copy[H.flip_bit_at - (long)offset] ^= 0x10;
    if (pwrite_all(H.flash, copy, len, offset) != 0) return -1;
    now(&H.busy_until);
    ns = (long long)H.write_us_per_kib * 1000LL * len / 1024LL;
    H.busy_until.tv_sec += (time_t)(ns / 1000000000LL);
    H.busy_until.tv_nsec += (long)(ns % 1000000000LL);
    if (H.busy_until.tv_nsec >= 1000000000L) {
        H.busy_until.tv_sec++;
        H.busy_until.tv_nsec -= 1000000000L;
    }
    return 0;
}

int ota_hal_flash_busy(void)
{
    long long left = ns_until(&H.busy_until);
    if (left <= 0) return 0;
    {
        /* Not spinning: sleep a little (at most 200 us, so the UART is looked at often enough). */
        struct timespec pause = { 0, left < 200000 ? (long)left : 200000L };
        nanosleep(&pause, NULL);
    }
    return ns_until(&H.busy_until) > 0 ? 1 : 0;
}

int ota_hal_flash_read(uint32_t offset, uint8_t *data, uint32_t len)
{
    if (offset + len > H.flash_bytes) return -1;
    while (len) {
        ssize_t n = pread(H.flash, data, len, offset);
        if (n <= 0) {
            if (n < 0 && errno == EINTR) continue;
            return -1;
        }
        data += n;
        len -= (uint32_t)n;
        offset += (uint32_t)n;
    }
    return 0;
}

uint32_t ota_hal_millis(void)
{
    struct timespec t;
    now(&t);
    return (uint32_t)((unsigned long long)t.tv_sec * 1000ULL + (unsigned long long)t.tv_nsec / 1000000ULL);
}

int ota_hal_state_load(void *buf, size_t len)
{
    ssize_t n = pread(H.state, buf, len, 0);
    return n == (ssize_t)len ? 0 : -1;
}

int ota_hal_state_save(const void *buf, size_t len)
{
    return pwrite_all(H.state, buf, len, 0);
}

int ota_hal_mark_bootable(uint32_t size, const uint8_t sha256[32])
{
    (void)sha256;
    printf("{\"event\":\"bootable\",\"size\":%lu}\n", (unsigned long)size);
    fflush(stdout);
    H.bootable = 1;
    return 0;
}

static int open_port(const char *path)
{
    struct termios t;
    int fd = open(path, O_RDWR | O_NOCTTY | O_NONBLOCK);
    if (fd < 0) die(path);
    if (tcgetattr(fd, &t) == 0) {
        t.c_iflag &= ~(tcflag_t)(IGNBRK | BRKINT | PARMRK | ISTRIP | INLCR | IGNCR | ICRNL | IXON | IXOFF);
        t.c_oflag &= ~(tcflag_t)OPOST;
        t.c_lflag &= ~(tcflag_t)(ECHO | ECHONL | ICANON | ISIG | IEXTEN);
        t.c_cflag &= ~(tcflag_t)(CSIZE | PARENB);
        t.c_cflag |= CS8 | CLOCAL | CREAD;
        t.c_cc[VMIN] = 0;
        t.c_cc[VTIME] = 0;
        (void)tcsetattr(fd, TCSANOW, &t);
    }
    return fd;
}

static void open_flash(const char *path)
{
    char state_path[4096];
    off_t size;
    H.flash = open(path, O_RDWR | O_CREAT, 0644);
    if (H.flash < 0) die(path);
    size = lseek(H.flash, 0, SEEK_END);
    if (size != (off_t)H.flash_bytes) {
        /* A new flash chip: erased. */
        if (ftruncate(H.flash, 0) != 0 || ota_hal_flash_erase(0, H.flash_bytes) != 0) die(path);
    }
    if (snprintf(state_path, sizeof state_path, "%s.state", path) >= (int)sizeof state_path) {
        errno = ENAMETOOLONG;
        die(path);
    }
    H.state = open(state_path, O_RDWR | O_CREAT, 0644);
    if (H.state < 0) die(state_path);
}

int main(int argc, char **argv)
{
    const char *port = NULL, *out = NULL;
    int once = 0, i;
    uint32_t results = 0;
    H.flash_bytes = 4096u * 1024u;
    H.page_bytes = 1024;
    H.erase_bytes = 0;
    H.write_us_per_kib = 0;
    H.flip_bit_at = -1;
    H.trace = getenv("OTA_AGENT_TRACE") != NULL;
    for (i = 1; i < argc; i++) {
        const char *a = argv[i];
        const char *v = i + 1 < argc ? argv[i + 1] : NULL;
        if (strcmp(a, "--once") == 0) {
            once = 1;
            continue;
        }
        if (!v) usage();
        i++;
        if (strcmp(a, "--port") == 0) port = v;
        else if (strcmp(a, "--out") == 0) out = v;
        else if (strcmp(a, "--flash-kib") == 0) H.flash_bytes = number(a, v, 1024ul * 1024ul) * 1024u;
        else if (strcmp(a, "--page-bytes") == 0) H.page_bytes = number(a, v, 8192);
        else if (strcmp(a, "--erase-bytes") == 0) H.erase_bytes = number(a, v, 1ul << 20);
        else if (strcmp(a, "--write-us-per-kib") == 0) H.write_us_per_kib = number(a, v, 1000000ul);
        else if (strcmp(a, "--flip-bit-at") == 0) H.flip_bit_at = (long)number(a, v, 0xfffffffful);
        else usage();
    }
    if (!port || !out || H.flash_bytes == 0) usage();
    if (H.page_bytes < 16 || H.page_bytes > OTA_PAGE_MAX || (H.page_bytes & (H.page_bytes - 1u)) != 0) {
        fprintf(stderr, "ota-agent-host: --page-bytes must be a power of two from 16 to %u, not %lu\n", OTA_PAGE_MAX,
                (unsigned long)H.page_bytes);
        return 2;
    }
    if (H.erase_bytes == 0) H.erase_bytes = H.page_bytes < 4096 ? 4096 : H.page_bytes;
    if (H.erase_bytes % H.page_bytes != 0 || H.flash_bytes % H.erase_bytes != 0) {
        fprintf(stderr, "ota-agent-host: --erase-bytes must be a multiple of --page-bytes and divide the flash size\n");
        return 2;
    }
    H.uart = open_port(port);
    open_flash(out);
    ota_agent_init();
    printf("{\"event\":\"listening\",\"port\":\"%s\",\"flashBytes\":%lu,\"pageBytes\":%lu,\"eraseBytes\":%lu,\"pid\":%ld}\n", port,
           (unsigned long)H.flash_bytes, (unsigned long)H.page_bytes, (unsigned long)H.erase_bytes, (long)getpid());
    fflush(stdout);
    for (;;) {
        const ota_agent_stats *s;
        ota_agent_poll(50);
        s = ota_agent_get_stats();
        if (s->results != results) {
            int k;
            results = s->results;
            printf("{\"event\":\"result\",\"status\":%u,\"size\":%lu,\"resumedFrom\":%lu,\"sessions\":%lu,\"frames\":%lu,"
                   "\"crcErrors\":%lu,\"naks\":%lu,\"duplicates\":%lu,\"dataMs\":%lu,\"sha256\":\"",
                   (unsigned)s->last_result, (unsigned long)s->last_size, (unsigned long)s->resumed_from,
                   (unsigned long)s->sessions, (unsigned long)s->frames_ok, (unsigned long)s->crc_errors,
                   (unsigned long)s->naks, (unsigned long)s->duplicates, (unsigned long)s->last_data_ms);
            for (k = 0; k < 32; k++) printf("%02x", s->last_sha256[k]);
            printf("\"}\n");
            fflush(stdout);
            if (once) {
                /* Let the last answer leave before the port closes. */
                (void)tcdrain(H.uart);
                return s->last_result == OTA_RESULT_OK ? 0 : 1;
            }
        }
    }
}

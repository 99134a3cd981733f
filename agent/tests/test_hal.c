#include "test_hal.h"

#include <string.h>

#include "ota_hal.h"

uint8_t test_flash[TEST_FLASH_BYTES];
uint32_t test_now_ms;
int test_bootable_calls;

static uint8_t rx[1u << 20];
static size_t rx_head, rx_tail;
static uint8_t tx[1u << 16];
static size_t tx_len;
static uint8_t state[256];
static size_t state_len;

void test_hal_reset(int keep)
{
    rx_head = rx_tail = tx_len = 0;
    if (!keep) {
        memset(test_flash, 0xff, sizeof test_flash);
        state_len = 0;
        test_bootable_calls = 0;
    }
}

void test_uart_push(const uint8_t *data, size_t len)
{
    memcpy(rx + rx_tail, data, len);
    rx_tail += len;
}

size_t test_uart_take(uint8_t *out, size_t max)
{
    size_t n = tx_len < max ? tx_len : max;
    memcpy(out, tx, n);
    memmove(tx, tx + n, tx_len - n);
    tx_len -= n;
    return n;
}

size_t ota_hal_uart_read(uint8_t *buf, size_t max, uint32_t timeout_ms)
{
    size_t n = rx_tail - rx_head;
    if (n == 0) {
        test_now_ms += timeout_ms;
        return 0;
    }
    if (n > max) n = max;
    memcpy(buf, rx + rx_head, n);
    rx_head += n;
    return n;
}

int ota_hal_uart_write(const uint8_t *data, size_t len)
{
    if (tx_len + len > sizeof tx) return -1;
    memcpy(tx + tx_len, data, len);
    tx_len += len;
    return 0;
}

void ota_hal_flash_info(ota_flash_info *info)
{
    info->flash_bytes = TEST_FLASH_BYTES;
    info->page_bytes = 256;
    info->erase_bytes = 1024;
}

int ota_hal_flash_erase(uint32_t offset, uint32_t len)
{
    if (offset + len > TEST_FLASH_BYTES) return -1;
    memset(test_flash + offset, 0xff, len);
    return 0;
}

int ota_hal_flash_write(uint32_t offset, const uint8_t *data, uint32_t len)
{
    uint32_t i;
    if (offset + len > TEST_FLASH_BYTES) return -1;
    /* NOR flash only clears bits: writing over unerased bytes shows up as corruption. */
    for (i = 0; i < len; i++) test_flash[offset + i] &= data[i];
    return 0;
}

int ota_hal_flash_busy(void)
{
    return 0;
}

int ota_hal_flash_read(uint32_t offset, uint8_t *data, uint32_t len)
{
    if (offset + len > TEST_FLASH_BYTES) return -1;
    memcpy(data, test_flash + offset, len);
    return 0;
}

uint32_t ota_hal_millis(void)
{
    return test_now_ms;
}

int ota_hal_state_load(void *buf, size_t len)
{
    if (state_len != len) return -1;
    memcpy(buf, state, len);
    return 0;
}

int ota_hal_state_save(const void *buf, size_t len)
{
    if (len > sizeof state) return -1;
    memcpy(state, buf, len);
    state_len = len;
    return 0;
}

int ota_hal_mark_bootable(uint32_t size, const uint8_t sha256[32])
{
    (void)size;
    (void)sha256;
    test_bootable_calls++;
    return 0;
}

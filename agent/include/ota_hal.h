/* The hardware abstraction the integrator implements: a UART, the flash area that receives the image, a
 * millisecond clock, a few bytes of state that survive a reset, and the hook that marks the image bootable.
 * Every function returns 0 on success and a negative number on failure unless said otherwise. */
#ifndef OTA_HAL_H
#define OTA_HAL_H

#include <stddef.h>
#include <stdint.h>

typedef struct {
    /* Bytes of flash the image area holds (the largest image the agent accepts). */
    uint32_t flash_bytes;
    /* Program unit: the agent writes whole pages at page-aligned offsets (<= OTA_PAGE_MAX, a power of two). */
    uint32_t page_bytes;
    /* Erase unit: a multiple of page_bytes. The agent erases a block before it writes its first page. */
    uint32_t erase_bytes;
} ota_flash_info;

/* Copies up to max received bytes into buf and returns how many (0..max), waiting at most timeout_ms for the
 * first one. Reception must go on while the agent is busy elsewhere (interrupt or DMA into a ring buffer). */
size_t ota_hal_uart_read(uint8_t *buf, size_t max, uint32_t timeout_ms);
/* Sends len bytes (may return once they are queued). */
int ota_hal_uart_write(const uint8_t *data, size_t len);

void ota_hal_flash_info(ota_flash_info *info);
/* Erases [offset, offset + len) of the image area; offset and len are multiples of erase_bytes. Blocking. */
int ota_hal_flash_erase(uint32_t offset, uint32_t len);
/* Programs one page at a page-aligned offset. May return before programming ends (the agent then leaves the
 * buffer alone until ota_hal_flash_busy() returns 0); a blocking implementation simply returns when done. */
int ota_hal_flash_write(uint32_t offset, const uint8_t *data, uint32_t len);
/* 1 while the last write is still programming, 0 when it is done, negative when it failed. */
int ota_hal_flash_busy(void);
int ota_hal_flash_read(uint32_t offset, uint8_t *data, uint32_t len);

/* Milliseconds from any fixed point; wraps at 2^32. */
uint32_t ota_hal_millis(void);

/* A few bytes that survive a reset (a flash sector, backup registers, or no-init RAM). load returns 0 and
 * fills buf when something was saved, negative otherwise. */
int ota_hal_state_load(void *buf, size_t len);
int ota_hal_state_save(const void *buf, size_t len);

/* Called once the image is in flash and its SHA-256 matches the one the host announced: make the bootloader
 * boot it (set a flag, swap slots...). A negative return is reported to the host as a failure. */
int ota_hal_mark_bootable(uint32_t size, const uint8_t sha256[32]);

#endif

/* A single-producer single-consumer byte ring for the UART receive path on an MCU: the RX interrupt (or a DMA
 * half/complete callback) puts bytes in, ota_hal_uart_read() takes them out. Size it to the agent's window:
 * OTA_RING_BYTES = OTA_WINDOW * (OTA_FRAME_MAX + OTA_FRAME_OVERHEAD), rounded up to a power of two. */
#ifndef OTA_RING_H
#define OTA_RING_H
#include <stddef.h>
#include <stdint.h>
#include "ota_config.h"

#ifndef OTA_RING_BYTES
#define OTA_RING_BYTES 16384u
#endif
#if (OTA_RING_BYTES & (OTA_RING_BYTES - 1u)) != 0 || OTA_RING_BYTES < OTA_WINDOW * (OTA_FRAME_MAX + OTA_FRAME_OVERHEAD)
#error "OTA_RING_BYTES must be a power of two holding OTA_WINDOW frames"
#endif

/* From the interrupt: 0, or -1 when the ring is full (the byte is lost; the host sends it again). */
int ota_ring_put(uint8_t byte);
/* From the main loop: up to max bytes. */
size_t ota_ring_get(uint8_t *buf, size_t max);
size_t ota_ring_count(void);

#endif
